"""Migration 0003 on a database that already has accounts and apps made at revision 0002: SQLite (batch
mode) always, PostgreSQL too when PRIVNUM_TEST_POSTGRES_URL is set."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from privnum.adapters.db.database import open_database
from privnum.adapters.db.migrate import alembic_config
from privnum.bootstrap import build_operator
from privnum.config import Settings
from privnum.domain.access import Actor
from privnum.domain.apps import CallbackUrls
from privnum.domain.enterprises import AppQuotaReached
from privnum.domain.modes import Mode
from servers import BACKENDS, drop_database, fresh_database_url

CLI = Actor.cli()

NOW = 1_764_000_000_000


@pytest.fixture(params=BACKENDS)
async def url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    made = await asyncio.to_thread(fresh_database_url, request.param, tmp_path)
    try:
        yield made
    finally:
        await asyncio.to_thread(drop_database, made)


async def migrate(url: str, revision: str, *, down: bool = False) -> None:
    step = command.downgrade if down else command.upgrade
    await asyncio.to_thread(step, alembic_config(url), revision)


async def execute(url: str, *statements: tuple[str, dict[str, Any]]) -> None:
    db = open_database(url)
    try:
        async with db.transaction() as conn:
            for sql, params in statements:
                await conn.execute(text(sql), params)
    finally:
        await db.dispose()


async def rows(url: str, sql: str) -> list[tuple[Any, ...]]:
    db = open_database(url)
    try:
        async with db.reading() as conn:
            return [tuple(r) for r in (await conn.execute(text(sql))).all()]
    finally:
        await db.dispose()


# rows as privnum made them at 0002: ids from the sequences (a fresh database: 1, 2, ...)
_ACCOUNT_0002 = "INSERT INTO accounts (name, app_count, created_at_ms) VALUES (:name, :count, :now)"
_APP_0002 = ("INSERT INTO apps (account_id, name, mode, app_key, app_secret, push_number_status, created_at_ms, "
             "updated_at_ms) VALUES (:account, :name, 'AXB', :key, 'secret', false, :now, :now)")


async def test_accounts_with_apps_become_enterprises_with_a_quota(url: str) -> None:
    await migrate(url, "0002")
    await execute(
        url,
        (_ACCOUNT_0002, {"name": "acme", "count": 2, "now": NOW}),
        (_ACCOUNT_0002, {"name": "full", "count": 5, "now": NOW}),
        *[(_APP_0002, {"account": 1 if i <= 2 else 2, "name": f"a{i}", "key": f"key-{i}", "now": NOW})
          for i in range(1, 8)],
        ("INSERT INTO numbers (number, app_id, area_code, created_at_ms, updated_at_ms) "
         "VALUES ('+8617000000001', 1, '0755', :now, :now)", {"now": NOW}),
    )
    await migrate(url, "head")

    assert await rows(url, "SELECT id, name, app_count, app_quota, created_at_ms FROM enterprises ORDER BY id") == [
        (1, "acme", 2, 5, NOW), (2, "full", 5, 5, NOW)]
    assert await rows(url, "SELECT id, enterprise_id, app_key FROM apps ORDER BY id") == [
        (i, 1 if i <= 2 else 2, f"key-{i}") for i in range(1, 8)]
    assert await rows(url, "SELECT number, app_id FROM numbers") == [("+8617000000001", 1)]
    with pytest.raises(IntegrityError):  # the foreign key followed the rename
        await execute(url, (_APP_0002.replace("account_id", "enterprise_id"),
                            {"account": 42, "name": "orphan", "key": "key-99", "now": NOW}))
    with pytest.raises(IntegrityError):  # app_count <= app_quota
        await execute(url, ("UPDATE enterprises SET app_count = 6 WHERE name = 'full'", {}))

    async with build_operator(Settings.from_env(database_url=url)) as operator:
        made = [await operator.apps.create(CLI, enterprise="acme", name=f"n{i}", mode=Mode.AXB,
                                           callbacks=CallbackUrls())
                for i in range(3)]
        assert {a.enterprise_id for a in made} == {1}
        with pytest.raises(AppQuotaReached, match="'acme' already has 5 apps"):
            await operator.apps.create(CLI, enterprise="acme", name="n4", mode=Mode.AXB, callbacks=CallbackUrls())
        with pytest.raises(AppQuotaReached, match="'full' already has 5 apps"):
            await operator.apps.create(CLI, enterprise="full", name="f6", mode=Mode.AXB, callbacks=CallbackUrls())
        await operator.enterprises.set_app_quota(CLI, "full", 6)
        await operator.apps.create(CLI, enterprise="full", name="f6", mode=Mode.AXB, callbacks=CallbackUrls())
        fresh = await operator.enterprises.create(CLI, "newcomer")  # ids go on after the migrated rows
        assert fresh.id > 2 and fresh.app_quota == 5


async def test_downgrade_restores_accounts_while_every_enterprise_fits_five_apps(url: str) -> None:
    await migrate(url, "0002")
    await execute(url, (_ACCOUNT_0002, {"name": "acme", "count": 1, "now": NOW}),
                  (_APP_0002, {"account": 1, "name": "a1", "key": "key-1", "now": NOW}))
    await migrate(url, "head")
    await migrate(url, "0002", down=True)
    assert await rows(url, "SELECT id, name, app_count FROM accounts") == [(1, "acme", 1)]
    assert await rows(url, "SELECT id, account_id FROM apps") == [(1, 1)]
    await migrate(url, "head")
    await execute(url, ("UPDATE enterprises SET app_quota = 9, app_count = 6 WHERE id = 1", {}))
    with pytest.raises(RuntimeError, match="'acme' have more than 5 apps"):
        await migrate(url, "0002", down=True)
    assert await rows(url, "SELECT app_count, app_quota FROM enterprises") == [(6, 9)]
