"""One logical text on its way through privnum: its states and the gateway's reports on it.

received → sending → sent; or received → done (dropped, with its sendResult). A message is in doubt
while ``send_started_at_ms`` is set: a send was under way and its outcome is unknown (the process died).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class SmsState(StrEnum):
    RECEIVED = "received"  # recorded, not yet decided
    SENDING = "sending"  # decided; waiting for the gateway to take it
    SENT = "sent"  # the gateway took it
    DONE = "done"  # not forwarded (send_result says why)


SETTLED = (SmsState.SENT, SmsState.DONE)


class Delivery(StrEnum):
    """The gateway's latest word on a sent message."""

    BUFFERED = "buffered"
    ACCEPTED = "accepted"  # by the carrier (SMSC)
    DELIVERED = "delivered"  # to the handset
    UNDELIVERED = "undelivered"
    REJECTED = "rejected"  # by the carrier


FINAL = frozenset({Delivery.DELIVERED, Delivery.UNDELIVERED, Delivery.REJECTED})


def later_report(current: Delivery | None, new: Delivery) -> bool:
    """Whether ``new`` replaces ``current``: a final state is never overwritten (reports can arrive out of
    order: a carrier's acceptance after the handset's delivery)."""
    return current is None or current not in FINAL


@dataclass
class SmsMessage:
    id: int
    sms_id: str
    gateway: str
    gateway_ref: str
    sender: str
    x_number: str
    text: str
    received_at_ms: int
    state: SmsState
    lease_until_ms: int | None = None  # the claim that may write it (a worker's lease)
    app_id: int | None = None
    mode: str | None = None
    binding_id: str | None = None
    receiver: str | None = None
    from_number: str | None = None
    forwarded_text: str | None = None
    segments: int = 0
    direction: int | None = None
    user_data: str | None = None
    notification_mode: str | None = None
    send_result: int | None = None
    send_attempts: int = 0
    send_started_at_ms: int | None = None
    last_error: str | None = None
    delivery: Delivery | None = None
    delivery_detail: str | None = None
    finished_at_ms: int | None = None

    @property
    def in_doubt(self) -> bool:
        return self.state is SmsState.SENDING and self.send_started_at_ms is not None
