"""kill -9 during settlement loses and doubles nothing (issue 15): thousands of calls' CDRs, ``privnum billing settle
--hour H`` SIGKILLed while it ingests and settles, run again: every usage record is settled exactly once, every
journal sums to zero, the cached balance is the sum of the wallet's postings and the balance dropped by exactly
what one clean run charges (calls × started minutes × price).

The CDRs: one real sandbox call's ``cdrs`` row and copies of it with fresh session ids and icids (thousands of real
calls would take minutes on this machine); they reach the ledger only through the real ingestion path."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sqlite3
import subprocess
import time
from typing import Any

import test_billing_ledger_e2e as ledger_e2e
from sqlalchemy import text
from test_billing_ledger_e2e import CALL, MINUTE_PRICE_MICROS, Billed, cdr_minutes, sql

from call_lab import CallLab
from privnum.adapters.db.engine import make_async_engine
from servers import PRIVNUM, new_users

COPIES = 10_000
billed = ledger_e2e.billed  # the fixture: a tenant on a plan at 0.1 a minute, topped up with 100


def insert_copies(url: str, session_id: str, copies: int) -> None:
    """``copies`` copies of the ``cdrs`` row of ``session_id``, each with its own session id and icid."""

    async def run() -> None:
        engine = make_async_engine(url)
        try:
            async with engine.begin() as conn:
                row = (await conn.execute(text("SELECT * FROM cdrs WHERE session_id = :s"), {"s": session_id})
                       ).mappings().one()
                columns = list(row.keys())
                statement = text(f"INSERT INTO cdrs ({', '.join(columns)}) "
                                 f"VALUES ({', '.join(':' + c for c in columns)})")
                rows: list[dict[str, Any]] = [{**row, "session_id": f"{session_id}-copy{i}",
                                               "icid": f"{row['icid']}-copy{i}"} for i in range(copies)]
                await conn.execute(statement, rows)
        finally:
            await engine.dispose()

    asyncio.run(run())


def progress(url: str, tenant_id: int) -> tuple[int, int]:
    """(usage records ingested, settled) of the tenant's calls, read quickly: SQLite ingests fast."""
    query = "SELECT COUNT(*), COUNT(settlement_key) FROM usage_records WHERE tenant_id = ? AND source = 'cdr'"
    if url.startswith("sqlite"):
        with contextlib.closing(sqlite3.connect(url.partition(":///")[2], timeout=0.05)) as conn:
            try:
                ingested, settled = conn.execute(query, (tenant_id,)).fetchone()
            except sqlite3.OperationalError:  # locked by the writer for longer than we wait: it is working
                return 0, 0
            return int(ingested), int(settled)
    ingested, settled = sql(url, query.replace("?", ":t"), t=tenant_id)[0]
    return int(ingested), int(settled)


def test_a_settlement_killed_mid_way_and_run_again_charges_exactly_once(lab: CallLab, billed: Billed) -> None:
    url = lab.server.database_url
    before = int(sql(url, "SELECT balance_micros FROM billing_accounts WHERE tenant_id = :t", t=billed.tenant_id)[0][0])
    a, b = new_users(2)
    x = billed.app.pool[0]
    assert billed.app.client.axb_bind(relationNum=x, callerNum=a, calleeNum=b).ok
    session_id = lab.call(a, x, **CALL)
    cdr = lab.finished(billed.app, session_id)[1]
    insert_copies(url, session_id, COPIES)
    hour = cdr["callEndTime"][:13].replace(" ", "T")
    calls = COPIES + 1
    expected_charge = calls * cdr_minutes(cdr) * MINUTE_PRICE_MICROS

    settling = subprocess.Popen([*PRIVNUM, "billing", "settle", "--hour", hour], env=lab.server.env,
                                cwd=lab.server.workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and settling.poll() is None:
        ingested, settled = progress(url, billed.tenant_id)
        if ingested and not settled:  # it is ingesting (batches) or settling: kill it there
            break
        time.sleep(0.01)
    assert settling.poll() is None, "the settlement ended before it could be killed: raise COPIES"
    os.kill(settling.pid, signal.SIGKILL)
    settling.wait(timeout=10)
    assert settling.returncode == -signal.SIGKILL

    partly = sql(url, "SELECT COUNT(*), COUNT(settlement_key) FROM usage_records WHERE tenant_id = :t "
                 "AND source = 'cdr'", t=billed.tenant_id)[0]
    print(f"killed with {partly[0]} of {2 * calls} usage records ingested, {partly[1]} settled")
    assert partly[1] in (0, 2 * calls)  # a tenant's window settles whole or not at all
    assert_ledger_consistent(url, billed)

    lab.server.cli("billing", "settle", "--hour", hour)
    records = sql(url, "SELECT COUNT(*), COUNT(settlement_key), COUNT(DISTINCT key) FROM usage_records "
                  "WHERE tenant_id = :t AND source = 'cdr'", t=billed.tenant_id)[0]
    assert tuple(records) == (2 * calls, 2 * calls, calls)  # forwarded + inbound per call, all settled
    lines = sql(url, "SELECT COUNT(l.id), COUNT(DISTINCT l.usage_record_id) FROM rated_lines l JOIN usage_records u "
                "ON u.id = l.usage_record_id WHERE u.tenant_id = :t AND u.source = 'cdr'", t=billed.tenant_id)[0]
    assert tuple(lines) == (2 * calls, 2 * calls)  # one rated line per record
    after = int(sql(url, "SELECT balance_micros FROM billing_accounts WHERE tenant_id = :t", t=billed.tenant_id)[0][0])
    assert after == before - expected_charge
    assert_ledger_consistent(url, billed)
    assert "nothing to settle" in lab.server.cli("billing", "settle", "--hour", hour).stdout


def assert_ledger_consistent(url: str, tenant: Billed) -> None:
    assert sql(url, "SELECT journal_id FROM postings GROUP BY journal_id HAVING SUM(amount_micros) <> 0") == []
    posted = sql(url, "SELECT COALESCE(SUM(amount_micros), 0) FROM postings WHERE ledger_account = :a",
                 a=f"wallet:{tenant.tenant_id}")[0][0]
    cached = sql(url, "SELECT balance_micros FROM billing_accounts WHERE tenant_id = :t", t=tenant.tenant_id)[0][0]
    assert cached == -posted
    unlined = sql(url, "SELECT u.id FROM usage_records u LEFT JOIN rated_lines l ON l.usage_record_id = u.id "
                  "WHERE u.tenant_id = :t AND u.settlement_key IS NOT NULL AND l.id IS NULL", t=tenant.tenant_id)
    assert unlined == []
