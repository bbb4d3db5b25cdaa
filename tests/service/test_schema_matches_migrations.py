"""The tables the code declares (``adapters/db/tables.py``) are the tables the migrations build: after
``upgrade head`` Alembic's autogenerate finds nothing to add, drop or change (on SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from privnum.adapters.db.engine import make_async_engine
from privnum.adapters.db.migrate import upgrade
from privnum.adapters.db.tables import metadata
from servers import BACKENDS, drop_database, fresh_database_url


def _differences(url: str) -> list:
    async def compare() -> list:
        engine = make_async_engine(url)
        async with engine.connect() as connection:
            found = await connection.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync, opts={"compare_type": False}),
                                              metadata))
        await engine.dispose()
        return found

    return asyncio.run(compare())


@pytest.mark.parametrize("backend", BACKENDS)
def test_upgraded_schema_is_the_declared_schema(backend: str) -> None:
    url = fresh_database_url(backend, Path(tempfile.mkdtemp(prefix="privnum-schema-")))
    try:
        upgrade(url)
        differences = _differences(url)
    finally:
        drop_database(url)
    assert differences == [], "tables.py and the migrations disagree:\n" + "\n".join(map(str, differences))
