"""Packages (billing.md R-9…R-14): effective at the next full hour, strictly; calendar-month validity; the draw-down
order; a call split between packages and PAYG; the 80 %/100 % and 7-day alerts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from privnum.domain.billing.packages import (
    Package,
    PackageProduct,
    Quota,
    QuotaBalance,
    after_draws,
    bought,
    draw,
    draw_order,
    effective_from,
    expires_at,
    expires_within_7_days,
    purchase_refusal,
    thresholds_crossed,
)

CALL = "call.forwarded"
SMS = "sms.forwarded"
HOUR_MS = 3_600_000


def utc(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp() * 1000)


def package(package_id: int, minutes: int, *, number_class: str | None = None, start: str = "2026-12-01 00:00",
            end: str = "2027-12-01 00:00", purchased: str | None = None) -> Package:
    return Package(package_id, 1, utc(purchased or start), utc(start), utc(end),
                   (QuotaBalance(CALL, number_class, minutes),))


TIER_38 = PackageProduct(1, "500 min + 50 SMS", 38_000_000, (Quota(CALL, None, 500), Quota(SMS, "virtual", 50)))


@pytest.mark.parametrize(("bought_at", "starts"), [
    ("2026-12-01 10:03:00", "2026-12-01 11:00:00"),
    ("2026-12-01 11:00:00", "2026-12-01 12:00:00"),
    ("2026-12-01 10:59:59.999", "2026-12-01 11:00:00"),
    ("2026-12-31 23:30:00", "2027-01-01 00:00:00"),
])
def test_a_package_takes_effect_at_the_next_full_hour_strictly(bought_at: str, starts: str) -> None:
    assert effective_from(utc(bought_at)) == utc(starts)


def test_a_package_lasts_twelve_calendar_months_of_the_billing_zone() -> None:
    # 2026-12-01 03:00 UTC is 11:00 in Shanghai: a year later, same wall clock
    assert expires_at(utc("2026-12-01 03:00")) == utc("2027-12-01 03:00")
    product = bought(TIER_38, 7, utc("2026-12-01 02:03"))
    assert (product.effective_from_ms, product.expires_at_ms) == (utc("2026-12-01 03:00"), utc("2027-12-01 03:00"))
    assert [(q.meter, q.number_class, q.remaining) for q in product.balances] == [(CALL, None, 500),
                                                                                  (SMS, "virtual", 50)]


@pytest.mark.parametrize(("start", "months", "end"), [
    ("2027-01-31 02:00", 1, "2027-02-28 02:00"),  # 31 January 10:00 Shanghai + 1 month → 28 February
    ("2028-01-31 02:00", 1, "2028-02-29 02:00"),  # a leap year
    ("2027-03-31 02:00", 1, "2027-04-30 02:00"),
    ("2027-03-30 18:00", 1, "2027-04-29 18:00"),  # 31 March 02:00 Shanghai → 30 April 02:00 Shanghai
    ("2026-01-31 02:00", 12, "2027-01-31 02:00"),
])
def test_a_day_the_last_month_lacks_is_its_last_day(start: str, months: int, end: str) -> None:
    assert expires_at(utc(start), months) == utc(end)


def test_a_package_bought_at_10_03_does_not_cover_a_call_ending_10_59_59_but_covers_one_ending_11_00() -> None:
    p = bought(TIER_38, 1, utc("2026-12-01 10:03"))
    assert draw([p], CALL, "virtual", 3, utc("2026-12-01 10:59:59")).payg_units == 3
    at_eleven = draw([p], CALL, "virtual", 3, utc("2026-12-01 11:00:00"))
    assert (at_eleven.package_units, at_eleven.payg_units) == (3, 0)


def test_a_package_no_longer_covers_usage_at_its_expiry() -> None:
    p = package(1, 100, end="2027-12-01 00:00")
    assert draw([p], CALL, "virtual", 1, utc("2027-11-30 23:59:59")).payg_units == 0
    assert draw([p], CALL, "virtual", 1, utc("2027-12-01 00:00:00")).payg_units == 1


def test_a_12_minute_call_against_10_left_takes_10_from_p1_then_2_from_p2() -> None:
    p1, p2 = package(1, 10, end="2027-06-01 00:00"), package(2, 500, end="2027-12-01 00:00")
    split = draw([p2, p1], CALL, "virtual", 12, utc("2026-12-05 10:00"))
    assert [(d.package_id, d.units) for d in split.draws] == [(1, 10), (2, 2)]
    assert split.payg_units == 0


def test_a_12_minute_call_against_10_left_and_no_other_package_is_2_at_payg() -> None:
    split = draw([package(1, 10)], CALL, "virtual", 12, utc("2026-12-05 10:00"))
    assert [(d.package_id, d.units) for d in split.draws] == [(1, 10)]
    assert split.payg_units == 2


def test_the_order_is_class_restricted_first_then_expiry_start_purchase_and_id() -> None:
    any_class_soonest = package(1, 5, end="2027-01-01 00:00")
    virtual_only_latest = package(2, 5, number_class="virtual", end="2028-01-01 00:00")
    later_start = package(3, 5, start="2026-12-02 00:00", end="2027-06-01 00:00")
    bought_last = package(4, 5, start="2026-12-01 05:00", end="2027-06-01 00:00", purchased="2026-12-01 04:50")
    bought_second = package(5, 5, start="2026-12-01 05:00", end="2027-06-01 00:00", purchased="2026-12-01 04:30")
    earlier_purchase_higher_id = package(6, 5, start="2026-12-01 05:00", end="2027-06-01 00:00",
                                         purchased="2026-12-01 04:10")
    same_as_6_lower_id = package(0, 5, start="2026-12-01 05:00", end="2027-06-01 00:00", purchased="2026-12-01 04:10")
    order = draw_order([any_class_soonest, virtual_only_latest, later_start, bought_last, bought_second,
                        earlier_purchase_higher_id, same_as_6_lower_id], CALL, "virtual", utc("2026-12-05 00:00"))
    assert [p.package_id for p, _ in order] == [2, 1, 0, 6, 5, 4, 3]


def test_a_class_restricted_quota_serves_only_its_class() -> None:
    virtual_sms = Package(1, 1, 0, utc("2026-12-01 00:00"), utc("2027-12-01 00:00"),
                          (QuotaBalance(SMS, "virtual", 50),))
    assert draw([virtual_sms], SMS, "carrier", 2, utc("2026-12-05 00:00")).payg_units == 2
    assert draw([virtual_sms], SMS, "virtual", 2, utc("2026-12-05 00:00")).payg_units == 0
    assert draw([virtual_sms], CALL, "virtual", 2, utc("2026-12-05 00:00")).payg_units == 2


def test_drawn_units_are_used_up() -> None:
    p1, p2 = package(1, 10, end="2027-06-01 00:00"), package(2, 500)
    at = utc("2026-12-05 10:00")
    first = draw([p1, p2], CALL, "virtual", 12, at)
    left = after_draws([p1, p2], first.draws)
    assert [p.balances[0].remaining for p in left] == [0, 498]
    second = draw(left, CALL, "virtual", 3, at)
    assert [(d.package_id, d.units) for d in second.draws] == [(2, 3)]
    with pytest.raises(ValueError, match="left"):
        after_draws(left, first.draws)


@pytest.mark.parametrize(("used_before", "used_after", "crossed"), [
    (0, 79, ()), (0, 80, (80,)), (79, 100, (80, 100)), (80, 99, ()), (99, 100, (100,)), (100, 100, ()),
])
def test_use_alerts_are_raised_once_when_80_and_100_percent_are_crossed(used_before: int, used_after: int,
                                                                        crossed: tuple[int, ...]) -> None:
    before, after = QuotaBalance(CALL, None, 100, used_before), QuotaBalance(CALL, None, 100, used_after)
    assert thresholds_crossed(before, after) == crossed


def test_the_expiry_alert_holds_in_the_last_7_days() -> None:
    p = package(1, 10, end="2027-12-01 00:00")
    assert not expires_within_7_days(p, utc("2027-11-23 23:59:59"))
    assert expires_within_7_days(p, utc("2027-11-24 00:00"))
    assert not expires_within_7_days(p, utc("2027-12-01 00:00"))


def test_a_purchase_needs_a_number_and_the_funds() -> None:
    assert purchase_refusal(TIER_38, 0, 100_000_000, 0) is not None
    assert purchase_refusal(TIER_38, 1, 37_999_999, 0) is not None
    assert purchase_refusal(TIER_38, 1, 30_000_000, 8_000_000) is None
