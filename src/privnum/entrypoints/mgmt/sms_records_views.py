"""JSON shape of an SMS record (短信详单): one relayed message, its sendResult with Huawei's description."""

from __future__ import annotations

from pydantic import BaseModel

from privnum.domain.records.sms_results import send_result_text
from privnum.service.management.sms_records_ports import SmsRow


class SmsRecordView(BaseModel):
    sms_id: str  # smsIdentifier, as in the SMS pushes
    app_id: int | None  # None: the text went to nobody's number (operators only see those)
    app_name: str | None
    mode: str | None
    binding_id: str | None  # subscriptionId of the binding that decided
    sender: str
    x: str  # the privacy number the text was sent to
    receiver: str | None  # whom it was forwarded to; None when it was not
    from_number: str | None  # the privacy number it was sent from (X, or a Y in AXYB)
    segments: int  # splitNum
    direction: int | None  # 0 someone → A, 1 A → someone, 2 unknown
    state: str  # received, sending, sent, done
    send_result: int | None  # Huawei's sendResult 0–13; None while not settled
    send_result_text: str
    notification_mode: str | None  # Block when the customer was asked
    delivery: str | None  # the gateway's latest report: buffered, accepted, delivered, undelivered, rejected
    delivery_at_ms: int | None
    received_at_ms: int
    finished_at_ms: int | None


def sms_record_view(row: SmsRow) -> SmsRecordView:
    return SmsRecordView(sms_id=row.sms_id, app_id=row.app_id, app_name=row.app_name, mode=row.mode,
                         binding_id=row.binding_id, sender=row.sender, x=row.x, receiver=row.receiver,
                         from_number=row.from_number, segments=row.segments, direction=row.direction,
                         state=row.state, send_result=row.send_result,
                         send_result_text=send_result_text(row.send_result),
                         notification_mode=row.notification_mode, delivery=row.delivery,
                         delivery_at_ms=row.delivery_at_ms, received_at_ms=row.received_at_ms,
                         finished_at_ms=row.finished_at_ms)
