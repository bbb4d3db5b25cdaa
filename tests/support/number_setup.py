"""Setting up the numbers area's tests from outside: stock in the inventory (the operator's CSV import) and an
approved order of a tenant's app (``enterprise_kit.tenant_app``)."""

from __future__ import annotations

import asyncio
import itertools
import random
from concurrent.futures import ThreadPoolExecutor

from enterprise_kit import TenantApp
from mgmt import MgmtClient
from servers import Server, new_numbers

_area_codes = itertools.count(random.randrange(1000, 5000))


def fresh_area_code() -> str:
    """A city code no other test stocks (stock is shared by every test of a server)."""
    return f"0{next(_area_codes)}"


async def _sql(url: str, statement: str, params: dict) -> list[tuple]:
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            result = await conn.execute(text(statement), params)
            return [tuple(r) for r in result.all()] if result.returns_rows else []
    finally:
        await engine.dispose()


def sql(server: Server, statement: str, **params: object) -> list[tuple]:
    """Run one statement on the server's database (in a thread of its own: browser tests run in an event loop)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, _sql(server.database_url, statement, params)).result()


def stock_csv(numbers: list[str], area_code: str, number_type: str = "virtual", city: str = "Shenzhen") -> str:
    return "number,area_code,city,type\n" + "".join(f"{n},{area_code},{city},{number_type}\n" for n in numbers)


def import_stock(operator: MgmtClient, count: int, area_code: str, number_type: str = "virtual",
                 city: str = "Shenzhen") -> list[str]:
    numbers = new_numbers(count)
    operator.ok("POST", "/admin/inventory:import",
                files={"file": ("stock.csv", stock_csv(numbers, area_code, number_type, city), "text/csv")})
    return numbers


def order(client: MgmtClient, app: TenantApp, lines: list[dict], **extra: object) -> dict:
    return client.ok("POST", "/number-orders", json={"enterprise_id": app.enterprise_id, "app_id": app.app_id,
                                                     "lines": lines, **extra})


def pending_review_id(operator: MgmtClient, order_id: int) -> int:
    latest = operator.ok("GET", f"/number-orders/{order_id}")["reviews"][0]
    assert latest["state"] == "pending", latest
    return int(latest["id"])


def approve(operator: MgmtClient, order_id: int) -> None:
    operator.ok("POST", f"/admin/reviews/{pending_review_id(operator, order_id)}/approve", json={})


def reject(operator: MgmtClient, order_id: int, reason_code: str = "no_stock_in_city") -> None:
    operator.ok("POST", f"/admin/reviews/{pending_review_id(operator, order_id)}/reject",
                json={"reason_code": reason_code})


def issued_order(operator: MgmtClient, client: MgmtClient, app: TenantApp, area_code: str, count: int) -> dict:
    """An order of ``count`` virtual numbers in ``area_code``, approved and issued from fresh stock."""
    import_stock(operator, count, area_code)
    placed = order(client, app, [{"area_code": area_code, "number_type": "virtual", "quantity": count}])
    approve(operator, placed["id"])
    return operator.ok("POST", f"/admin/number-orders/{placed['id']}/issue")
