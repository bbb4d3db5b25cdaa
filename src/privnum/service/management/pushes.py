"""Pushes as the operator sees them: list (dead letters too), replay a dead one with the same push id."""

from __future__ import annotations

from dataclasses import dataclass

from privnum.domain.operator_errors import OperatorError
from privnum.service.clock import now_ms
from privnum.service.management.ports import PushLog


@dataclass(frozen=True)
class PushEntry:
    """One listed push; ``state`` as shown: ``leased`` while a worker holds a pending push."""

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


class Pushes:
    def __init__(self, log: PushLog) -> None:
        self.log = log

    async def list(self, *, dead_only: bool = False, app_key: str | None = None, limit: int = 100
                   ) -> list[PushEntry]:
        """Newest first, at most ``limit``; only dead-lettered ones, or only one app's (by APP_Key), on request."""
        rows = await self.log.list_pushes(dead_only=dead_only, app_key=app_key, limit=limit)
        now = now_ms()
        return [PushEntry(r.id, r.push_id, r.app_key, r.kind, r.url, r.shown_state(now), r.attempts,
                          r.next_attempt_at_ms, r.lease_until_ms, r.batch_id, r.created_at_ms, r.delivered_at_ms,
                          r.last_error) for r in rows]

    async def replay(self, ref: str) -> int:
        """Send a dead-lettered push (row id or push id) again from the start of the retry ladder; its row id."""
        row_id, problem = await self.log.replay(ref, now_ms())
        if problem or row_id is None:
            raise OperatorError(problem or f"no push {ref}")
        return row_id
