"""Nonce replay and IP lockout memory in the database, shared by every privnum process."""

from __future__ import annotations

from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import IntegrityError

from privnum.adapters.db.database import Database
from privnum.adapters.db.tables import auth_failures, ip_bans, nonces


class SqlAuthGuard:
    def __init__(self, db: Database, failures: int, window_ms: int, ban_ms: int) -> None:
        self.db = db
        self.failures = failures
        self.window_ms = window_ms
        self.ban_ms = ban_ms

    async def is_banned(self, ip: str, now_ms: int) -> bool:
        async with self.db.reading() as conn:
            until = (await conn.execute(select(ip_bans.c.until_ms).where(ip_bans.c.ip == ip))).scalar()
        return until is not None and until > now_ms

    async def record_failure(self, ip: str, now_ms: int) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(insert(auth_failures).values(ip=ip, at_ms=now_ms))
            recent = (await conn.execute(
                select(func.count()).where(auth_failures.c.ip == ip, auth_failures.c.at_ms > now_ms - self.window_ms)
            )).scalar() or 0
            if recent >= self.failures:
                await conn.execute(delete(ip_bans).where(ip_bans.c.ip == ip))
                await conn.execute(insert(ip_bans).values(ip=ip, until_ms=now_ms + self.ban_ms))
                await conn.execute(delete(auth_failures).where(auth_failures.c.ip == ip))

    async def first_use_of_nonce(self, app_key: str, nonce: str, now_ms: int, ttl_ms: int) -> bool:
        try:
            async with self.db.transaction() as conn:
                await conn.execute(insert(nonces).values(app_key=app_key, nonce=nonce, expires_at_ms=now_ms + ttl_ms))
        except IntegrityError:
            async with self.db.transaction() as conn:
                stale = await conn.execute(
                    delete(nonces).where(nonces.c.app_key == app_key, nonces.c.nonce == nonce,
                                         nonces.c.expires_at_ms <= now_ms)
                )
                if stale.rowcount == 1:
                    await conn.execute(insert(nonces).values(app_key=app_key, nonce=nonce,
                                                             expires_at_ms=now_ms + ttl_ms))
                    return True
            return False
        return True

    async def forget_expired(self, now_ms: int) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(delete(nonces).where(nonces.c.expires_at_ms <= now_ms))
            await conn.execute(delete(auth_failures).where(auth_failures.c.at_ms <= now_ms - self.window_ms))
            await conn.execute(delete(ip_bans).where(ip_bans.c.until_ms <= now_ms))
