"""Usage views (billing.md "Views and statements"): quarter-hour sums roll up into the billing zone's days and
months, per group and meter, never adding one meter's units to another's; a span of months is at most 12."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from privnum.domain.billing.usage_buckets import UsageBucket, UsageRow, UsageSlice, month_span, roll_up


def at(*parts: int) -> int:
    return int(datetime(*parts, tzinfo=UTC).timestamp() * 1000)


def test_days_split_at_the_zones_midnight_and_meters_stay_apart() -> None:
    slices = [UsageSlice(at(2026, 11, 11, 15, 45), "7", "call.forwarded", 2, 200_000),  # Beijing 11th 23:45
              UsageSlice(at(2026, 11, 11, 16, 0), "7", "call.forwarded", 1, 100_000, unsettled_units=1),  # 12th
              UsageSlice(at(2026, 11, 11, 16, 15), "7", "sms.forwarded", 3, 840_000),
              UsageSlice(at(2026, 11, 11, 16, 30), "7", "call.forwarded", 4, 400_000)]
    assert roll_up(slices, UsageBucket.DAY) == [
        UsageRow("2026-11-11", "7", "call.forwarded", 2, 200_000, 0),
        UsageRow("2026-11-12", "7", "call.forwarded", 5, 500_000, 1),
        UsageRow("2026-11-12", "7", "sms.forwarded", 3, 840_000, 0)]
    assert roll_up(slices, UsageBucket.MONTH, ZoneInfo("UTC")) == [
        UsageRow("2026-11", "7", "call.forwarded", 7, 700_000, 1),
        UsageRow("2026-11", "7", "sms.forwarded", 3, 840_000, 0)]


def test_a_quarter_hour_zone_is_exact() -> None:
    kathmandu = ZoneInfo("Asia/Kathmandu")  # UTC+05:45: its midnight is 18:15 UTC
    slices = [UsageSlice(at(2026, 11, 30, 18, 0), "+8617000000001", "call.forwarded", 1, 0),
              UsageSlice(at(2026, 11, 30, 18, 15), "+8617000000001", "call.forwarded", 1, 0)]
    assert [row.bucket for row in roll_up(slices, UsageBucket.MONTH, kathmandu)] == ["2026-11", "2026-12"]


def test_a_span_of_months_is_whole_months_in_the_zone() -> None:
    span = month_span("2026-11", "2027-01")
    assert (span.start_ms, span.end_ms) == (at(2026, 10, 31, 16), at(2027, 1, 31, 16))
    assert month_span("2026-01", "2026-12").last == "2026-12"
    for first, last in [("2025-12", "2026-12"), ("2026-12", "2026-01"), ("2026-13", "2026-13"), ("2026-1", "2026-02")]:
        with pytest.raises(ValueError):
            month_span(first, last)
