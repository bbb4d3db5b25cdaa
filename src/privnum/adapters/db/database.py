"""One way for every store to open a transaction, whatever the database.

PostgreSQL runs on SQLAlchemy's async engine (asyncpg). SQLite runs on a synchronous sqlite3
engine driven from the event loop: a statement there costs microseconds, while a thread hop
per statement (aiosqlite) cost ten times the database's own work. The stores see the same
awaitable connection API either way (``execute``, ``begin_nested``). On SQLite, write
transactions of one process take turns on an asyncio lock, so they never wait on each other
inside sqlite3's busy handler; other processes are kept out by BEGIN IMMEDIATE.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Protocol

from sqlalchemy import Connection, Engine
from sqlalchemy.ext.asyncio import AsyncEngine

from privnum.adapters.db.engine import is_sqlite, make_async_engine, make_sqlite_engine


class Savepoint(Protocol):
    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...


class Conn(Protocol):
    """The part of SQLAlchemy's AsyncConnection the stores use."""

    async def execute(self, statement: Any, parameters: Any = None) -> Any: ...

    async def begin_nested(self) -> Savepoint: ...


class Database(Protocol):
    @property
    def is_postgres(self) -> bool:
        """Whether this is PostgreSQL (else SQLite): picks the dialect's statements, e.g. SKIP LOCKED."""
        ...

    def transaction(self) -> Any:
        """``async with db.transaction() as conn``: a write transaction, committed at the end."""

    def reading(self) -> Any:
        """``async with db.reading() as conn``: a read-only transaction."""

    def single_statement(self) -> Any:
        """``async with db.single_statement() as conn``: for one atomic write statement; on PostgreSQL in
        autocommit (one round trip instead of BEGIN, statement, COMMIT)."""

    def driver(self, *, read_only: bool = False) -> Any:
        """``async with db.driver() as raw``: the driver's own connection, for a hot path whose statements the
        driver prepares and caches (SQLAlchemy's per-statement work costs more than the database's there):
        asyncpg's, outside any transaction (each statement commits by itself); sqlite3's, inside one
        transaction (BEGIN IMMEDIATE, or BEGIN when ``read_only``) committed at the end, rolled back on an
        exception."""

    async def dispose(self) -> None: ...


class _SyncSavepoint:
    def __init__(self, transaction: Any) -> None:
        self.transaction = transaction

    async def commit(self) -> None:
        self.transaction.commit()

    async def rollback(self) -> None:
        self.transaction.rollback()


class _SyncConn:
    """An awaitable face on a synchronous Connection; nothing here ever yields to the loop."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def execute(self, statement: Any, parameters: Any = None) -> Any:
        if parameters is None:
            return self.conn.execute(statement)
        return self.conn.execute(statement, parameters)

    async def begin_nested(self) -> _SyncSavepoint:
        return _SyncSavepoint(self.conn.begin_nested())


class SqliteDatabase:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._writer = asyncio.Lock()
        self._raw_writer: Any = None

    @property
    def is_postgres(self) -> bool:
        return False

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[_SyncConn]:
        async with self._writer:
            with self.engine.begin() as conn:
                yield _SyncConn(conn)

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[_SyncConn]:
        with self.engine.connect() as conn:
            conn = conn.execution_options(privnum_read_only=True)
            with conn.begin():
                yield _SyncConn(conn)

    def single_statement(self) -> Any:
        return self.transaction()

    @asynccontextmanager
    async def driver(self, *, read_only: bool = False) -> AsyncIterator[Any]:
        if read_only:
            with self.engine.connect() as conn:
                async with self._driver_transaction(conn.connection.driver_connection, "BEGIN") as raw:
                    yield raw
            return
        async with self._writer:
            if self._raw_writer is None:  # writes take turns on the lock: one connection of their own serves them
                self._raw_writer = self.engine.raw_connection()
            async with self._driver_transaction(self._raw_writer.driver_connection, "BEGIN IMMEDIATE") as raw:
                yield raw

    @staticmethod
    @asynccontextmanager
    async def _driver_transaction(raw: Any, begin: str) -> AsyncIterator[Any]:
        raw.execute(begin)
        try:
            yield raw
        except BaseException:
            raw.execute("ROLLBACK")
            raise
        raw.execute("COMMIT")

    async def dispose(self) -> None:
        if self._raw_writer is not None:
            self._raw_writer.close()
            self._raw_writer = None
        self.engine.dispose()


class AsyncDatabase:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Any]:
        async with self.engine.begin() as conn:
            yield conn

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[Any]:
        async with self.engine.connect() as conn:
            yield conn

    @asynccontextmanager
    async def single_statement(self) -> AsyncIterator[Any]:
        async with self.engine.connect() as conn:
            yield await conn.execution_options(isolation_level="AUTOCOMMIT")

    @asynccontextmanager
    async def driver(self, *, read_only: bool = False) -> AsyncIterator[Any]:
        async with self.engine.connect() as conn:  # SQLAlchemy begins a transaction only when it executes
            yield (await conn.get_raw_connection()).driver_connection

    async def dispose(self) -> None:
        await self.engine.dispose()


def open_database(url: str) -> SqliteDatabase | AsyncDatabase:
    if is_sqlite(url):
        return SqliteDatabase(make_sqlite_engine(url))
    return AsyncDatabase(make_async_engine(url))
