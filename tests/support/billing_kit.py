"""Billing test helpers: SQL on the server's database, a tenant with a billing account, its balance as the CLI
prints it (checked against the cached balance)."""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import text

from privnum.adapters.db.engine import make_async_engine
from servers import Server

T = TypeVar("T")


def eventually(probe: Callable[[], T], done: Callable[[T], bool], timeout_s: float) -> T:
    """``probe()`` every 0.2 s until ``done`` holds of its result or ``timeout_s`` passed; its last result (the
    caller asserts on it, so a timeout fails with what was last seen)."""
    deadline = time.monotonic() + timeout_s
    while True:
        found = probe()
        if done(found) or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def sql(url: str, statement: str, **params: Any) -> list[Any]:
    """Run one statement on the server's database (committed); its rows, if any."""

    async def run() -> list[Any]:
        engine = make_async_engine(url)
        try:
            async with engine.begin() as conn:
                result = await conn.execute(text(statement), params)
                return list(result.all()) if result.returns_rows else []
        finally:
            await engine.dispose()

    return asyncio.run(run())


@dataclass(frozen=True)
class BilledTenant:
    name: str
    id: int


def billed_tenant(server: Server, minute_price: str, opening: str) -> BilledTenant:
    """A new tenant with a billing account on a new plan at ``minute_price`` a minute, topped up ``opening``."""
    name = f"bill-{uuid.uuid4().hex[:8]}"
    password = server.workdir / f"{name}.pw"
    password.write_text("a-long-password-1\n")
    server.cli("tenant", "create", name, "--admin", f"{name}-admin", "--password-file", str(password))
    tenant_id = sql(server.database_url, "SELECT id FROM tenants WHERE name = :n", n=name)[0][0]
    plan = f"plan-{name}"
    server.cli("billing", "plan", plan, "--minute-price", minute_price)
    server.cli("billing", "open", name, "--plan", plan)
    server.cli("billing", "topup", name, opening, "--note", "opening")
    return BilledTenant(name, tenant_id)


def give_app_to(server: Server, tenant: BilledTenant, app_key: str) -> None:
    """Move the app's enterprise under ``tenant`` (the CLI's apps belong to the operators' own enterprises)."""
    sql(server.database_url, "UPDATE enterprises SET tenant_id = :t WHERE id = "
        "(SELECT enterprise_id FROM apps WHERE app_key = :k)", t=tenant.id, k=app_key)


def balance(server: Server, tenant: BilledTenant) -> int:
    """The balance ``privnum billing balance`` prints, in micros; it must equal the cached balance in the DB."""
    out = server.cli("billing", "balance", tenant.name).stdout
    shown = re.search(r"balance (-?[0-9.]+) CNY", out)
    assert shown, out
    stored = sql(server.database_url, "SELECT balance_micros FROM billing_accounts WHERE tenant_id = :t",
                 t=tenant.id)[0][0]
    whole, _, fraction = shown.group(1).lstrip("-").partition(".")
    micros = int(whole) * 1_000_000 + int(fraction.ljust(6, "0") or 0)
    assert (-micros if shown.group(1).startswith("-") else micros) == stored
    return int(stored)


def standing(server: Server, tenant: BilledTenant) -> str:
    return str(sql(server.database_url, "SELECT standing FROM billing_accounts WHERE tenant_id = :t",
                   t=tenant.id)[0][0])
