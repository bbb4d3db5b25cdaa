"""Job leases in the database: a process takes a named lease when it is free, expired or already its own, with
one conditional UPDATE (or, for a lease never taken, an INSERT that loses quietly to a concurrent one)."""

from __future__ import annotations

from sqlalchemy import or_, text, update

from privnum.adapters.db.database import Database
from privnum.adapters.db.engine import with_retries
from privnum.adapters.db.tables import job_leases

_INSERT_LEASE = text("INSERT INTO job_leases (name, holder, lease_until_ms) VALUES (:name, :holder, :until) "
                     "ON CONFLICT (name) DO NOTHING")


class SqlJobLeases:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def take(self, name: str, holder: str, until_ms: int, now_ms: int) -> bool:
        """Hold ``name`` until ``until_ms`` if it is free, expired at ``now_ms`` or held by ``holder``; whether
        ``holder`` holds it now."""

        async def attempt() -> bool:
            async with self.db.transaction() as conn:
                held = await conn.execute(
                    update(job_leases)
                    .where(job_leases.c.name == name,
                           or_(job_leases.c.holder == holder, job_leases.c.lease_until_ms < now_ms))
                    .values(holder=holder, lease_until_ms=until_ms))
                if held.rowcount:
                    return True
                inserted = await conn.execute(_INSERT_LEASE, {"name": name, "holder": holder, "until": until_ms})
                return bool(inserted.rowcount)

        return await with_retries(attempt)

    async def release(self, name: str, holder: str) -> None:
        """Give ``name`` up if ``holder`` holds it, so another process need not wait for it to expire."""

        async def attempt() -> None:
            async with self.db.transaction() as conn:
                await conn.execute(update(job_leases)
                                   .where(job_leases.c.name == name, job_leases.c.holder == holder)
                                   .values(lease_until_ms=0))

        await with_retries(attempt)

    async def holder(self, name: str, now_ms: int) -> str | None:
        """Who holds ``name`` at ``now_ms``; None when nobody does."""
        async with self.db.reading() as conn:
            row = (await conn.execute(job_leases.select().where(job_leases.c.name == name))).first()
        return row.holder if row is not None and row.lease_until_ms >= now_ms else None
