"""Billing notifications seen from the deliverer's side (``NoticeOutbox``): claim the undelivered ones that are
due under a lease, then record each attempt. Claiming moves ``next_attempt_at_ms`` to the lease's end, so a
notification whose deliverer died (kill -9) falls due again by itself: delivered at least once. PostgreSQL claims
with ``FOR UPDATE SKIP LOCKED``; SQLite has one writer at a time, so a claim there is one already."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import text

from privnum.adapters.db.database import Database
from privnum.adapters.db.engine import with_retries
from privnum.domain.pushes import RETRY_LADDER_MINUTES, retry_delay_ms
from privnum.service.billing.notice_ports import ClaimedNotice, NoticeOutcome

_DUE = ("SELECT id, key, body, attempts FROM billing_notifications WHERE delivered_at_ms IS NULL "
        "AND next_attempt_at_ms <= :now ORDER BY next_attempt_at_ms, id LIMIT :limit")
_DUE_SQLITE = text(_DUE)
_DUE_PG = text(_DUE + " FOR UPDATE SKIP LOCKED")
_LEASE = text("UPDATE billing_notifications SET next_attempt_at_ms = :lease WHERE id = :id")
_DELIVERED = text("UPDATE billing_notifications SET delivered_at_ms = :at, attempts = attempts + 1, "
                  "last_error = NULL WHERE id = :id AND delivered_at_ms IS NULL")
_FAILED = text("UPDATE billing_notifications SET attempts = attempts + 1, next_attempt_at_ms = :next, "
               "last_error = :error WHERE id = :id AND delivered_at_ms IS NULL AND next_attempt_at_ms = :lease")
_NEXT_DUE = text("SELECT min(next_attempt_at_ms) FROM billing_notifications WHERE delivered_at_ms IS NULL")


def retry_after_ms(failed_attempts: int, time_scale: float) -> int:
    """The push ladder's delay after ``failed_attempts`` failures, its last rung once past its end."""
    return retry_delay_ms(min(failed_attempts, len(RETRY_LADDER_MINUTES)), time_scale) or 0


class SqlNoticeOutbox:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def claim(self, now_ms: int, limit: int, lease_ms: int) -> Sequence[ClaimedNotice]:
        lease = now_ms + lease_ms

        async def attempt() -> list[ClaimedNotice]:
            async with self.db.transaction() as conn:
                due = _DUE_PG if self.db.is_postgres else _DUE_SQLITE
                rows = (await conn.execute(due, {"now": now_ms, "limit": limit})).all()
                for row in rows:
                    await conn.execute(_LEASE, {"lease": lease, "id": row.id})
                return [ClaimedNotice(row.id, row.key, row.body, row.attempts, lease) for row in rows]

        return await with_retries(attempt)

    async def record(self, outcomes: Sequence[NoticeOutcome], time_scale: float) -> None:
        async def attempt() -> None:
            async with self.db.transaction() as conn:
                for outcome in outcomes:
                    claimed = outcome.notice
                    if outcome.delivered:
                        await conn.execute(_DELIVERED, {"at": outcome.at_ms, "id": claimed.id})
                        continue
                    delay = retry_after_ms(claimed.attempts + 1, time_scale)
                    await conn.execute(_FAILED, {"next": outcome.at_ms + delay, "error": (outcome.error or "")[:500],
                                                 "id": claimed.id, "lease": claimed.lease_until_ms})

        await with_retries(attempt)

    async def next_due(self) -> int | None:
        """When the earliest undelivered notification is due (None: none is). A read."""
        async with self.db.reading() as conn:
            return (await conn.execute(_NEXT_DUE)).scalar()
