"""What the core counts for operations (``/metrics``), as a port: the use cases and workers call a ``Meter``,
``adapters/metrics`` turns the calls into Prometheus series. ``NO_METER`` counts nothing (tests, the CLI).

What lives in the database instead of a process (queues, dead letters, live calls, unsettled usage) is read at
scrape time as an ``OperationsCensus``; ``Census`` is the port that takes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


class Meter(Protocol):
    def bind_answered(self, mode: str, result_code: str) -> None:
        """A bind request of ``mode`` was answered with Huawei's ``result_code`` ("0": bound)."""

    def call_set_up(self, mode: str) -> None:
        """A call arrived for a number of an app of ``mode`` and was saved (one call setup)."""

    def call_ended(self, mode: str, outcome: str, cause: int) -> None:
        """A call ended and its CDR was saved: ``outcome`` answered | unanswered | refused, Huawei's ``cause``."""

    def push_attempted(self, kind: str, ok: bool, dead: bool, latency_s: float | None) -> None:
        """One delivery attempt of a push of ``kind``; ``dead``: it was the last the ladder allows;
        ``latency_s``: enqueue to delivery, when this attempt delivered it."""

    def sms_finished(self, send_result: int) -> None:
        """A text reached its Huawei ``sendResult`` (0: relayed)."""


class NoMeter:
    def bind_answered(self, mode: str, result_code: str) -> None:
        pass

    def call_set_up(self, mode: str) -> None:
        pass

    def call_ended(self, mode: str, outcome: str, cause: int) -> None:
        pass

    def push_attempted(self, kind: str, ok: bool, dead: bool, latency_s: float | None) -> None:
        pass

    def sms_finished(self, send_result: int) -> None:
        pass


NO_METER: Meter = NoMeter()


@dataclass(frozen=True)
class AppQueue:
    pending: int  # pushes waiting for delivery (leased ones included)
    oldest_pending_age_s: float  # since the oldest of them was enqueued; 0 when none
    dead: int  # dead letters kept for replay


@dataclass(frozen=True)
class OperationsCensus:
    """The database's side of the metrics, read in one short query per figure."""

    queues: dict[str, AppQueue] = field(default_factory=dict)  # by app key
    live_calls: int = 0  # calls not yet released, on every node
    settlement_lag_s: float = 0.0  # age of the oldest usage record not yet settled; 0 when none


class Census(Protocol):
    async def read(self, now_ms: int) -> OperationsCensus: ...
