"""Platform settings an operator changes at run time (auto-approval per review kind), as key/value rows."""

from __future__ import annotations

from sqlalchemy import insert, select, update

from privnum.adapters.db.database import Conn
from privnum.adapters.db.tables import platform_settings


class SettingsRows:
    conn: Conn

    async def setting(self, key: str) -> str | None:
        row = (await self.conn.execute(select(platform_settings.c.value).where(platform_settings.c.key == key))).first()
        return row[0] if row else None

    async def put_setting(self, key: str, value: str, now_ms: int) -> None:
        done = await self.conn.execute(update(platform_settings).where(platform_settings.c.key == key)
                                       .values(value=value, updated_at_ms=now_ms))
        if done.rowcount == 0:
            await self.conn.execute(insert(platform_settings).values(key=key, value=value, updated_at_ms=now_ms))
