"""Which hours the billing runner settles and which month's rent it charges (service/billing/runner.py): only
fully elapsed UTC hours up to now − lag, from the oldest unsettled record's hour, oldest first, bounded; rent for
the current month in the billing zone once its 1st 00:10 has passed."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from privnum.service.billing.runner import hours_to_settle, rent_month_due

HOUR = 3_600_000
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(text: str, zone: ZoneInfo | None = None) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=zone or UTC).timestamp() * 1000)


def test_nothing_unsettled_settles_nothing() -> None:
    assert hours_to_settle(None, at("2026-12-01T10:30"), 300_000, 24) == []


def test_the_running_hour_is_never_settled_even_with_no_lag() -> None:
    assert hours_to_settle(at("2026-12-01T10:05"), at("2026-12-01T10:59:59"), 0, 24) == []
    assert hours_to_settle(at("2026-12-01T10:05"), at("2026-12-01T11:00"), 0, 24) == [at("2026-12-01T10:00")]


def test_an_hour_waits_for_the_settle_lag() -> None:
    oldest = at("2026-12-01T10:59")
    assert hours_to_settle(oldest, at("2026-12-01T11:04:59"), 300_000, 24) == []
    assert hours_to_settle(oldest, at("2026-12-01T11:05"), 300_000, 24) == [at("2026-12-01T10:00")]


def test_catch_up_is_oldest_first_and_bounded() -> None:
    oldest = at("2026-12-01T01:30")
    hours = hours_to_settle(oldest, at("2026-12-02T12:10"), 300_000, 24)
    assert hours == [at("2026-12-01T01:00") + i * HOUR for i in range(24)]
    assert hours_to_settle(oldest, at("2026-12-01T04:10"), 300_000, 24) == [at("2026-12-01T01:00") + i * HOUR
                                                                          for i in range(3)]


def test_rent_is_due_after_the_first_at_ten_past_midnight_in_the_billing_zone() -> None:
    assert rent_month_due(at("2026-12-01T00:09:59", SHANGHAI), SHANGHAI) is None
    assert rent_month_due(at("2026-12-01T00:10", SHANGHAI), SHANGHAI) == "2026-12"
    assert rent_month_due(at("2026-12-17T09:00", SHANGHAI), SHANGHAI) == "2026-12"
    # 2026-11-30 16:30 UTC is already 2026-12-01 00:30 in Shanghai
    assert rent_month_due(at("2026-11-30T16:30"), SHANGHAI) == "2026-12"
    assert rent_month_due(at("2026-11-30T16:30"), ZoneInfo("UTC")) == "2026-11"
