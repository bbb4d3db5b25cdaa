"""What privnum pushes to customers' servers, before it is put on the wire.

A push is written to the outbox in the same transaction as the state change that caused it
and delivered at least once by the push worker. ``order_key`` keeps one call's pushes in order.

States of a push in the outbox: ``pending`` (waiting, or leased while its lease runs; "leased" is
only ever a shown state), ``delivered``, ``dead`` (the ladder is exhausted; replayable),
``batched`` (a CDR merged into another push) and ``failed`` (a Block callin that got no usable
answer; never retried).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

RETRY_LADDER_MINUTES = (1, 4, 9, 106, 203, 300)


class PushKind(StrEnum):
    CALL_EVENT = "call_event"
    CDR = "cdr"
    SMS_EVENT = "sms_event"
    NUMBER_STATUS = "number_status"
    BLOCK_CALLIN = "block_callin"
    BLOCK_SMS = "block_sms"


class PushState(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    DEAD = "dead"
    BATCHED = "batched"
    FAILED = "failed"


LEASED = "leased"  # shown for a pending push whose lease still runs; never stored


@dataclass(frozen=True)
class OutboundPush:
    app_id: int
    kind: PushKind
    url: str
    body: dict[str, Any]
    order_key: str | None = None
    push_id: str | None = field(default=None, compare=False)


def retry_delay_ms(failed_attempts: int, time_scale: float) -> int | None:
    """Delay before the next attempt after ``failed_attempts`` failures, counted from the last one;
    None once the ladder is exhausted (the push is then dead-lettered)."""
    if failed_attempts < 1 or failed_attempts > len(RETRY_LADDER_MINUTES):
        return None
    return int(RETRY_LADDER_MINUTES[failed_attempts - 1] * 60_000 * time_scale)
