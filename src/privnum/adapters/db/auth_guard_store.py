"""Nonce replay and IP lockout memory in the database, shared by every privnum process.

Every request asks whether its IP is banned, so the active bans (a tiny table) are read at most
once per ``BAN_REFRESH_MS`` per process and answered from memory in between: a ban made by another
process takes effect here within that time; one made here, at once.
"""

from __future__ import annotations

from sqlalchemy import delete, func, insert, select, text

from privnum.adapters.db.database import Database
from privnum.adapters.db.tables import auth_failures, ip_bans, nonces

BAN_REFRESH_MS = 1000
_USE_NONCE_SQLITE = (
    "INSERT INTO nonces (app_key, nonce, expires_at_ms) VALUES (:app_key, :nonce, :expires) "
    "ON CONFLICT (app_key, nonce) DO UPDATE SET expires_at_ms = :expires WHERE nonces.expires_at_ms <= :now"
)
_USE_NONCE_PG = (
    "INSERT INTO nonces (app_key, nonce, expires_at_ms) VALUES ($1::text, $2::text, $3::bigint) "
    "ON CONFLICT (app_key, nonce) DO UPDATE SET expires_at_ms = $3::bigint WHERE nonces.expires_at_ms <= $4::bigint"
)
_ACTIVE_BANS = text("SELECT ip, until_ms FROM ip_bans WHERE until_ms > :now")


class SqlAuthGuard:
    def __init__(self, db: Database, failures: int, window_ms: int, ban_ms: int) -> None:
        self.db = db
        self.failures = failures
        self.window_ms = window_ms
        self.ban_ms = ban_ms
        self._bans: dict[str, int] = {}
        self._bans_read_at_ms = -BAN_REFRESH_MS

    async def is_banned(self, ip: str, now_ms: int) -> bool:
        if now_ms - self._bans_read_at_ms >= BAN_REFRESH_MS:
            # one read at a time: requests arriving meanwhile answer from the last one instead of all reading
            self._bans_read_at_ms = now_ms
            async with self.db.reading() as conn:
                rows = (await conn.execute(_ACTIVE_BANS, {"now": now_ms})).all()
            self._bans = {row.ip: row.until_ms for row in rows}
        return self._bans.get(ip, 0) > now_ms

    async def record_failure(self, ip: str, now_ms: int) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(insert(auth_failures).values(ip=ip, at_ms=now_ms))
            recent = (await conn.execute(
                select(func.count()).where(auth_failures.c.ip == ip, auth_failures.c.at_ms > now_ms - self.window_ms)
            )).scalar() or 0
            if recent >= self.failures:
                await conn.execute(delete(ip_bans).where(ip_bans.c.ip == ip))
                await conn.execute(insert(ip_bans).values(ip=ip, until_ms=now_ms + self.ban_ms))
                self._bans[ip] = now_ms + self.ban_ms
                await conn.execute(delete(auth_failures).where(auth_failures.c.ip == ip))

    async def first_use_of_nonce(self, app_key: str, nonce: str, now_ms: int, ttl_ms: int) -> bool:
        """Record the nonce; False when the same (APP_Key, Nonce) is still remembered. One atomic statement, on
        the driver's prepared statement (every signed request pays it)."""
        async with self.db.driver() as raw:
            if self.db.is_postgres:
                status = await raw.execute(_USE_NONCE_PG, app_key, nonce, now_ms + ttl_ms, now_ms)
                return bool(status == "INSERT 0 1")
            params = {"app_key": app_key, "nonce": nonce, "expires": now_ms + ttl_ms, "now": now_ms}
            return bool(raw.execute(_USE_NONCE_SQLITE, params).rowcount == 1)

    async def forget_expired(self, now_ms: int) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(delete(nonces).where(nonces.c.expires_at_ms <= now_ms))
            await conn.execute(delete(auth_failures).where(auth_failures.c.at_ms <= now_ms - self.window_ms))
            await conn.execute(delete(ip_bans).where(ip_bans.c.until_ms <= now_ms))

    async def close(self) -> None:
        """Nothing of its own to close: the database is the runtime's."""
