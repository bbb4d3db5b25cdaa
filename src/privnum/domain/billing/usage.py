"""Usage records: what one call or one text counts on each meter, and the period it belongs to.

A call is rated from its CDR as the customer sees it (research/billing.md R-1…R-6): only a call whose forwarded
leg was answered counts; its talk time is ``callEndTime − fwdAnswerTime`` in the CDR's whole seconds; every
started increment counts, per call and per meter; it belongs to the UTC hour and the billing-zone month of its
``callEndTime``. A text counts the segments actually sent on (R-7). Each record is keyed by its app and the
call's ``icid`` or the text's ``smsIdentifier``, so a call or text ingested twice is one record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from privnum.domain.billing.meters import Meter, NumberClass, number_class_of
from privnum.domain.billing.plans import PricePlan, price_at
from privnum.domain.calls.cdr import Cdr
from privnum.domain.sms.results import SendResult

HOUR_MS = 3_600_000
CDR_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"  # huawei/times.py: UTC, truncated to the second
BILLED_SEND_RESULTS = frozenset({SendResult.SENT, SendResult.PARTLY_SENT})


@dataclass(frozen=True)
class UsageRecord:
    """One meter's count for one call or text, with what explains it.

    ``quantity`` is what was measured (talk seconds for a call meter, segments for a text), ``units`` what is
    billed (started increments, segments). ``occurred_at_ms`` is ``callEndTime`` as the CDR shows it (whole
    seconds) or the instant the gateway took the text; ``hour_start_ms`` its UTC hour, ``month`` (``YYYY-MM``)
    its month in the billing time zone.
    """

    app_id: int
    key: str  # the call's icid, or the text's smsIdentifier
    meter: Meter
    number_class: NumberClass
    privacy_number: str  # X (the CDR's bindNum), or the number a text was sent from
    quantity: int
    units: int
    occurred_at_ms: int
    hour_start_ms: int
    month: str
    answered_at_s: int | None = None  # fwdAnswerTime in whole UTC seconds
    ended_at_s: int | None = None  # callEndTime in whole UTC seconds
    increment_s: int | None = None  # the rate's increment the units were counted in
    send_result: int | None = None


def cdr_seconds(value: str | int) -> int:
    """Whole UTC seconds of a CDR time: its text (``yyyy-MM-dd HH:mm:ss``, UTC) or UTC ms, truncated to the second
    as the CDR shows it."""
    if isinstance(value, str):
        return int(datetime.strptime(value, CDR_TIME_FORMAT).replace(tzinfo=UTC).timestamp())
    return value // 1000


def talk_seconds(fwd_answer_time: str | int, call_end_time: str | int) -> int:
    """``callEndTime − fwdAnswerTime`` from the seconds the CDR shows (R-2): what a customer recomputes from the
    pushed CDR, and what X mode reports as ``callDuration``."""
    return max(0, cdr_seconds(call_end_time) - cdr_seconds(fwd_answer_time))


def hour_start_ms(at_ms: int) -> int:
    """The start of the UTC hour ``at_ms`` is in (settlement windows are UTC hours)."""
    return at_ms - at_ms % HOUR_MS


def month_of(at_ms: int, billing_zone: tzinfo) -> str:
    """``YYYY-MM`` of ``at_ms`` in the billing time zone (statements and rent are months there)."""
    return datetime.fromtimestamp(at_ms // 1000, billing_zone).strftime("%Y-%m")


def call_usage(*, app_id: int, icid: str, privacy_number: str, number_type: str | None,
               fwd_answer_time: str | int | None, call_end_time: str | int, recorded: bool,
               plan: PricePlan, billing_zone: tzinfo) -> list[UsageRecord]:
    """The usage of one call: none when the forwarded leg was not answered (no ``fwdAnswerTime``: ringing,
    refusals, arrears are free); else ``call.forwarded`` and ``call.inbound`` over the talk time, and
    ``call.recording`` too when the call was recorded (R-5). Units per the rate in force at ``callEndTime``."""
    if fwd_answer_time is None:
        return []
    answered_s, ended_s = cdr_seconds(fwd_answer_time), cdr_seconds(call_end_time)
    seconds = talk_seconds(fwd_answer_time, call_end_time)
    occurred_at_ms = ended_s * 1000
    number_class = number_class_of(privacy_number, number_type)
    meters = [Meter.CALL_FORWARDED, Meter.CALL_INBOUND] + ([Meter.CALL_RECORDING] if recorded else [])
    records = []
    for meter in meters:
        rate = price_at(plan, meter, number_class, occurred_at_ms)
        records.append(UsageRecord(
            app_id=app_id, key=icid, meter=meter, number_class=number_class, privacy_number=privacy_number,
            quantity=seconds, units=rate.units_for(seconds), occurred_at_ms=occurred_at_ms,
            hour_start_ms=hour_start_ms(occurred_at_ms), month=month_of(occurred_at_ms, billing_zone),
            answered_at_s=answered_s, ended_at_s=ended_s, increment_s=rate.increment_s))
    return records


def cdr_usage(cdr: Cdr, number_type: str | None, plan: PricePlan, billing_zone: tzinfo) -> list[UsageRecord]:
    """:func:`call_usage` of a CDR as the call core stores it (the ``cdrs`` table); ``number_type`` is that of
    the privacy number dialled (``cdr.called``, the CDR's ``bindNum``)."""
    return call_usage(app_id=cdr.app_id, icid=cdr.icid, privacy_number=cdr.called, number_type=number_type,
                      fwd_answer_time=cdr.answered_at_ms, call_end_time=cdr.ended_at_ms,
                      recorded=cdr.recording is not None, plan=plan, billing_zone=billing_zone)


def sms_usage(*, app_id: int, sms_id: str, privacy_number: str, number_type: str | None, segments: int,
              send_result: int | None, sent_at_ms: int, billing_zone: tzinfo) -> UsageRecord | None:
    """The usage of one text (``sms_messages``: ``segments`` is what ``splitNum`` reports, the segments sent on):
    ``sms.forwarded`` × segments when it was sent (``sendResult`` 0) or partly sent (9, its sent segments);
    None for any other result — frozen, no binding, discarded, timed out, refused … are free (R-7)."""
    if send_result not in BILLED_SEND_RESULTS or segments <= 0:
        return None
    return UsageRecord(
        app_id=app_id, key=sms_id, meter=Meter.SMS_FORWARDED,
        number_class=number_class_of(privacy_number, number_type), privacy_number=privacy_number,
        quantity=segments, units=segments, occurred_at_ms=sent_at_ms, hour_start_ms=hour_start_ms(sent_at_ms),
        month=month_of(sent_at_ms, billing_zone), send_result=send_result)
