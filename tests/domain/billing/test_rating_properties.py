"""Properties of the rating rules (research/billing.md §3.2, §3.8) over any talk time and any amount."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from privnum.domain.billing.meters import Meter
from privnum.domain.billing.money import (
    MICROS_PER_CENT,
    from_decimal_string,
    to_cents,
    to_decimal_string,
    truncate_to_cents,
)
from privnum.domain.billing.plans import Rate, huawei_cn_plan
from privnum.domain.billing.usage import call_usage

PLAN = huawei_cn_plan(76_000)
START_MS = 1_796_000_000_000  # 2026-11-30 00:53:20 UTC; any instant will do
talk = st.integers(min_value=0, max_value=10 * 24 * 3600)
sub_second = st.integers(min_value=0, max_value=999)
increments = st.integers(min_value=1, max_value=3600)
micros = st.integers(min_value=-(10**15), max_value=10**15)


def forwarded_minutes(answered_ms: int, ended_ms: int) -> int:
    records = call_usage(app_id=1, icid="i", privacy_number="+8617000000001", number_type=None,
                         fwd_answer_time=answered_ms, call_end_time=ended_ms, recorded=False, plan=PLAN,
                         billing_zone=ZoneInfo("Asia/Shanghai"))
    return next(r.units for r in records if r.meter is Meter.CALL_FORWARDED)


@given(talk, talk)
def test_minutes_never_decrease_as_talk_time_grows(a: int, b: int) -> None:
    shorter, longer = sorted((a, b))
    assert forwarded_minutes(START_MS, START_MS + shorter * 1000) <= forwarded_minutes(START_MS,
                                                                                       START_MS + longer * 1000)


@given(talk, sub_second, sub_second)
def test_minutes_are_the_ceiling_of_the_cdr_seconds_over_60(seconds: int, answered_ms: int, ended_ms: int) -> None:
    minutes = forwarded_minutes(START_MS + answered_ms, START_MS + seconds * 1000 + ended_ms)
    assert minutes == -(-seconds // 60)
    assert minutes * 60 >= seconds > (minutes - 1) * 60 or seconds == minutes == 0


@given(talk, increments, st.integers(min_value=0, max_value=5))
def test_units_cover_the_talk_time_with_less_than_one_increment_to_spare(seconds: int, increment_s: int,
                                                                         min_units: int) -> None:
    units = Rate(1, increment_s, min_units).units_for(seconds)
    started = -(-seconds // increment_s)
    assert units == max(started, min_units)
    assert started * increment_s - increment_s < seconds <= started * increment_s or seconds == started == 0


@given(micros)
def test_money_reads_back_what_it_writes(amount: int) -> None:
    assert from_decimal_string(to_decimal_string(amount)) == amount


@given(micros, micros)
def test_parsed_amounts_add_exactly(a: int, b: int) -> None:
    assert from_decimal_string(to_decimal_string(a)) + from_decimal_string(to_decimal_string(b)) == \
        from_decimal_string(to_decimal_string(a + b))


@given(micros)
def test_cents_are_never_more_than_half_a_cent_away(amount: int) -> None:
    assert abs(to_cents(amount) * MICROS_PER_CENT - amount) <= MICROS_PER_CENT // 2


@given(micros)
def test_truncation_keeps_whole_cents_toward_zero_and_loses_nothing(amount: int) -> None:
    kept, dropped = truncate_to_cents(amount)
    assert kept + dropped == amount
    assert kept % MICROS_PER_CENT == 0
    assert abs(dropped) < MICROS_PER_CENT and abs(kept) <= abs(amount)
