"""Pure tests of privnum.domain: where an X is searched, why none fits, limits, keys, lifetimes, area codes.

No I/O: these exercise the rules the HTTP tests cannot reach cheaply (e.g. 5000 pairs per X).
"""

from __future__ import annotations

import pytest

from privnum.domain.allocation import (
    AreaScope,
    NoNumberReason,
    ScopeCensus,
    explain_shortage,
    search_scopes,
    shortage_reason,
)
from privnum.domain.areas import normalize_area_code, province_of
from privnum.domain.bindings import Binding, extension_key, user_key
from privnum.domain.lifetimes import (
    MAX_DURATION_S,
    check_duration,
    check_max_call_minutes,
    expiry,
)
from privnum.domain.limits import AXB_PAIRS_PER_X, AXYB_RELATIONS_PER_Y, X_PER_USER, capacity, extension_capacity
from privnum.domain.modes import Mode
from privnum.domain.private_numbers import NumberRole
from privnum.domain.result_codes import Refused, ResultCode

# --- search_scopes ---------------------------------------------------------------------------------------------


def test_no_area_code_searches_the_whole_pool_only() -> None:
    assert search_scopes(None, False) == [AreaScope()]
    assert search_scopes(None, True) == [AreaScope()]


def test_strict_mode_searches_only_the_city() -> None:
    assert search_scopes("0755", False) == [AreaScope(area_code="0755")]


def test_loose_mode_falls_back_to_province_then_anywhere() -> None:
    assert search_scopes("020", True) == [AreaScope(area_code="020"), AreaScope(province="guangdong"), AreaScope()]


def test_loose_mode_with_unknown_province_goes_straight_to_anywhere() -> None:
    assert province_of("0100") is None
    assert search_scopes("0100", True) == [AreaScope(area_code="0100"), AreaScope()]


def test_municipality_is_its_own_province() -> None:
    assert search_scopes("010", True) == [AreaScope(area_code="010"), AreaScope(province="beijing"), AreaScope()]


def test_scope_labels() -> None:
    assert AreaScope(area_code="0755").label == "area code 0755"
    assert AreaScope(province="guangdong").label == "province guangdong"
    assert AreaScope().label == "the app's pool"


# --- explain_shortage ------------------------------------------------------------------------------------------


def test_shortage_names_every_scope_and_its_reason() -> None:
    text = explain_shortage([
        ScopeCensus(AreaScope(area_code="020"), numbers=0, usable=0, with_room=0),
        ScopeCensus(AreaScope(province="guangdong"), numbers=4, usable=0, with_room=0),
        ScopeCensus(AreaScope(), numbers=6, usable=2, with_room=0),
    ], "+8613900000001 or +8613900000002")
    assert text.startswith("No number fits. ")
    assert text.endswith(".")
    assert "area code 020: the app has no number there" in text
    assert "province guangdong: all 4 numbers are frozen, blacklisted or unavailable" in text
    assert "the app's pool: all 2 usable numbers are full" in text


def test_shortage_with_room_but_keys_taken_names_the_holder() -> None:
    text = explain_shortage([ScopeCensus(AreaScope(area_code="0755"), numbers=3, usable=3, with_room=3)],
                            "+8613900000001 or +8613900000002")
    assert "area code 0755: all 3 numbers with room already carry +8613900000001 or +8613900000002" in text


# --- limits ----------------------------------------------------------------------------------------------------


def test_axb_x_carries_5000_pairs() -> None:
    assert AXB_PAIRS_PER_X == 5000
    assert capacity(Mode.AXB, NumberRole.X) == 5000
    assert capacity(Mode.AXB, NumberRole.X, extension_length=1) == 5000


@pytest.mark.parametrize(("length", "expected"), [(1, 9), (2, 99), (3, 999), (4, 9999)])
def test_axe_capacity_is_extensions_without_zero(length: int, expected: int) -> None:
    assert extension_capacity(length) == expected
    assert capacity(Mode.AXE, NumberRole.X, length) == expected


def test_ax_and_axyb_limits() -> None:
    assert capacity(Mode.AX, NumberRole.X) == 1
    assert capacity(Mode.AXYB, NumberRole.X) == 1
    assert capacity(Mode.AXYB, NumberRole.Y) == AXYB_RELATIONS_PER_Y == 1000
    assert X_PER_USER == 5


# --- exclusive keys --------------------------------------------------------------------------------------------


def _binding(mode: Mode, **kw: object) -> Binding:
    return Binding(id="b1", app_id=1, mode=mode, number="+8617000000001", **kw)  # type: ignore[arg-type]


def test_axb_holds_both_parties_exclusively() -> None:
    b = _binding(Mode.AXB, party_a="+8613900000001", party_b="+8613900000002")
    assert b.exclusive_keys() == ["user:+8613900000001", "user:+8613900000002"]
    assert b.quota_user() is None


def test_axb_keys_make_a_shared_party_collide_in_either_role() -> None:
    """A-X-B then B-X-C, A-X-C and C-X-A all share a key with A-X-B; C-X-D shares none."""
    first = set(_binding(Mode.AXB, party_a="A", party_b="B").exclusive_keys())
    for a, b in (("B", "C"), ("A", "C"), ("C", "A"), ("C", "B")):
        assert first & set(_binding(Mode.AXB, party_a=a, party_b=b).exclusive_keys()), (a, b)
    assert not first & set(_binding(Mode.AXB, party_a="C", party_b="D").exclusive_keys())


def test_other_modes_keys() -> None:
    assert _binding(Mode.AX, party_a="+861").exclusive_keys() == [user_key("+861")]
    assert _binding(Mode.AX, party_a="+861").quota_user() == "+861"
    assert extension_key("123") == "ext:123"
    assert "ext:123" in _binding(Mode.AXE, party_a="+861", extension="123").exclusive_keys()
    assert _binding(Mode.AXYB, party_a="+861", parent_id="p").exclusive_keys() == ["ax:p"]
    assert _binding(Mode.AXYB, party_a="+861", parent_id="p").quota_user() is None
    assert _binding(Mode.AXYB, party_a="+861").quota_user() == "+861"


def test_liveness() -> None:
    assert _binding(Mode.AXB).is_live(10**15)
    b = _binding(Mode.AXB, expires_at_ms=1000)
    assert b.is_live(999)
    assert not b.is_live(1000)


# --- lifetimes -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seconds", [0, 60, 61, 3600, MAX_DURATION_S])
def test_duration_accepted(seconds: int) -> None:
    assert check_duration(seconds) == seconds


@pytest.mark.parametrize("seconds", [1, 30, 59, MAX_DURATION_S + 1, -1])
def test_duration_refused_names_the_field(seconds: int) -> None:
    with pytest.raises(Refused) as caught:
        check_duration(seconds)
    assert caught.value.result is ResultCode.INVALID_REQUEST
    assert caught.value.description.startswith("Invalid request. duration:")
    assert str(seconds) in caught.value.description


def test_max_duration_range() -> None:
    assert check_max_call_minutes(0) == 0
    assert check_max_call_minutes(1440) == 1440
    for bad in (-1, 1441):
        with pytest.raises(Refused) as caught:
            check_max_call_minutes(bad)
        assert caught.value.result.code == "1010002"
        assert caught.value.field == "max_duration"  # the API renames it maxDuration


def test_expiry_instant() -> None:
    assert expiry(1_000, 0) is None
    assert expiry(1_000, None) is None
    assert expiry(1_000, 60) == 61_000


# --- area codes ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("0755", "0755"), ("755", "0755"), (" 10 ", "010"), ("010", "010"), ("20", "020"), ("0898", "0898"),
    ("", None), ("0", None), ("00755", None), ("07a5", None), ("7", None), ("07", None), ("075512", None),
    ("０７５５", None),
])
def test_normalize_area_code(text: str, expected: str | None) -> None:
    assert normalize_area_code(text) == expected


def test_province_of() -> None:
    assert province_of("0755") == "guangdong"
    assert province_of("020") == "guangdong"
    assert province_of("010") == "beijing"
    assert province_of("755") is None  # only canonical codes


# --- the reason a bind found no number -----------------------------------------------------------------------------


def test_each_limit_has_its_reason() -> None:
    city = AreaScope(area_code="0755")
    cases = {
        NoNumberReason.NO_NUMBER_IN_AREA: ScopeCensus(city, numbers=0, usable=0, with_room=0),
        NoNumberReason.NUMBERS_UNUSABLE: ScopeCensus(city, numbers=3, usable=0, with_room=0),
        NoNumberReason.NUMBERS_LOCKED: ScopeCensus(city, numbers=3, usable=2, with_room=0, locked=2),
        NoNumberReason.BINDING_CAP_REACHED: ScopeCensus(city, numbers=3, usable=2, with_room=0, locked=1),
        NoNumberReason.PAIR_LIMIT: ScopeCensus(city, numbers=3, usable=3, with_room=3, free_of_parties=0),
        NoNumberReason.CONTENDED: ScopeCensus(city, numbers=3, usable=3, with_room=3, free_of_parties=1),
    }
    for reason, census in cases.items():
        assert census.reason is reason
    assert "locked by the operator" in explain_shortage([cases[NoNumberReason.NUMBERS_LOCKED]], "A")
    assert "concurrent binds" in explain_shortage([cases[NoNumberReason.CONTENDED]], "A")


def test_the_widest_scope_names_the_limit() -> None:
    censuses = [ScopeCensus(AreaScope(area_code="020"), numbers=0, usable=0, with_room=0),
                ScopeCensus(AreaScope(), numbers=6, usable=6, with_room=6, free_of_parties=0)]
    assert shortage_reason(censuses) is NoNumberReason.PAIR_LIMIT
    assert len({r.value for r in NoNumberReason}) == len(NoNumberReason)
