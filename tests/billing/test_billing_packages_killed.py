"""kill -9 while a settlement draws a package loses and doubles nothing (issue 15, billing.md R-16/R-17): a tenant
with a package of N minutes and many more one-minute usage records in one hour; ``privnum billing settle --hour H``
is SIGKILLed while it writes the tenant's window, then run again. The package was drawn exactly N (never more, never
twice), the rest was charged pay-as-you-go once, every record settled once, the ledger balances.

The records are written straight into ``usage_records`` (the rows ingestion writes), so the test needs no calls."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sqlite3
import subprocess
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import test_billing_packages_cli as packages_cli
from sqlalchemy import text
from test_billing_packages_cli import sql

from privnum.adapters.db.engine import make_async_engine
from servers import PRIVNUM, Server, new_numbers

RECORDS = 30_000
QUOTA = 12_000
MINUTE_PRICE = 100_000
cli = packages_cli.cli  # the fixture: the privnum command on a fresh database per backend


def insert_many(url: str, statement: str, rows: list[dict[str, Any]]) -> None:
    async def run() -> None:
        engine = make_async_engine(url)
        try:
            async with engine.begin() as conn:
                await conn.execute(text(statement), rows)
        finally:
            await engine.dispose()

    asyncio.run(run())


def writing(server: Server) -> bool:
    """Whether another process is inside a write transaction on the database now."""
    url = server.database_url
    if url.startswith("sqlite"):
        with contextlib.closing(sqlite3.connect(url.partition(":///")[2], timeout=0, isolation_level=None)) as conn:
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError:
                return True
            conn.execute("ROLLBACK")
            return False
    busy = sql(url, "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() "
               "AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL")
    return bool(busy[0][0])


def test_a_settlement_killed_while_drawing_a_package_and_run_again_draws_it_once(cli: Server) -> None:
    tenant = f"pkgkill-{uuid.uuid4().hex[:8]}"
    password = cli.workdir / "kill-admin.pw"
    password.write_text("a-long-password-1\n")
    cli.cli("tenant", "create", tenant, "--admin", f"{tenant}-admin", "--password-file", str(password))
    enterprise = f"ent-{tenant}"
    cli.cli("app", "create", "--name", "app", "--mode", "AXB", "--enterprise", enterprise)
    app_id = sql(cli.database_url, "SELECT a.id FROM apps a JOIN enterprises e ON e.id = a.enterprise_id "
                 "WHERE e.name = :e", e=enterprise)[0][0]
    app_key = sql(cli.database_url, "SELECT app_key FROM apps WHERE id = :a", a=app_id)[0][0]
    x = new_numbers(1)[0]
    cli.add_numbers(app_key, "0755", [x])
    tenant_id = sql(cli.database_url, "SELECT id FROM tenants WHERE name = :n", n=tenant)[0][0]
    sql(cli.database_url, "UPDATE enterprises SET tenant_id = :t WHERE name = :e", t=tenant_id, e=enterprise)
    cli.cli("billing", "plan", f"plan-{tenant}", "--minute-price", "0.1")
    cli.cli("billing", "open", tenant, "--plan", f"plan-{tenant}")
    cli.cli("billing", "topup", tenant, "10000")
    product = f"kill-{uuid.uuid4().hex[:6]}"
    cli.cli("billing", "product", "add", product, "--price", "0", "--quota", f"call.forwarded={QUOTA}")
    cli.cli("billing", "package", "buy", tenant, "--product", product)
    package_id, start = sql(cli.database_url, "SELECT id, effective_from_ms FROM packages WHERE tenant_id = :t",
                            t=tenant_id)[0]
    rows = [{"t": tenant_id, "a": app_id, "k": f"kill-{i}", "x": x, "at": start + i} for i in range(RECORDS)]
    insert_many(cli.database_url, "INSERT INTO usage_records (tenant_id, app_id, source, key, meter, number_class, "
                "x_number, quantity, units, occurred_at_ms, created_at_ms) VALUES (:t, :a, 'cdr', :k, "
                "'call.forwarded', 'virtual', :x, 60, 1, :at, :at)", rows)
    before = int(sql(cli.database_url, "SELECT balance_micros FROM billing_accounts WHERE tenant_id = :t",
                     t=tenant_id)[0][0])
    hour = datetime.fromtimestamp(start / 1000, UTC).strftime("%Y-%m-%dT%H")

    settling = subprocess.Popen([*PRIVNUM, "billing", "settle", "--hour", hour], env=cli.env, cwd=cli.workdir,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline, held_since = time.monotonic() + 60, None
    while time.monotonic() < deadline and settling.poll() is None:
        if writing(cli):
            held_since = held_since or time.monotonic()
            if time.monotonic() - held_since > 0.3:  # a long write transaction: the tenant's window, not ingestion
                break
        else:
            held_since = None
        time.sleep(0.02)
    assert settling.poll() is None, "the settlement ended before it could be killed: raise RECORDS"
    os.kill(settling.pid, signal.SIGKILL)
    settling.wait(timeout=10)

    settled = sql(cli.database_url, "SELECT COUNT(settlement_key) FROM usage_records WHERE tenant_id = :t",
                  t=tenant_id)[0][0]
    left = sql(cli.database_url, "SELECT units_left FROM package_quotas WHERE package_id = :p", p=package_id)[0][0]
    print(f"killed with {settled} of {RECORDS} records settled, {left} of {QUOTA} units left")
    assert (settled, left) in ((0, QUOTA), (RECORDS, 0))  # the window commits whole or not at all
    assert_consistent(cli, tenant_id)

    cli.cli("billing", "settle", "--hour", hour)
    assert "nothing to settle" in cli.cli("billing", "settle", "--hour", hour).stdout
    counted = sql(cli.database_url, "SELECT COUNT(*), COUNT(settlement_key) FROM usage_records WHERE tenant_id = :t",
                  t=tenant_id)[0]
    assert tuple(counted) == (RECORDS, RECORDS)
    drawn = sql(cli.database_url, "SELECT l.package_id IS NULL, SUM(l.units), SUM(l.amount_micros) FROM rated_lines l "
                "JOIN usage_records u ON u.id = l.usage_record_id WHERE u.tenant_id = :t GROUP BY l.package_id IS NULL "
                "ORDER BY 1", t=tenant_id)
    assert [tuple(row) for row in drawn] == [(False, QUOTA, 0),
                                             (True, RECORDS - QUOTA, (RECORDS - QUOTA) * MINUTE_PRICE)]
    assert sql(cli.database_url, "SELECT units_left FROM package_quotas WHERE package_id = :p",
               p=package_id)[0][0] == 0
    after = int(sql(cli.database_url, "SELECT balance_micros FROM billing_accounts WHERE tenant_id = :t",
                    t=tenant_id)[0][0])
    assert after == before - (RECORDS - QUOTA) * MINUTE_PRICE
    assert_consistent(cli, tenant_id)


def assert_consistent(cli: Server, tenant_id: int) -> None:
    url = cli.database_url
    assert sql(url, "SELECT journal_id FROM postings GROUP BY journal_id HAVING SUM(amount_micros) <> 0") == []
    posted = sql(url, "SELECT COALESCE(SUM(amount_micros), 0) FROM postings WHERE ledger_account = :a",
                 a=f"wallet:{tenant_id}")[0][0]
    cached = sql(url, "SELECT balance_micros FROM billing_accounts WHERE tenant_id = :t", t=tenant_id)[0][0]
    assert cached == -posted
    drawn = sql(url, "SELECT COALESCE(SUM(l.units), 0) FROM rated_lines l JOIN usage_records u "
                "ON u.id = l.usage_record_id WHERE u.tenant_id = :t AND l.package_id IS NOT NULL", t=tenant_id)[0][0]
    quotas = sql(url, "SELECT COALESCE(SUM(q.units_total - q.units_left), 0) FROM package_quotas q JOIN packages p "
                 "ON p.id = q.package_id WHERE p.tenant_id = :t", t=tenant_id)[0][0]
    assert drawn == quotas  # every unit a quota lost is on a rated line, and no more
