"""The push outbox, seen by operators (the ``privnum pushes`` commands, later the console): list
pushes, show their attempts, replay a dead-lettered one with the same push id. Implements ``PushLog``."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from privnum.adapters.db.database import Conn, Database
from privnum.adapters.db.engine import with_retries
from privnum.domain.pushes import PushState
from privnum.service.ports import PushAttempt, PushRow

_PENDING, _DEAD = PushState.PENDING.value, PushState.DEAD.value

_REPLAY = text(
    f"UPDATE pushes SET state = '{_PENDING}', attempts = 0, next_attempt_at_ms = :now, lease_until_ms = NULL "
    f"WHERE id = :id AND state = '{_DEAD}'"
)
_FIND_BY_ID = text("SELECT id, state FROM pushes WHERE id = :id")
_FIND_BY_PUSH_ID = text("SELECT id, state FROM pushes WHERE push_id = :push_id")
_COLUMNS = (
    "SELECT p.id, p.push_id, a.app_key, p.kind, p.url, p.state, p.attempts, p.next_attempt_at_ms, "
    "p.lease_until_ms, p.batch_id, p.created_at_ms, p.delivered_at_ms, p.last_error"
)
_LIST = _COLUMNS + (
    " FROM pushes p LEFT JOIN apps a ON a.id = p.app_id WHERE 1 = 1{dead}{app} ORDER BY p.id DESC LIMIT :limit"
)
_ONE_BY_ID = text(_COLUMNS + ", p.body FROM pushes p LEFT JOIN apps a ON a.id = p.app_id WHERE p.id = :id")
_ONE_BY_PUSH_ID = text(_COLUMNS + ", p.body FROM pushes p LEFT JOIN apps a ON a.id = p.app_id "
                       "WHERE p.push_id = :push_id")
_LIST_PUSHES = {
    (dead, app): text(_LIST.format(dead=f" AND p.state = '{_DEAD}'" if dead else "",
                                   app=" AND a.app_key = :app_key" if app else ""))
    for dead in (False, True) for app in (False, True)
}
_ATTEMPTS = text(
    "SELECT push_row_id, at_ms, http_status, error, elapsed_ms FROM push_attempts WHERE push_row_id = :id ORDER BY id"
)


class SqlPushLog:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def list_pushes(self, *, dead_only: bool = False, app_key: str | None = None,
                          limit: int = 100) -> list[PushRow]:
        async with self.db.reading() as conn:
            params: dict[str, Any] = {"limit": limit}
            if app_key is not None:
                params["app_key"] = app_key
            rows = (await conn.execute(_LIST_PUSHES[(dead_only, app_key is not None)], params)).all()
        return [PushRow(*r) for r in rows]

    async def find(self, ref: str) -> tuple[PushRow, str] | None:
        async with self.db.reading() as conn:
            row = await _by_ref(conn, ref, _ONE_BY_ID, _ONE_BY_PUSH_ID)
        if row is None:
            return None
        *columns, body = row
        return PushRow(*columns), body

    async def attempts_of(self, row_id: int) -> list[PushAttempt]:
        async with self.db.reading() as conn:
            rows = (await conn.execute(_ATTEMPTS, {"id": row_id})).all()
        return [PushAttempt(int(r.at_ms), int(r.http_status), r.error, int(r.elapsed_ms)) for r in rows]

    async def replay(self, ref: str, now_ms: int) -> tuple[int | None, str | None]:
        """Make a dead push (numeric row id or push_id) pending again, attempts 0, due now, same push_id.
        Returns (row id, None) or (row id or None, why not)."""
        async def work() -> tuple[int | None, str | None]:
            async with self.db.transaction() as conn:
                row = await _by_ref(conn, ref, _FIND_BY_ID, _FIND_BY_PUSH_ID)
                if row is None:
                    return None, f"no push {ref}"
                if row.state != PushState.DEAD:
                    return row.id, f"push {row.id} is {row.state}, only dead pushes are replayed"
                await conn.execute(_REPLAY, {"id": row.id, "now": now_ms})
                return row.id, None

        return await with_retries(work)


async def _by_ref(conn: Conn, ref: str, by_id: Any, by_push_id: Any) -> Any:
    """The row a reference names: a numeric row id first, else a push id."""
    row = (await conn.execute(by_id, {"id": int(ref)})).first() if ref.isdigit() else None
    return row if row is not None else (await conn.execute(by_push_id, {"push_id": ref})).first()
