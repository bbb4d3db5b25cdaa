"""Commands to live calls, as ``call_commands`` rows: the sender inserts one for the call's owner (the
``calls.owner`` instance), the owner takes its pending ones, carries them out and writes the outcome."""

from __future__ import annotations

from sqlalchemy import text

from privnum.adapters.db.database import Database
from privnum.adapters.db.engine import with_retries
from privnum.service.calls.ports import CallCommand, CommandOutcome

_OWNER = text("SELECT owner FROM calls WHERE id = :id AND app_id = :app_id AND state <> 'released'")
_SEND = text("INSERT INTO call_commands (owner, session_id, app_id, command, created_at_ms) "
             "VALUES (:owner, :session_id, :app_id, :command, :now) RETURNING id")
_OUTCOME = text("SELECT outcome FROM call_commands WHERE id = :id")
_PENDING = text("SELECT id, session_id, app_id, command FROM call_commands "
                "WHERE owner = :owner AND done_at_ms IS NULL ORDER BY id LIMIT 100")
_COMPLETE = text("UPDATE call_commands SET done_at_ms = :now, outcome = :outcome WHERE id = :id")
_FORGET = text("DELETE FROM call_commands WHERE done_at_ms IS NOT NULL AND done_at_ms < :before")


class SqlCallCommands:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def owner_of(self, session_id: str, app_id: int) -> str | None:
        async with self.db.reading() as conn:
            return (await conn.execute(_OWNER, {"id": session_id, "app_id": app_id})).scalar()

    async def send(self, owner: str, session_id: str, app_id: int, command: str, now_ms: int) -> int:
        async def work() -> int:
            async with self.db.transaction() as conn:
                return int((await conn.execute(_SEND, {"owner": owner, "session_id": session_id, "app_id": app_id,
                                                       "command": command, "now": now_ms})).scalar_one())

        return await with_retries(work)

    async def outcome_of(self, command_id: int) -> CommandOutcome | None:
        async with self.db.reading() as conn:
            raw = (await conn.execute(_OUTCOME, {"id": command_id})).scalar()
        return CommandOutcome(raw) if raw else None

    async def pending_for(self, owner: str) -> list[CallCommand]:
        async with self.db.reading() as conn:
            rows = (await conn.execute(_PENDING, {"owner": owner})).all()
        return [CallCommand(int(r.id), r.session_id, int(r.app_id), r.command) for r in rows]

    async def complete(self, command_id: int, outcome: CommandOutcome, now_ms: int) -> None:
        async def work() -> None:
            async with self.db.transaction() as conn:
                await conn.execute(_COMPLETE, {"id": command_id, "outcome": outcome.value, "now": now_ms})
                await conn.execute(_FORGET, {"before": now_ms - 3_600_000})  # keep an hour for inspection

        await with_retries(work)
