"""Hourly settlement of N usage records (issue 15, billing.md R-15…R-18), beside a bare ``INSERT … SELECT``.

The records are one hour's per-hour aggregates: N ``call.forwarded`` usage records spread over one window
``[10:00, 11:00)`` for ``--tenants`` tenants (each with a billing account on one plan) and ``--apps`` apps. They
are seeded with one set-based ``INSERT … SELECT`` (a benchmark's setup, not a test), then timed:

    ceiling: insert      INSERT INTO rated_lines SELECT … FROM usage_records  (the same rated lines, no Python)
    ceiling: + mark      the same, plus UPDATE usage_records SET settlement_key = …  (what settlement writes)
    settle_hour          HourlySettlement.settle_hour through SqlBillingUnit (the real use case and adapter)

The ceiling's rows are deleted (untimed) before settlement runs. After it the run checks that every record
was settled once and that the journals debit the wallets by the rated lines' total.

    PYTHONPATH=src .venv/bin/python bench/billing.py                      # SQLite, 1,000,000 records
    PYTHONPATH=src .venv/bin/python bench/billing.py --records 100k \\
        --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/test

On PostgreSQL the URL names an existing database: a throwaway database is created beside it and dropped at
the end. JSON in bench/results/billing-<UTC time>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import text
from sqlalchemy.engine import make_url

from privnum.adapters.db import tables
from privnum.adapters.db.billing_unit import SqlBillingTx, SqlBillingUnit
from privnum.adapters.db.database import open_database
from privnum.adapters.db.engine import is_sqlite
from privnum.adapters.db.migrate import upgrade
from privnum.bootstrap import build_standings
from privnum.config import Settings
from privnum.domain.billing.meters import Meter, NumberClass
from privnum.domain.billing.plans import PlanVersion, PricePlan, Rate
from privnum.domain.billing.usage import HOUR_MS
from privnum.service.billing.ingestion import UsageIngestion
from privnum.service.billing.settlement import HourlySettlement

ROOT = Path(__file__).resolve().parent.parent
PLAN = "bench-plan"
MINUTE_PRICE_MICROS = 100_000
WINDOW_START_MS = int(datetime(2026, 12, 1, 10, tzinfo=UTC).timestamp() * 1000)

# One row per integer i in [0, n): tenant, app, minutes and instant all follow from i.
_SEED_COLUMNS = (
    "(tenant_id, app_id, source, key, meter, number_class, x_number, quantity, units, occurred_at_ms, "
    "created_at_ms) SELECT 1 + i % CAST(:tenants AS INTEGER), 1 + i % CAST(:apps AS INTEGER), 'cdr', "
    "'bench-' || i, 'call.forwarded', 'virtual', '+86170' || (i % 1000), 1 + i % 300, 1 + (i % 300) / 60, "
    "CAST(:start AS BIGINT) + (i * 3599) % 3600000, CAST(:start AS BIGINT)")
_SEED_SQLITE = text("WITH RECURSIVE g(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM g WHERE i + 1 < :n) "
                    f"INSERT INTO usage_records {_SEED_COLUMNS} FROM g")
_SEED_PG = text(f"INSERT INTO usage_records {_SEED_COLUMNS} "
                "FROM generate_series(CAST(0 AS BIGINT), CAST(:n AS BIGINT) - 1) AS g(i)")
_CEILING_INSERT = text(
    "INSERT INTO rated_lines (usage_record_id, package_id, units, unit_price_micros, amount_micros) "
    "SELECT id, NULL, units, CAST(:price AS BIGINT), units * CAST(:price AS BIGINT) FROM usage_records "
    "WHERE settlement_key IS NULL AND occurred_at_ms < CAST(:end AS BIGINT)")
_CEILING_MARK = text("UPDATE usage_records SET settlement_key = 'ceiling-' || tenant_id "
                     "WHERE settlement_key IS NULL AND occurred_at_ms < CAST(:end AS BIGINT)")


def parse_count(s: str) -> int:
    s = s.strip().lower().replace(",", "").replace("_", "")
    mult = {"k": 1_000, "m": 1_000_000}.get(s[-1:], 1)
    return int(float(s[:-1] if mult > 1 else s) * mult)


@dataclass
class Row:
    what: str
    records: int
    seconds: float
    rate: float
    of_ceiling: float


async def seed(db: Any, sqlite: bool, args: argparse.Namespace) -> float:
    now = WINDOW_START_MS
    plan = PricePlan(PLAN, "CNY", (PlanVersion(0, {(Meter.CALL_FORWARDED, NumberClass.VIRTUAL):
                                                    Rate(MINUTE_PRICE_MICROS)}),))
    began = time.perf_counter()
    async with db.transaction() as conn:
        await conn.execute(tables.tenants.insert(), [{"id": t, "name": f"bench-{t}", "created_at_ms": now}
                                                     for t in range(1, args.tenants + 1)])
        await conn.execute(tables.billing_accounts.insert(), [
            {"tenant_id": t, "currency": "CNY", "price_plan": PLAN, "balance_micros": 10**15, "created_at_ms": now}
            for t in range(1, args.tenants + 1)])
        await SqlBillingTx(conn).add_plan_version(plan, now)
        await conn.execute(_SEED_SQLITE if sqlite else _SEED_PG,
                           {"n": args.records, "tenants": args.tenants, "apps": args.apps, "start": now})
    async with db.transaction() as conn:
        await conn.execute(text("ANALYZE"))
    return time.perf_counter() - began


async def timed(db: Any, statement: Any, params: dict[str, int]) -> float:
    began = time.perf_counter()
    async with db.transaction() as conn:
        await conn.execute(statement, params)
    return time.perf_counter() - began


async def undo_ceiling(db: Any) -> None:
    async with db.transaction() as conn:
        await conn.execute(text("DELETE FROM rated_lines"))
        await conn.execute(text("UPDATE usage_records SET settlement_key = NULL"))


async def check(db: Any, records: int) -> dict[str, int]:
    async with db.reading() as conn:
        async def one(sql: str) -> int:
            return int((await conn.execute(text(sql))).scalar_one() or 0)

        found = {
            "settled": await one("SELECT count(*) FROM usage_records WHERE settlement_key LIKE 'settle:%:%' "
                                 ""),
            "rated_lines": await one("SELECT count(*) FROM rated_lines"),
            "lines_total": await one("SELECT sum(amount_micros) FROM rated_lines"),
            "wallet_debits": await one("SELECT sum(amount_micros) FROM postings WHERE ledger_account LIKE 'wallet:%'"),
            "journals": await one("SELECT count(*) FROM journals"),
        }
    problems = []
    if found["settled"] != records or found["rated_lines"] != records:
        problems.append(f"{found['settled']:,} settled / {found['rated_lines']:,} lines of {records:,} records")
    if found["lines_total"] != found["wallet_debits"]:
        problems.append(f"lines total {found['lines_total']} ≠ wallet debits {found['wallet_debits']}")
    if problems:
        raise SystemExit("CHECK FAILED: " + "; ".join(problems))
    return found


async def bench(url: str, args: argparse.Namespace) -> dict[str, Any]:
    sqlite = is_sqlite(url)
    kind = "SQLite" if sqlite else "PostgreSQL"
    await asyncio.to_thread(upgrade, url)
    db = open_database(url)
    window_end = WINDOW_START_MS + HOUR_MS
    try:
        seeded = await seed(db, sqlite, args)
        print(f"{kind}: seeded {args.records:,} usage records ({args.tenants} tenants, {args.apps} apps, one hour) "
              f"in {seeded:.1f} s", flush=True)
        params = {"price": MINUTE_PRICE_MICROS, "end": window_end}
        insert_s = await timed(db, _CEILING_INSERT, params)
        mark_s = await timed(db, _CEILING_MARK, {"end": window_end})
        await undo_ceiling(db)
        unit = SqlBillingUnit(db)
        settlement = HourlySettlement(unit, UsageIngestion(unit), build_standings(Settings()))
        began = time.perf_counter()
        settled = await settlement.settle_hour(WINDOW_START_MS, window_end + 5 * 60_000)
        settle_s = time.perf_counter() - began
        found = await check(db, args.records)
        rerun_began = time.perf_counter()
        again = await settlement.settle_hour(WINDOW_START_MS, window_end + 6 * 60_000)
        rerun_s = time.perf_counter() - rerun_began
        if again or sum(t.records for t in settled) != args.records:
            raise SystemExit(f"CHECK FAILED: re-run settled {len(again)} tenants")
    finally:
        await db.dispose()
    n = args.records
    ceiling = n / insert_s
    rows = [Row("ceiling: INSERT … SELECT rated lines", n, insert_s, ceiling, 1.0),
            Row("ceiling: + UPDATE settlement_key", n, insert_s + mark_s, n / (insert_s + mark_s),
                (n / (insert_s + mark_s)) / ceiling),
            Row("settle_hour (use case + adapter)", n, settle_s, n / settle_s, (n / settle_s) / ceiling)]
    print(f"\n=== {kind}: settlement of {n:,} usage records, {args.tenants} tenants ===")
    print(f"{'path':<40} {'records':>10} {'seconds':>9} {'records/s':>11} {'of ceiling':>11}")
    for row in rows:
        print(f"{row.what:<40} {row.records:>10,} {row.seconds:>9.2f} {row.rate:>11,.0f} {row.of_ceiling:>11.3f}")
    print(f"check: {found['settled']:,} records settled once, {found['journals']} journals, wallet debits = lines "
          f"total = {found['lines_total']:,} micros; re-run of the hour {rerun_s:.2f} s, changed nothing")
    return {"backend": kind, "records": n, "tenants": args.tenants, "apps": args.apps, "seed_s": seeded,
            "rows": [asdict(row) for row in rows], "rerun_s": rerun_s, "check": found}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=parse_count, default=1_000_000, help="usage records (e.g. 100k, 1M)")
    parser.add_argument("--tenants", type=int, default=100, help="tenants with a billing account")
    parser.add_argument("--apps", type=int, default=1000, help="apps the records belong to")
    parser.add_argument("--database-url", help="default: a throwaway SQLite file; or postgresql+asyncpg://…/DB")
    args = parser.parse_args()
    if not 1 <= args.records <= 5_000_000:
        parser.error("--records is between 1 and 5M")

    began = time.perf_counter()
    if args.database_url is None or is_sqlite(args.database_url):
        work = Path(tempfile.mkdtemp(prefix="privnum-billing-"))
        try:
            result = await bench(args.database_url or f"sqlite+aiosqlite:///{work / 'bench.db'}", args)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    else:
        given = make_url(args.database_url)
        admin = await asyncpg.connect(given.set(drivername="postgresql").render_as_string(hide_password=False))
        name = f"privnum_bench_{secrets.token_hex(4)}"
        try:
            await admin.execute(f'CREATE DATABASE "{name}"')
            print(f"created throwaway database {name}")
            try:
                result = await bench(given.set(database=name).render_as_string(hide_password=False), args)
            finally:
                await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                print(f"dropped {name}")
        finally:
            await admin.close()
    result["total_s"] = time.perf_counter() - began
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = results / f"billing-{stamp}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    print(f"total run {result['total_s']:.0f} s; {path.relative_to(ROOT)}")


if __name__ == "__main__":
    asyncio.run(main())
