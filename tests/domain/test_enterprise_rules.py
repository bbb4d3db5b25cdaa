"""The enterprise and app rules without I/O: the GB 32100 check character, material types by content, expiry of
the authorisation letter, app names, URLs, allow-lists, tags, and the secrets accepted during a rotation."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from privnum.domain.app_rules import check_allowlist, check_app_name, check_callback_url, check_mode, check_tags
from privnum.domain.apps import App
from privnum.domain.credit_code import check_character, credit_code_problem
from privnum.domain.enterprise_materials import MaterialKind, check_material, missing_materials, sniff
from privnum.domain.enterprises import CarrierKind, Enterprise, EnterpriseProfile, EnterpriseStatus, Nature
from privnum.domain.management_errors import Invalid
from privnum.domain.modes import Mode


def test_a_published_credit_code_passes_and_a_typo_is_caught() -> None:
    assert credit_code_problem("91350100M000100Y43") is None
    assert check_character("91350100M000100Y4") == "3"
    assert "does not match" in (credit_code_problem("91350100M000100Y44") or "")
    assert "except I, O, Z, S and V" in (credit_code_problem("91350100M000100YO3") or "")


@pytest.mark.parametrize(("head", "found"), [(b"\xff\xd8\xff\xe0", "jpg"), (b"\x89PNG\r\n\x1a\n", "png"),
                                             (b"GIF89a", "gif"), (b"BM", "bmp"), (b"%PDF-1.7", "pdf"),
                                             (b"PK\x03\x04", "zip"), (b"Rar!\x1a\x07\x00", "rar"), (b"<html>", None)])
def test_file_types_come_from_the_first_bytes(head: bytes, found: str | None) -> None:
    assert sniff(head) == found


def test_archives_only_as_other_materials() -> None:
    with pytest.raises(Invalid, match="licence file is one of"):
        check_material(MaterialKind.LICENCE, b"PK\x03\x04rest")
    assert check_material(MaterialKind.OTHER, b"PK\x03\x04rest") == "application/zip"


def test_a_third_party_carrier_needs_its_authorisation() -> None:
    assert MaterialKind.CARRIER_AUTHORIZATION not in missing_materials([], False)
    assert missing_materials(list(MaterialKind), True) == []
    assert missing_materials([MaterialKind.LICENCE], True)[-1] is MaterialKind.CARRIER_AUTHORIZATION


def test_an_approved_enterprise_expires_with_its_letter() -> None:
    profile = EnterpriseProfile("n", "91350100M000100Y43", Nature.DIRECT, "i", "s", "c", CarrierKind.APP, "c",
                                "l", "h", "13800138000", date(2026, 6, 30))
    approved = Enterprise(1, "n", 0, 5, tenant_id=1, status=EnterpriseStatus.APPROVED, profile=profile)
    assert approved.may_order(date(2026, 6, 30)) and not approved.may_order(date(2026, 7, 1))
    assert approved.status_on(date(2026, 7, 1)) is EnterpriseStatus.EXPIRED
    assert not replace(approved, status=EnterpriseStatus.PENDING).may_order(date(2026, 1, 1))
    assert Enterprise(2, "cli", 0, 5).may_order(date(2099, 1, 1))  # the operators' own: no letter, no expiry


def test_app_rules() -> None:
    assert check_app_name("快递_通知1") == "快递_通知1"
    for name in ("a b", "a-b", "", "x" * 65):
        with pytest.raises(Invalid):
            check_app_name(name)
    with pytest.raises(Invalid, match="X mode is not offered"):
        check_mode("X")
    assert check_mode("AXYB") is Mode.AXYB
    assert check_callback_url("u", "") is None
    for url in (" https://a.b", "https://a.b/x y", "ftp://a.b", "https://", "https://a.b:port"):
        with pytest.raises(Invalid):
            check_callback_url("u", url)
    assert check_allowlist(["10.0.0.1", "10.0.0.0/24", "10.0.0.1"]) == ("10.0.0.1", "10.0.0.0/24")
    assert check_tags([("k", "")]) == (("k", ""),)


def test_the_previous_secret_works_only_until_its_grace_ends() -> None:
    app = App(1, 1, "a", Mode.AXB, "key", "new", previous_secret="old", previous_secret_until_ms=1000)
    assert app.secrets_at(999) == ("new", "old") and app.secrets_at(1000) == ("new",)
