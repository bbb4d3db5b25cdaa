"""The records rules without I/O: masking real numbers, a call's result, time windows, statistics buckets."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from privnum.domain.calls.causes import Cause
from privnum.domain.management_errors import Invalid
from privnum.domain.records.masking import mask_fields, mask_number
from privnum.domain.records.results import CallResult, parse_result, result_of
from privnum.domain.records.sms_results import parse_send_result, send_result_text
from privnum.domain.records.statistics import BucketStats, DayCount, billed_minutes, roll_up
from privnum.domain.records.timeline import timeline
from privnum.domain.records.windows import (
    DAY_MS,
    Bucket,
    Window,
    beijing_day,
    bucket_labels,
    export_window,
    parse_instant,
    records_window,
    stats_window,
)

NOW = int(datetime(2026, 12, 1, 8, 0, tzinfo=UTC).timestamp() * 1000)


@pytest.mark.parametrize(("number", "shown"), [
    ("+8613812345678", "+86138****5678"),
    ("13812345678", "138****5678"),
    ("+14155552671", "+141****2671"),  # not +86: the same rule
    ("+442071838750", "+4420****8750"),
    ("075512345", "*******45"),  # short: only the last 2 digits
    ("12345", "***45"),
    ("110", "***"),
    ("", ""),
    (None, None),
])
def test_mask_number(number: str | None, shown: str | None) -> None:
    assert mask_number(number) == shown


def test_mask_fields_masks_every_real_number_of_a_push_body() -> None:
    body = {"eventType": "fee", "feeLst": [{"callerNum": "+8613812345678", "fwdDstNum": "+8613912345678",
                                            "sessionId": "s1", "talk": 3}],
            "statusInfo": {"caller": "+8613812345678", "called": "", "timestamp": "2026"}}
    assert mask_fields(body) == {"eventType": "fee",
                                 "feeLst": [{"callerNum": "+86138****5678", "fwdDstNum": "+86139****5678",
                                             "sessionId": "s1", "talk": 3}],
                                 "statusInfo": {"caller": "+86138****5678", "called": "", "timestamp": "2026"}}


def test_result_of_a_call() -> None:
    assert result_of(answered_at_ms=5, forwarded_at_ms=1) is CallResult.ANSWERED
    assert result_of(answered_at_ms=None, forwarded_at_ms=1) is CallResult.NOT_ANSWERED
    assert result_of(answered_at_ms=None, forwarded_at_ms=None) is CallResult.FAILED


def test_result_filter_is_a_result_or_a_cause_code() -> None:
    assert parse_result("answered") is CallResult.ANSWERED
    assert parse_result("8014") is Cause.NO_BINDING
    for bad in ("12345", "Answered", "-1", ""):
        with pytest.raises(Invalid) as refused:
            parse_result(bad)
        assert refused.value.field == "result"


def test_instants_are_ms_beijing_dates_or_iso_times() -> None:
    beijing_midnight = int(datetime(2026, 11, 30, 16, 0, tzinfo=UTC).timestamp() * 1000)
    assert parse_instant("2026-12-01", "from") == beijing_midnight
    assert parse_instant("2026-12-01", "to", end=True) == beijing_midnight + DAY_MS  # the date is included
    assert parse_instant("2026-12-01T00:00:00", "from") == beijing_midnight  # no offset: Beijing
    assert parse_instant("2026-11-30T16:00:00Z", "from") == beijing_midnight
    assert parse_instant("1764547200000", "from") == 1764547200000
    assert parse_instant(None, "from") is None and parse_instant(" ", "from") is None
    for bad in ("1 Dec", "9999-12-31", "0001-01-01", "99999999999999999999", "2026-13-01"):
        with pytest.raises(Invalid) as refused:
            parse_instant(bad, "to", end=True)
        assert refused.value.code == "invalid_time" and refused.value.field == "to", bad


def test_record_windows() -> None:
    default = records_window(None, None, NOW)
    assert default.to_ms == NOW and default.days == 31
    assert records_window(NOW - 183 * DAY_MS, NOW, NOW).days == 183
    with pytest.raises(Invalid, match="at most 183 days") as refused:
        records_window(NOW - 184 * DAY_MS, NOW, NOW)
    assert refused.value.code == "window_too_long"
    with pytest.raises(Invalid, match="from must be before to"):
        records_window(NOW, NOW, NOW)
    assert export_window(NOW - 31 * DAY_MS, NOW, NOW).days == 31
    with pytest.raises(Invalid, match="month by month"):
        export_window(NOW - 32 * DAY_MS, NOW, NOW)


def test_stats_windows_and_buckets() -> None:
    assert stats_window(NOW - 31 * DAY_MS, NOW, NOW, None)[1] is Bucket.DAY
    assert stats_window(NOW - 32 * DAY_MS, NOW, NOW, None)[1] is Bucket.MONTH
    assert stats_window(NOW - 5 * DAY_MS, NOW, NOW, Bucket.MONTH)[1] is Bucket.MONTH
    with pytest.raises(Invalid) as day_buckets:
        stats_window(NOW - 60 * DAY_MS, NOW, NOW, Bucket.DAY)
    assert day_buckets.value.code == "too_many_buckets" and day_buckets.value.field == "bucket"
    with pytest.raises(Invalid) as too_old:
        stats_window(NOW - 800 * DAY_MS, NOW - 790 * DAY_MS, NOW, None)
    assert too_old.value.code == "window_too_old"
    with pytest.raises(Invalid) as too_long:
        stats_window(NOW - 200 * DAY_MS, NOW, NOW, None)
    assert too_long.value.code == "window_too_long"


def test_beijing_day_boundary_is_16_00_utc() -> None:
    before = int(datetime(2026, 11, 30, 15, 59, 59, 999_000, tzinfo=UTC).timestamp() * 1000)
    assert beijing_day(before + 1) == beijing_day(before) + 1


def test_roll_up_sums_days_into_buckets_and_groups() -> None:
    day = beijing_day(NOW)  # 2026-12-01 in Beijing
    rows = roll_up([DayCount(day, "1", calls=2, answered=1, minutes=3), DayCount(day, "1", binds=4),
                    DayCount(day - 1, "1", calls=1), DayCount(day, "2", calls=1, answered=1, minutes=1)], Bucket.DAY)
    assert rows == [BucketStats("2026-11-30", "1", 1, 0, 0, 0), BucketStats("2026-12-01", "1", 2, 1, 3, 4),
                    BucketStats("2026-12-01", "2", 1, 1, 1, 0)]
    months = roll_up([DayCount(day, "", calls=2, answered=1), DayCount(day - 1, "", calls=2, answered=2)],
                     Bucket.MONTH)
    assert [(m.bucket, m.calls, m.connect_rate) for m in months] == [("2026-11", 2, 1.0), ("2026-12", 2, 0.5)]
    assert BucketStats("2026-12", "", 0, 0, 0, 0).connect_rate == 0.0


def test_roll_up_sums_sms_and_their_segments_with_the_calls() -> None:
    day = beijing_day(NOW)
    rows = roll_up([DayCount(day, "7", calls=1), DayCount(day, "7", sms=2, sms_segments=3),
                    DayCount(day - 1, "7", sms=1, sms_segments=1)], Bucket.MONTH)
    assert [(r.bucket, r.calls, r.sms, r.sms_segments) for r in rows] == [("2026-11", 0, 1, 1), ("2026-12", 1, 2, 3)]


def test_send_result_filter_takes_huawei_codes_only() -> None:
    assert [int(parse_send_result(v)) for v in ("0", " 13", "2")] == [0, 13, 2]
    for bad in ("14", "-1", "sent", "", "007", "²"):
        with pytest.raises(Invalid) as refused:
            parse_send_result(bad)
        assert refused.value.code == "invalid_result" and refused.value.field == "send_result"
    assert (send_result_text(0), send_result_text(2), send_result_text(None)) == ("sent", "failed: no binding",
                                                                                  "pending")


def test_billed_minutes_count_started_minutes() -> None:
    assert [billed_minutes(s) for s in (0, 1, 60, 61, 120)] == [0, 1, 1, 2, 2]


def test_timeline_leaves_out_steps_never_reached() -> None:
    assert [s.event for s in timeline(1, 2, 3, 4, 5)] == ["callin", "callout", "alerting", "answer", "disconnect"]
    assert [(s.event, s.at_ms) for s in timeline(1, None, None, None, 9)] == [("callin", 1), ("disconnect", 9)]


def test_mask_fields_keeps_the_privacy_number() -> None:
    body = {"statusInfo": {"caller": "+8613812345678", "called": "+8617012345678"}}
    assert mask_fields(body, frozenset({"+8617012345678"})) == {
        "statusInfo": {"caller": "+86138****5678", "called": "+8617012345678"}}


def test_bucket_labels_cover_the_window_in_beijing_time() -> None:
    start = int(datetime(2026, 11, 29, 16, 0, tzinfo=UTC).timestamp() * 1000)  # 2026-11-30 00:00 Beijing
    window = Window(start, start + 3 * DAY_MS)
    assert bucket_labels(window, Bucket.DAY) == ["2026-11-30", "2026-12-01", "2026-12-02"]
    assert bucket_labels(window, Bucket.MONTH) == ["2026-11", "2026-12"]
