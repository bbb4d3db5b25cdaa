"""A call's usage, from its CDR as the customer sees it (research/billing.md R-1…R-6): only an answered forwarded
leg counts, talk time is ``callEndTime − fwdAnswerTime`` in the CDR's whole seconds, every started increment
counts, and the call belongs to the UTC hour and the billing-zone month of its ``callEndTime``."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from privnum.domain.billing.meters import Meter, NumberClass
from privnum.domain.billing.money import from_decimal_string
from privnum.domain.billing.plans import PlanVersion, PricePlan, Rate, huawei_cn_plan
from privnum.domain.billing.usage import UsageRecord, call_usage, cdr_seconds, cdr_usage, talk_seconds
from privnum.domain.calls.cdr import Cdr
from privnum.domain.calls.session import CallSession, CallState, Recording
from privnum.domain.modes import Mode

SHANGHAI = ZoneInfo("Asia/Shanghai")
PLAN = huawei_cn_plan(from_decimal_string("0.076"))
X = "+8617000000001"
DAY = "2026-12-01"


def ms(text: str) -> int:
    """UTC ms of ``yyyy-MM-dd HH:mm:ss[.fff]``."""
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp() * 1000)


def usage(answered: str | int | None, ended: str | int, *, recorded: bool = False, plan: PricePlan = PLAN,
          zone: ZoneInfo = SHANGHAI, number: str = X, number_type: str | None = None) -> list[UsageRecord]:
    return call_usage(app_id=7, icid="icid-1", privacy_number=number, number_type=number_type,
                      fwd_answer_time=answered, call_end_time=ended, recorded=recorded, plan=plan,
                      billing_zone=zone)


def forwarded(records: list[UsageRecord]) -> UsageRecord:
    return next(r for r in records if r.meter is Meter.CALL_FORWARDED)


# R-4, every worked example: (fwdAnswerTime, callEndTime) as the CDR shows them or as privnum holds them (ms).
R4 = [
    pytest.param(f"{DAY} 10:00:05", f"{DAY} 10:01:06", 61, 2, id="61 s is 2 minutes"),
    pytest.param(f"{DAY} 10:00:05", f"{DAY} 10:01:05", 60, 1, id="60 s is 1 minute"),
    pytest.param(f"{DAY} 10:00:05", f"{DAY} 10:00:06", 1, 1, id="1 s is 1 minute"),
    pytest.param(f"{DAY} 10:00:05", f"{DAY} 10:00:05", 0, 0, id="0 s is 0 minutes"),
    pytest.param(ms(f"{DAY} 10:00:05.900"), ms(f"{DAY} 10:01:05.100"), 60, 1, id="ms .900 to .100: CDR 60 s"),
    pytest.param(ms(f"{DAY} 10:00:05.100"), ms(f"{DAY} 10:01:05.900"), 60, 1, id="ms .100 to .900: 1, not 2"),
]


@pytest.mark.parametrize(("answered", "ended", "seconds", "minutes"), R4)
def test_r4_worked_examples(answered: str | int, ended: str | int, seconds: int, minutes: int) -> None:
    record = forwarded(usage(answered, ended))
    assert (record.quantity, record.units) == (seconds, minutes)
    assert talk_seconds(answered, ended) == seconds
    assert record.answered_at_s == cdr_seconds(f"{DAY} 10:00:05")
    assert record.increment_s == 60


def test_r4_an_unanswered_call_has_no_usage_record() -> None:
    assert usage(None, f"{DAY} 10:00:45") == []  # stateCode 8101: no fwdAnswerTime


def test_a_cdr_time_as_text_and_as_ms_are_the_same_second() -> None:
    assert cdr_seconds(f"{DAY} 10:00:05") == cdr_seconds(ms(f"{DAY} 10:00:05.999")) == ms(f"{DAY} 10:00:05") // 1000


def test_r5_every_answered_call_counts_forwarded_and_inbound_a_recorded_one_recording_too() -> None:
    plain = usage(f"{DAY} 10:00:05", f"{DAY} 10:02:05")
    recorded = usage(f"{DAY} 10:00:05", f"{DAY} 10:02:05", recorded=True)
    assert [(r.meter, r.units) for r in plain] == [(Meter.CALL_FORWARDED, 2), (Meter.CALL_INBOUND, 2)]
    assert [(r.meter, r.units) for r in recorded] == [(Meter.CALL_FORWARDED, 2), (Meter.CALL_INBOUND, 2),
                                                      (Meter.CALL_RECORDING, 2)]
    assert {(r.app_id, r.key, r.privacy_number, r.number_class) for r in recorded} == {
        (7, "icid-1", X, NumberClass.VIRTUAL)}


def test_a_calls_number_class_comes_from_its_number_type() -> None:
    assert forwarded(usage(f"{DAY} 10:00:05", f"{DAY} 10:00:35", number_type="carrier")).number_class \
        is NumberClass.CARRIER
    assert forwarded(usage(f"{DAY} 10:00:05", f"{DAY} 10:00:35", number="+8613800000001")).number_class \
        is NumberClass.CARRIER


def plan_with(increment_s: int, min_units: int) -> PricePlan:
    rate = Rate(from_decimal_string("0.01"), increment_s, min_units)
    rates = {(meter, cls): rate for meter in (Meter.CALL_FORWARDED, Meter.CALL_INBOUND, Meter.CALL_RECORDING)
             for cls in NumberClass}
    return PricePlan("per-second", "CNY", (PlanVersion(0, rates),))


@pytest.mark.parametrize(("seconds", "units"), [(0, 0), (1, 1), (5, 1), (6, 1), (7, 2), (12, 2), (13, 3),
                                                (61, 11), (3600, 600)])
def test_an_increment_of_6_s_counts_started_6_s(seconds: int, units: int) -> None:
    record = forwarded(usage(ms(f"{DAY} 10:00:00"), ms(f"{DAY} 10:00:00") + seconds * 1000, plan=plan_with(6, 0)))
    assert (record.quantity, record.units, record.increment_s) == (seconds, units, 6)


@pytest.mark.parametrize("seconds", [0, 1, 59, 60, 61, 3601])
def test_an_increment_of_1_s_counts_every_second(seconds: int) -> None:
    record = forwarded(usage(ms(f"{DAY} 10:00:00"), ms(f"{DAY} 10:00:00") + seconds * 1000, plan=plan_with(1, 0)))
    assert record.units == seconds


@pytest.mark.parametrize(("seconds", "units"), [(0, 1), (1, 1), (60, 1), (61, 2)])
def test_min_units_bills_an_answered_call_at_least_that_many(seconds: int, units: int) -> None:
    record = forwarded(usage(ms(f"{DAY} 10:00:00"), ms(f"{DAY} 10:00:00") + seconds * 1000, plan=plan_with(60, 1)))
    assert record.units == units


def test_min_units_never_bills_an_unanswered_call() -> None:
    assert usage(None, f"{DAY} 10:00:45", plan=plan_with(60, 1)) == []


def test_a_call_whose_end_reads_before_its_answer_is_0_s() -> None:
    assert forwarded(usage(f"{DAY} 10:00:05", f"{DAY} 10:00:04")).units == 0


def test_r6_a_call_across_utc_midnight_is_wholly_in_the_hour_it_ended() -> None:
    record = forwarded(usage("2026-11-30 23:58:30", "2026-12-01 00:01:10"))
    assert record.units == 3
    assert record.occurred_at_ms == ms("2026-12-01 00:01:10")
    assert record.hour_start_ms == ms("2026-12-01 00:00:00")


@pytest.mark.parametrize(("ended", "shanghai_month", "utc_month"), [
    ("2026-11-30 15:59:59", "2026-11", "2026-11"),  # 23:59:59 in Shanghai
    ("2026-11-30 16:00:00", "2026-12", "2026-11"),  # 00:00:00 on 1 December in Shanghai, still November in UTC
    ("2026-12-31 23:59:59", "2027-01", "2026-12"),
    ("2027-01-01 00:00:00", "2027-01", "2027-01"),
])
def test_r6_the_month_is_that_of_callendtime_in_the_billing_zone(ended: str, shanghai_month: str,
                                                                 utc_month: str) -> None:
    answered = ms(ended) - 90_000  # a call across the month end in one zone or the other
    in_shanghai = forwarded(usage(answered, ms(ended)))
    in_utc = forwarded(usage(answered, ms(ended), zone=ZoneInfo("UTC")))
    assert (in_shanghai.month, in_utc.month) == (shanghai_month, utc_month)
    assert in_shanghai.hour_start_ms == in_utc.hour_start_ms == ms(ended) - ms(ended) % 3_600_000  # hours are UTC


def test_usage_of_a_stored_cdr() -> None:
    session = CallSession(id="icid-9@privnum", app_id=3, mode=Mode.AXB, caller="+8613800000001", called=X,
                          started_at_ms=ms(f"{DAY} 10:00:00"), state=CallState.RELEASED,
                          callee="+8613900000002", forwarded_at_ms=ms(f"{DAY} 10:00:01"),
                          answered_at_ms=ms(f"{DAY} 10:00:05.900"), ended_at_ms=ms(f"{DAY} 10:01:05.100"),
                          recording=Recording("rec.wav", "bucket", "example.com", ms(f"{DAY} 10:00:06")))
    records = cdr_usage(Cdr.from_session(session), None, PLAN, SHANGHAI)
    assert [(r.app_id, r.key, r.meter, r.quantity, r.units) for r in records] == [
        (3, "icid-9", Meter.CALL_FORWARDED, 60, 1), (3, "icid-9", Meter.CALL_INBOUND, 60, 1),
        (3, "icid-9", Meter.CALL_RECORDING, 60, 1)]
    unanswered = CallSession(id="icid-10", app_id=3, mode=Mode.AXB, caller="+8613800000001", called=X,
                             started_at_ms=ms(f"{DAY} 10:00:00"), state=CallState.RELEASED,
                             ended_at_ms=ms(f"{DAY} 10:00:45"))
    assert cdr_usage(Cdr.from_session(unanswered), None, PLAN, SHANGHAI) == []
