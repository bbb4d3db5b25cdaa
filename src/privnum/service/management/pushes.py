"""Pushes as the operator sees them: list (dead letters too), replay a dead one with the same push id."""

from __future__ import annotations

from dataclasses import dataclass, replace

from privnum.domain.operator_errors import OperatorError
from privnum.service.clock import now_ms
from privnum.service.ports import PushAttempt, PushLog, PushRow


@dataclass(frozen=True)
class PushDetail:
    push: PushRow
    body: str
    attempts: list[PushAttempt]


class Pushes:
    def __init__(self, log: PushLog) -> None:
        self.log = log

    async def list(self, *, dead_only: bool = False, app_key: str | None = None, limit: int = 100
                   ) -> list[PushRow]:
        """Newest first, at most ``limit``; only dead-lettered ones, or only one app's (by APP_Key), on request.
        ``state`` as shown: ``leased`` while a worker holds a pending push."""
        rows = await self.log.list_pushes(dead_only=dead_only, app_key=app_key, limit=limit)
        now = now_ms()
        return [replace(r, state=r.shown_state(now)) for r in rows]

    async def show(self, ref: str) -> PushDetail:
        """One push (row id or push id): as listed, its body as sent, and every delivery attempt."""
        found = await self.log.find(ref)
        if found is None:
            raise OperatorError(f"no push {ref}; `privnum pushes list` shows the newest ones")
        row, body = found
        return PushDetail(replace(row, state=row.shown_state(now_ms())), body, await self.log.attempts_of(row.id))

    async def replay(self, ref: str) -> int:
        """Send a dead-lettered push (row id or push id) again from the start of the retry ladder; its row id."""
        row_id, problem = await self.log.replay(ref, now_ms())
        if problem or row_id is None:
            raise OperatorError(problem or f"no push {ref}")
        return row_id
