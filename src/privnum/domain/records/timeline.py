"""A call's timeline from its CDR: call in, forwarded (call out), alerting, answer, disconnect, each at its
time, in order; the steps a call never reached are left out."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    event: str  # callin, callout, alerting, answer, disconnect (Huawei's eventType names)
    at_ms: int


def timeline(started_at_ms: int, forwarded_at_ms: int | None, alerting_at_ms: int | None,
             answered_at_ms: int | None, ended_at_ms: int) -> list[Step]:
    steps = [("callin", started_at_ms), ("callout", forwarded_at_ms), ("alerting", alerting_at_ms),
             ("answer", answered_at_ms), ("disconnect", ended_at_ms)]
    return [Step(event, at) for event, at in steps if at is not None]
