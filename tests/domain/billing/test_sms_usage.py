"""A text's usage (research/billing.md R-7, R-8): the segments actually sent on, billed only when it was sent
(``sendResult`` 0) or partly sent (9); the segments are counted by the SMS relay's own counter."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from privnum.domain.billing.meters import Meter, NumberClass
from privnum.domain.billing.usage import UsageRecord, sms_usage
from privnum.domain.sms.results import SendResult
from privnum.domain.sms.segments import segment_count

SENT_AT = int(datetime(2026, 11, 30, 16, 30, 0, tzinfo=UTC).timestamp() * 1000)  # 00:30 on 1 Dec in Shanghai


def text_usage(send_result: int | None, segments: int = 2, number: str = "+8617000000001",
               number_type: str | None = None) -> UsageRecord | None:
    return sms_usage(app_id=7, sms_id="sms-1", privacy_number=number, number_type=number_type, segments=segments,
                     send_result=send_result, sent_at_ms=SENT_AT, billing_zone=ZoneInfo("Asia/Shanghai"))


def test_a_sent_text_counts_its_segments() -> None:
    record = text_usage(SendResult.SENT, segments=3)
    assert record is not None
    assert (record.app_id, record.key, record.meter, record.quantity, record.units, record.send_result) == (
        7, "sms-1", Meter.SMS_FORWARDED, 3, 3, 0)
    assert record.number_class is NumberClass.VIRTUAL
    assert record.occurred_at_ms == SENT_AT
    assert record.hour_start_ms == int(datetime(2026, 11, 30, 16, tzinfo=UTC).timestamp() * 1000)
    assert record.month == "2026-12"


def test_a_partly_sent_text_counts_the_segments_sent() -> None:
    record = text_usage(SendResult.PARTLY_SENT, segments=1)
    assert record is not None
    assert (record.units, record.send_result) == (1, 9)


@pytest.mark.parametrize("result", [r for r in SendResult if r not in (SendResult.SENT, SendResult.PARTLY_SENT)])
def test_a_text_not_sent_on_is_free(result: SendResult) -> None:
    assert text_usage(result) is None


def test_a_text_without_a_result_yet_or_with_no_segment_sent_is_free() -> None:
    assert text_usage(None) is None
    assert text_usage(SendResult.PARTLY_SENT, segments=0) is None


def test_a_text_from_a_carrier_number_is_priced_as_carrier() -> None:
    record = text_usage(SendResult.SENT, number="+8613800000001")
    assert record is not None and record.number_class is NumberClass.CARRIER


HAN = "中"


@pytest.mark.parametrize(("text", "segments"), [
    pytest.param(HAN * 70, 1, id="70 Chinese characters"),
    pytest.param(HAN * 71, 2, id="71 Chinese characters"),
    pytest.param(HAN * 134, 2, id="134 Chinese characters"),
    pytest.param(HAN * 135, 3, id="135 Chinese characters"),
    pytest.param("a" * 160, 1, id="160 ASCII"),
    pytest.param("a" * 161, 2, id="161 ASCII"),
    pytest.param("a" * 308, 2, id="308 ASCII"),
    pytest.param("a" * 309, 3, id="309 ASCII"),
    pytest.param("\U0001f600" * 35, 1, id="35 emoji are 70 UTF-16 units"),
    pytest.param("\U0001f600" * 36, 2, id="36 emoji are 72 UTF-16 units"),
    pytest.param("a" * 159 + HAN, 3, id="one Chinese character makes 160 characters UCS-2"),
])
def test_r8_examples_are_the_relays_segment_count(text: str, segments: int) -> None:
    assert segment_count(text) == segments
    record = text_usage(SendResult.SENT, segments=segment_count(text))
    assert record is not None and record.units == segments
