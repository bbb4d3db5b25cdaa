"""The pure rules of billing notifications (billing.md R-14, R-27): when a balance is below its low-balance
threshold and since when (one notice per crossing), and each notice's key and body."""

from __future__ import annotations

import pytest

from privnum.domain.billing.notices import (
    NoticeKind,
    QuotaFigures,
    is_low,
    iso,
    low_balance,
    low_since,
    package_expiring,
    package_used,
    standing_moved,
)

T0 = 1_764_590_400_000  # 2025-12-01T12:00:00Z


@pytest.mark.parametrize(("balance", "threshold", "low"), [
    (499_999, 500_000, True), (500_000, 500_000, False), (-1, 0, True), (0, 0, False), (-10**12, None, False)])
def test_below_the_threshold_is_strictly_below_and_no_threshold_is_never_low(balance: int, threshold: int | None,
                                                                              low: bool) -> None:
    assert is_low(balance, threshold) is low


def test_a_crossing_starts_a_since_that_holds_until_the_balance_is_back_up() -> None:
    assert low_since(400_000, 500_000, None, T0) == T0  # crossed now: a notice
    assert low_since(300_000, 500_000, T0, T0 + 1) == T0  # still below: the same since, no new notice
    assert low_since(500_000, 500_000, T0, T0 + 2) is None  # back at the threshold: re-armed
    assert low_since(400_000, 500_000, None, T0 + 3) == T0 + 3  # a second crossing
    assert low_since(400_000, None, T0, T0 + 4) is None  # threshold off


def test_keys_name_each_event_once_and_bodies_carry_its_figures() -> None:
    low = low_balance(7, "acme", "CNY", 100_000, 500_000, T0)
    assert low.key == f"low_balance:7:{T0}" and low.kind is NoticeKind.LOW_BALANCE
    assert low.body == {"kind": "low_balance", "tenant_id": 7, "tenant": "acme", "at": "2025-12-01T12:00:00.000Z",
                        "currency": "CNY", "balance": "0.1", "threshold": "0.5"}
    started = standing_moved(7, "acme", "CNY", -1_500_000, 1_000_000, NoticeKind.ARREARS_STARTED, T0 + 1)
    assert started.key == f"arrears_started:7:{T0 + 1}"
    assert (started.body["balance"], started.body["credit_limit"]) == ("-1.5", "1")
    quota = QuotaFigures(42, "500 min", "call.forwarded", None, 500, 400, T0 + 86_400_000)
    assert package_used(7, "acme", quota, 80, T0).key == "package_used_80:42"
    assert package_used(7, "acme", quota, 100, T0).kind is NoticeKind.PACKAGE_USED_100
    assert package_used(7, "acme", quota, 80, T0).body["remaining"] == 100
    expiring = package_expiring(7, "acme", (quota,), T0)
    assert expiring.key == "package_expiring:42" and expiring.body["expires_at"] == iso(T0 + 86_400_000)
    assert expiring.body["quotas"] == [{"meter": "call.forwarded", "number_class": None, "granted": 500,
                                        "used": 400, "remaining": 100}]
