"""Engines for SQLite (embedded default) and PostgreSQL, and retry of transient write conflicts."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

T = TypeVar("T")

SQLITE_BUSY_TIMEOUT_MS = 5_000
_RETRYABLE_SQLSTATES = {"40001", "40P01"}  # serialization failure, deadlock detected


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _sqlite_url(url: str, driver: str) -> URL:
    parsed = make_url(url).set(drivername=driver)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    return parsed


def make_async_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    """An async engine (asyncpg for PostgreSQL, aiosqlite for SQLite; the latter for migrations only)."""
    if is_sqlite(url):
        engine = create_async_engine(_sqlite_url(url, "sqlite+aiosqlite"),
                                     connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        tune_sqlite(engine.sync_engine)
        return engine
    return create_async_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=False)


def make_sqlite_engine(url: str) -> Engine:
    """A synchronous sqlite3 engine: on SQLite a statement costs microseconds, far less than a thread hop."""
    engine = create_engine(_sqlite_url(url, "sqlite+pysqlite"),
                           connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False})
    tune_sqlite(engine)
    return engine


def tune_sqlite(engine: Engine) -> None:
    """WAL, NORMAL sync, a busy timeout, foreign keys, and explicit BEGINs: BEGIN IMMEDIATE for writes so
    concurrent writers (also from other processes) queue instead of failing on a lock upgrade."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        read_only = conn.get_execution_options().get("privnum_read_only", False)
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def is_transient(error: BaseException) -> bool:
    """A conflict worth retrying the whole transaction for: deadlock, serialization, SQLite busy."""
    if isinstance(error, DBAPIError):
        orig = getattr(error, "orig", None)
        sqlstate = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
        if sqlstate in _RETRYABLE_SQLSTATES:
            return True
        if isinstance(error, OperationalError) and "database is locked" in str(error):
            return True
    return False


async def with_retries(work: Callable[[], Awaitable[T]], attempts: int = 8) -> T:
    """Run ``work`` (one whole transaction) again when it failed on a transient conflict."""
    for attempt in range(attempts):
        try:
            return await work()
        except DBAPIError as error:
            if attempt == attempts - 1 or not is_transient(error):
                raise
            await asyncio.sleep(0.005 * (2**attempt))
    raise AssertionError("unreachable")
