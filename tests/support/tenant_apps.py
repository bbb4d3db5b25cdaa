"""Test setup: an app owned by a tenant. Until ``POST /mgmt/v1/apps`` (the enterprises/apps area) is on main, the
CLI makes the app and one SQL UPDATE gives its enterprise to the tenant; switch ``tenant_app`` to the API then."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import text

from privnum.adapters.db.database import open_database
from servers import Server


def sql(server: Server, statement: str, **params: Any) -> list[tuple[Any, ...]]:
    """Run one statement on the server's database (its own transaction); the rows, if any."""
    async def run() -> list[tuple[Any, ...]]:
        db = open_database(server.database_url)
        try:
            async with db.transaction() as conn:
                result = await conn.execute(text(statement), params)
                return [tuple(r) for r in result.all()] if result.returns_rows else []
        finally:
            await db.dispose()

    return asyncio.run(run())


def tenant_app(server: Server, tenant_id: int, *extra: str, mode: str = "AXB") -> tuple[str, str, int]:
    """(app_key, app_secret, app id) of a new app of tenant ``tenant_id``."""
    key, secret = server.create_app(mode, *extra)
    sql(server, "UPDATE enterprises SET tenant_id = :tenant WHERE id = (SELECT enterprise_id FROM apps "
                "WHERE app_key = :key)", tenant=tenant_id, key=key)
    [(app_id,)] = sql(server, "SELECT id FROM apps WHERE app_key = :key", key=key)
    return key, secret, int(app_id)
