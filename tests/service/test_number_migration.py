"""Migration 0009 (number inventory, orders, releases, locks): up, down and up again, and the schema it makes is
the one ``tables.py`` declares."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import create_async_engine

from privnum.adapters.db.migrate import alembic_config
from privnum.adapters.db.tables import metadata
from servers import BACKENDS, drop_database, fresh_database_url

OURS = {"numbers", "number_orders", "number_order_lines", "number_releases"}


async def _inspect(url: str) -> tuple[set[str], set[str], list]:
    def look(sync_conn):  # type: ignore[no-untyped-def]
        inspector = inspect(sync_conn)
        diffs = compare_metadata(MigrationContext.configure(sync_conn), metadata)
        return set(inspector.get_table_names()), {c["name"] for c in inspector.get_columns("numbers")}, diffs

    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(look)
    finally:
        await engine.dispose()


def _touches_ours(diff: object) -> bool:
    text_ = repr(diff)
    return any(f"'{name}'" in text_ or f"{name}." in text_ or f"table_name='{name}'" in text_ for name in OURS)


@pytest.mark.parametrize("backend", BACKENDS)
def test_migration_0009_up_down_up_matches_the_tables(backend: str, tmp_path: Path) -> None:
    url = fresh_database_url(backend, tmp_path)
    try:
        command.upgrade(alembic_config(url), "head")
        tables, columns, diffs = asyncio.run(_inspect(url))
        assert {"number_orders", "number_order_lines", "number_releases"} <= tables
        assert {"number_type", "city", "order_id", "issued_at_ms", "released_at_ms", "locked"} <= columns
        assert [d for d in diffs if _touches_ours(d)] == []
        command.downgrade(alembic_config(url), "0008")
        tables, columns, _ = asyncio.run(_inspect(url))
        assert "number_orders" not in tables and "locked" not in columns
        command.upgrade(alembic_config(url), "head")
        assert "locked" in asyncio.run(_inspect(url))[1]
    finally:
        if backend != "sqlite":
            drop_database(url)

