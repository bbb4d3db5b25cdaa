"""What push delivery needs from the outbox, as protocols; adapters/db implements them, bootstrap
injects them into the push worker and the Block decider (adapters never build each other)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from privnum.domain.pushes import LEASED, PushState


@dataclass(frozen=True)
class ClaimedPush:
    id: int
    push_id: str
    app_id: int
    kind: str
    url: str
    body: str
    attempts: int  # failed attempts before this one
    lease_until_ms: int
    app_key: str
    app_secret: str
    created_at_ms: int


@dataclass(frozen=True)
class Outcome:
    push: ClaimedPush
    ok: bool
    http_status: int  # 0 when no HTTP answer
    error: str | None
    at_ms: int  # when the attempt ended
    elapsed_ms: int


class Outbox(Protocol):
    """The delivery side: claim due pushes under a lease, record each attempt's outcome, and keep
    pushes sent once outside the outbox (Block callin exchanges)."""

    async def claim(self, now_ms: int, limit: int, lease_ms: int) -> list[ClaimedPush]: ...

    async def record(self, outcomes: Sequence[Outcome], time_scale: float) -> None: ...

    async def any_due(self, now_ms: int) -> bool: ...

    async def next_due_after(self, now_ms: int) -> int | None: ...

    async def log_finished(self, *, app_id: int, kind: str, url: str, body: str, push_id: str, ok: bool,
                           http_status: int, error: str | None, at_ms: int, elapsed_ms: int) -> int: ...


@dataclass(frozen=True)
class PushRow:
    id: int
    push_id: str
    app_key: str | None
    kind: str
    url: str
    state: str
    attempts: int
    next_attempt_at_ms: int
    lease_until_ms: int | None
    batch_id: int | None
    created_at_ms: int
    delivered_at_ms: int | None
    last_error: str | None

    def shown_state(self, now_ms: int) -> str:
        if self.state == PushState.PENDING and self.lease_until_ms is not None and self.lease_until_ms > now_ms:
            return LEASED
        return self.state


class PushLog(Protocol):
    """The operators' side: list pushes, their attempts, replay a dead one."""

    async def list_pushes(self, *, dead_only: bool = False, app_key: str | None = None,
                          limit: int = 100) -> list[PushRow]: ...

    async def attempts_of(self, row_id: int) -> list[tuple[int, int, str | None, int]]: ...

    async def replay(self, ref: str, now_ms: int) -> tuple[int | None, str | None]: ...
