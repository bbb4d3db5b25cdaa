"""Number rent (billing.md R-19…R-21): the month of assignment at once, each later month on its 1st at 00:10 in
the billing time zone, and the 25th's cut-off for returns."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from privnum.domain.billing.rent import (
    RentAssignment,
    RentCharge,
    assignment_rent_key,
    is_charged_for,
    is_due_on_the_first,
    month_of,
    month_start_ms,
    rent_charges,
    rent_key,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(text: str, zone: ZoneInfo = SHANGHAI) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=zone).timestamp() * 1000)


def assigned(at: str, return_requested: str | None = None) -> RentAssignment:
    return RentAssignment(9, "+8613800000001", "virtual", local(at),
                          None if return_requested is None else local(return_requested))


def test_a_number_assigned_on_30_november_pays_november_at_once_and_december_on_the_1st() -> None:
    a = assigned("2026-11-30 15:00")
    assert rent_charges(a, local("2026-12-01 00:09:59")) == [RentCharge("2026-11", local("2026-11-30 15:00"))]
    assert rent_charges(a, local("2026-12-01 00:10")) == [RentCharge("2026-11", local("2026-11-30 15:00")),
                                                          RentCharge("2026-12", local("2026-12-01 00:10"))]
    assert not is_due_on_the_first(a, "2026-11")  # November was charged at assignment, not by the monthly job
    assert is_due_on_the_first(a, "2026-12")


def test_a_return_requested_on_the_25th_spares_the_next_month() -> None:
    a = assigned("2026-11-30 15:00", return_requested="2026-12-25 23:59:59")
    assert [c.month for c in rent_charges(a, local("2027-03-01 00:10"))] == ["2026-11", "2026-12"]
    assert not is_due_on_the_first(a, "2027-01")


def test_a_return_requested_on_the_26th_pays_the_next_month_and_not_the_one_after() -> None:
    a = assigned("2026-11-30 15:00", return_requested="2026-12-26 00:00")
    charges = rent_charges(a, local("2027-03-01 00:10"))
    assert charges[-1] == RentCharge("2027-01", local("2027-01-01 00:10"))
    assert [c.month for c in charges] == ["2026-11", "2026-12", "2027-01"]
    assert is_due_on_the_first(a, "2027-01")
    assert not is_due_on_the_first(a, "2027-02")


def test_a_frozen_number_pays_rent_on_the_1st() -> None:
    # rent reads only the assignment's dates: a frozen, paused or unavailable number is held, so it pays (H-29)
    frozen_since_november = assigned("2026-10-10 09:00")
    assert is_due_on_the_first(frozen_since_november, "2026-12")


def test_a_number_returned_in_its_first_month_before_the_25th_pays_that_month_only() -> None:
    a = assigned("2026-11-02 09:00", return_requested="2026-11-03 09:00")
    assert [c.month for c in rent_charges(a, local("2027-01-01 00:10"))] == ["2026-11"]
    assert not is_charged_for(a, "2026-10")


def test_the_cut_off_is_the_25th_in_the_billing_time_zone() -> None:
    # 2026-12-25 20:00 in London is 2026-12-26 04:00 in Shanghai: after the cut-off there, on time in London
    london = ZoneInfo("Europe/London")
    a = assigned("2026-11-30 15:00")
    a = RentAssignment(a.customer_id, a.number, a.number_class, a.assigned_at_ms, local("2026-12-25 20:00", london))
    assert is_charged_for(a, "2027-01")
    assert not is_charged_for(a, "2027-01", london)


def test_months_begin_at_midnight_in_the_billing_time_zone() -> None:
    assert month_start_ms("2026-12") == local("2026-12-01 00:00")
    assert month_of(local("2026-11-30 23:59:59")) == "2026-11"
    assert month_of(local("2026-12-01 00:00")) == "2026-12"
    assert month_start_ms("2026-12", ZoneInfo("UTC")) == local("2026-12-01 08:00")


def test_rent_journal_keys() -> None:
    assert rent_key(9, "2026-12") == "rent:9:2026-12"
    assert assignment_rent_key(9, "+8613800000001", "2026-11") == "rent:9:2026-11:+8613800000001"
    with pytest.raises(ValueError, match="YYYY-MM"):
        rent_key(9, "2026-13")
