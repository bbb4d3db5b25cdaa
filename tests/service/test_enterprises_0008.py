"""Migration 0008 on a database with enterprises made at 0007 (from the CLI): they stay approved with no tenant,
names become unique per tenant while the operators' own stay unique by name (NULL tenants must collide too),
and the way back works while no two enterprises share a name. SQLite always, PostgreSQL when configured."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError
from test_enterprises_migration import NOW, execute, migrate, rows

from servers import BACKENDS, drop_database, fresh_database_url

_ENTERPRISE = ("INSERT INTO enterprises (name, app_count, app_quota, created_at_ms, tenant_id) "
               "VALUES (:name, 0, 5, :now, :tenant)")


@pytest.fixture(params=BACKENDS)
async def url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    made = await asyncio.to_thread(fresh_database_url, request.param, tmp_path)
    try:
        yield made
    finally:
        await asyncio.to_thread(drop_database, made)


async def test_names_unique_per_tenant_and_among_operators_own(url: str) -> None:
    await migrate(url, "0007")
    await execute(url, (_ENTERPRISE, {"name": "acme", "now": NOW, "tenant": None}))
    await migrate(url, "head")
    assert await rows(url, "SELECT name, status, tenant_id, credit_code FROM enterprises") == [
        ("acme", "approved", None, None)]
    with pytest.raises(IntegrityError):  # two operators' enterprises of one name
        await execute(url, (_ENTERPRISE, {"name": "acme", "now": NOW, "tenant": None}))
    await execute(url, (_ENTERPRISE, {"name": "acme", "now": NOW, "tenant": 1}),
                  (_ENTERPRISE, {"name": "acme", "now": NOW, "tenant": 2}))
    with pytest.raises(IntegrityError):  # one tenant's two of one name
        await execute(url, (_ENTERPRISE, {"name": "acme", "now": NOW, "tenant": 1}))
    with pytest.raises(IntegrityError):  # app_count <= app_quota survived the table's rebuild
        await execute(url, ("UPDATE enterprises SET app_count = 6 WHERE tenant_id IS NULL", {}))
    with pytest.raises(RuntimeError, match="'acme' share their name"):
        await migrate(url, "0007", down=True)
    await execute(url, ("DELETE FROM enterprises WHERE tenant_id IS NOT NULL", {}))
    await migrate(url, "0007", down=True)
    with pytest.raises(IntegrityError):  # globally unique again
        await execute(url, (_ENTERPRISE, {"name": "acme", "now": NOW, "tenant": 3}))
