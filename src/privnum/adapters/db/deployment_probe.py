"""``privnum doctor``'s look at the database: reachable (without creating it), its schema against the newest
migration, its clock against this machine's, and every callback URL the apps push to."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from privnum.adapters.db.engine import is_sqlite
from privnum.adapters.db.migrate import alembic_config
from privnum.adapters.db.tables import apps
from privnum.domain.health_checks import CallbackTarget, CheckResult, clock_check, fail, ok, schema_check

CONNECT_TIMEOUT_S = 5
_URL_COLUMNS = (("callback", apps.c.call_status_url), ("cdr", apps.c.cdr_url), ("sms", apps.c.sms_url),
                ("sms control", apps.c.sms_control_url), ("number status", apps.c.number_status_url))


def _safe(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


class DatabaseProbe:
    def __init__(self, url: str) -> None:
        self.url = url
        self._engine: AsyncEngine | None = None

    def _open(self) -> AsyncEngine:
        if self._engine is None:
            if is_sqlite(self.url):
                self._engine = create_async_engine(make_url(self.url).set(drivername="sqlite+aiosqlite"))
            else:
                self._engine = create_async_engine(self.url, connect_args={"timeout": CONNECT_TIMEOUT_S},
                                                   pool_size=1, max_overflow=0)
        return self._engine

    async def close(self) -> None:
        if self._engine is not None:
            await self._engine.dispose()

    async def reachable(self) -> list[CheckResult]:
        name = "database"
        if is_sqlite(self.url):
            path = make_url(self.url).database or ""
            if path != ":memory:" and not Path(path).is_file():
                return [fail(name, f"no SQLite database at {Path(path).resolve()}",
                             "set PRIVNUM_DATABASE_URL to the server's database, or run `privnum db upgrade` to "
                             "create it")]
        try:
            async with self._open().connect() as conn:
                version = (await conn.execute(text("SELECT sqlite_version()" if is_sqlite(self.url)
                                                   else "SHOW server_version"))).scalar()
        except Exception as error:
            return [fail(name, f"cannot connect to {_safe(self.url)}: {_first_line(error)}",
                         "start the database or correct PRIVNUM_DATABASE_URL (user, host, port, database name)")]
        kind = "SQLite" if is_sqlite(self.url) else "PostgreSQL"
        return [ok(name, f"{kind} {version} at {_safe(self.url)}")]

    async def schema(self) -> list[CheckResult]:
        script = ScriptDirectory.from_config(alembic_config(self.url))
        head = script.get_current_head() or ""
        async with self._open().connect() as conn:
            current = await conn.run_sync(lambda c: MigrationContext.configure(c).get_current_revision())
        try:
            known = current is None or script.get_revision(current) is not None
        except CommandError:
            known = False
        return [schema_check(current, head, known)]

    async def clock(self) -> list[CheckResult]:
        if is_sqlite(self.url):
            return [ok("clock skew", "SQLite runs on this machine's clock (check the other nodes' with NTP)")]
        async with self._open().connect() as conn:
            before = time.time()
            server = (await conn.execute(text("SELECT extract(epoch FROM clock_timestamp())"))).scalar_one()
            after = time.time()
        return [clock_check((before + after) / 2 - float(server), "the PostgreSQL server")]

    async def callback_targets(self) -> list[CallbackTarget]:
        query = select(apps.c.name, apps.c.app_key, *(column for _, column in _URL_COLUMNS)).order_by(apps.c.name)
        async with self._open().connect() as conn:
            rows = (await conn.execute(query)).all()
        return [CallbackTarget(row.name, row.app_key, kind, url) for row in rows
                for (kind, _), url in zip(_URL_COLUMNS, _urls(row), strict=True) if url]


def _urls(row: Any) -> list[str | None]:
    return [row.call_status_url, row.cdr_url, row.sms_url, row.sms_control_url, row.number_status_url]


def _first_line(error: BaseException) -> str:
    message = str(getattr(error, "orig", None) or error) or type(error).__name__
    return message.splitlines()[0]
