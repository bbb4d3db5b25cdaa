"""Ports every feature shares, as protocols: apps for authentication, the authentication guard, and the
push outbox (the delivery side for the push worker and the Block decider, the operator's side for
listing and replay). adapters/db (or adapters/redis) implement them; bootstrap injects them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from privnum.domain.apps import App
from privnum.domain.pushes import LEASED, PushState


class AppDirectory(Protocol):
    """Read access to apps for authentication; cached by the adapter."""

    async def by_key(self, app_key: str) -> App | None: ...

    async def by_id(self, app_id: int) -> App | None: ...


class AuthGuard(Protocol):
    """Cross-process memory of nonces and authentication failures (database or Redis)."""

    async def is_banned(self, ip: str, now_ms: int) -> bool: ...

    async def record_failure(self, ip: str, now_ms: int) -> None: ...

    async def first_use_of_nonce(self, app_key: str, nonce: str, now_ms: int, ttl_ms: int) -> bool: ...

    async def forget_expired(self, now_ms: int) -> None:
        """Drop nonces, failures and bans that no longer matter (Redis expires them by itself)."""

    async def close(self) -> None: ...


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


@dataclass(frozen=True)
class PushAttempt:
    at_ms: int  # when it ended
    http_status: int  # 0 when no HTTP answer
    error: str | None
    elapsed_ms: int

