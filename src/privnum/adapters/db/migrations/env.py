"""Alembic environment: runs the migrations on privnum's async engine (SQLite or PostgreSQL).

On SQLite a migration in batch mode recreates tables that others reference (copy, drop, rename), which
foreign-key enforcement would refuse; so SQLite migrations run with ``foreign_keys=OFF`` (set when the
connection opens: the pragma is ignored inside a transaction) and check every foreign key before commit.

On PostgreSQL the migrations take a transaction-scoped advisory lock first: nodes started together on one
database each migrate it on start, and without the lock two of them would both create the first tables (one
fails on PostgreSQL's catalog). With it they take turns; the later ones find the schema at head and do nothing.
"""

from __future__ import annotations

import asyncio
from typing import Any

from alembic import context
from sqlalchemy import event

from privnum.adapters.db.engine import is_sqlite, make_async_engine
from privnum.adapters.db.tables import metadata

config = context.config
MIGRATION_LOCK = 0x70726976_6E756D  # "privnum": the advisory lock key every migrator of a database waits on


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    if connection.dialect.name == "postgresql":
        # held until the commit; alembic then sees the connection in a transaction and runs inside it
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
        if connection.dialect.name == "sqlite":
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
            if broken:
                raise RuntimeError(f"migration left rows whose foreign key points nowhere: {broken[:10]}")


async def _run_async() -> None:
    url = config.get_main_option("sqlalchemy.url")
    assert url, "alembic_config() sets sqlalchemy.url"
    engine = make_async_engine(url)
    if is_sqlite(url):

        @event.listens_for(engine.sync_engine, "connect")
        def _no_foreign_keys(dbapi_connection: Any, _record: Any) -> None:  # after tune_sqlite's listener
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=OFF")
            cursor.close()

    async with engine.connect() as connection:
        await connection.run_sync(_run)
        await connection.commit()
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(_run_async())
