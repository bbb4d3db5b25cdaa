"""The database side of a ``/metrics`` scrape (``SqlOperationsCensus.read``: push queues and dead letters per app,
live calls, settlement lag) on a populated database, beside a primary-key SELECT through the same ``Database`` (the
ceiling of one read in the same run), with and without migration 0019's two partial indexes.

    PYTHONPATH=src .venv/bin/python bench/metrics_census.py [--pushes 300k] [--usage 300k] [--reads 200]
    PYTHONPATH=src .venv/bin/python bench/metrics_census.py --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/test

Seeded set-based (not through the API): 100 apps; pushes 1 % pending, 4 % dead, the rest delivered; usage records
0.1 % unsettled; 10 k released calls and 50 live. On PostgreSQL the URL names an existing database: a throwaway
one is created beside it and dropped at the end. Prints a table, writes JSON to bench/results/.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import text

from privnum.adapters.db.database import Database, open_database
from privnum.adapters.db.migrate import upgrade
from privnum.adapters.db.operations_census import SqlOperationsCensus

NOW = int(time.time() * 1000)
_PK = text("SELECT id FROM apps WHERE id = :id")


def parse_size(raw: str) -> int:
    raw = raw.lower()
    return int(float(raw[:-1]) * (1000 if raw.endswith("k") else 1_000_000)) if raw[-1] in "km" else int(raw)


def series(postgres: bool, n: int) -> str:
    """``FROM …`` giving i = 1..n."""
    if postgres:
        return f"FROM generate_series(1, {n}) AS c(i)"
    return f"FROM (WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < {n}) SELECT i FROM c) c"


async def seed(db: Database, pushes: int, usage: int) -> None:
    pg = db.is_postgres
    cat = "||"
    statements = [
        f"INSERT INTO enterprises (id, name, created_at_ms) VALUES (1, 'bench', {NOW})",
        f"INSERT INTO apps (id, enterprise_id, name, mode, app_key, app_secret, created_at_ms, updated_at_ms) "
        f"SELECT i, 1, 'app' {cat} i, 'AXB', 'key' {cat} i, 's', {NOW}, {NOW} {series(pg, 100)}",
        f"INSERT INTO pushes (push_id, app_id, kind, url, body, state, attempts, next_attempt_at_ms, created_at_ms) "
        f"SELECT 'p' {cat} i, 1 + i % 100, 'call_event', 'http://127.0.0.1:9/e', '{{}}', "
        f"CASE WHEN i % 100 = 0 THEN 'pending' WHEN i % 100 < 5 THEN 'dead' ELSE 'delivered' END, 1, "
        f"{NOW} + 3600000, {NOW} - i {series(pg, pushes)}",
        f"INSERT INTO usage_records (tenant_id, app_id, source, key, meter, number_class, x_number, quantity, units, "
        f"occurred_at_ms, settlement_key, created_at_ms) SELECT 1 + i % 10, 1 + i % 100, 'cdr', 'k' {cat} i, "
        f"'call.forwarded', 'mobile', '+8617000000000', 60, 1, {NOW} - i * 1000, "
        f"CASE WHEN i % 1000 = 0 THEN NULL ELSE 'settle:x' END, {NOW} {series(pg, usage)}",
        f"INSERT INTO calls (id, app_id, owner, state, data, created_at_ms, updated_at_ms) SELECT 'c' {cat} i, 1, "
        f"'bench', CASE WHEN i <= 50 THEN 'answered' ELSE 'released' END, '{{}}', {NOW}, {NOW} {series(pg, 10_050)}",
    ]
    async with db.transaction() as conn:
        for statement in statements:
            await conn.execute(text(statement))
    async with db.transaction() as conn:
        await conn.execute(text("ANALYZE"))


async def interleaved(reads: int, ceiling: Any, work: Any) -> tuple[list[float], list[float]]:
    """(ceiling ms, work ms): one of each per round, so the box's load falls on both alike."""
    first: list[float] = []
    second: list[float] = []
    for _ in range(reads):
        for action, out in ((ceiling, first), (work, second)):
            started = time.perf_counter()
            await action()
            out.append((time.perf_counter() - started) * 1000)
    return first, second


async def pk_read(db: Database) -> None:
    async with db.reading() as conn:
        (await conn.execute(_PK, {"id": 7})).scalar()


def ratio(work: list[float], ceiling: list[float]) -> float:
    """How many ceiling reads one work read costs, by medians."""
    return statistics.median(work) / statistics.median(ceiling)


def summary(ms: list[float]) -> dict[str, float]:
    ordered = sorted(ms)
    return {"median_ms": statistics.median(ordered), "p99_ms": ordered[int(len(ordered) * 0.99) - 1]}


async def measure(url: str, args: argparse.Namespace) -> dict[str, Any]:
    await asyncio.to_thread(upgrade, url)
    db = open_database(url)
    try:
        started = time.monotonic()
        await seed(db, args.pushes, args.usage)
        seeded_s = time.monotonic() - started
        census = SqlOperationsCensus(db)
        check = await census.read(NOW)
        assert sum(q.pending for q in check.queues.values()) == args.pushes // 100, check
        assert check.live_calls == 50, check
        rows: dict[str, dict[str, float]] = {}
        pk, with_indexes = await interleaved(args.reads, lambda: pk_read(db), lambda: census.read(NOW))
        rows["ceiling: primary-key SELECT"] = summary(pk)
        rows["census (with 0019)"] = {**summary(with_indexes), "of_ceiling": ratio(with_indexes, pk)}
        async with db.transaction() as conn:
            await conn.execute(text("DROP INDEX ix_pushes_dead_app"))
            await conn.execute(text("DROP INDEX ix_usage_records_unsettled_at"))
        pk, without = await interleaved(max(10, args.reads // 4), lambda: pk_read(db), lambda: census.read(NOW))
        rows["ceiling again"] = summary(pk)
        rows["census (without 0019)"] = {**summary(without), "of_ceiling": ratio(without, pk)}
        return {"seeded_s": seeded_s, "rows": rows}
    finally:
        await db.dispose()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--pushes", type=parse_size, default=parse_size("300k"))
    parser.add_argument("--usage", type=parse_size, default=parse_size("300k"))
    parser.add_argument("--reads", type=int, default=200)
    args = parser.parse_args()
    dropped = None
    if args.database_url.startswith("postgresql"):
        name = f"privnum_bench_{uuid.uuid4().hex[:8]}"
        admin = args.database_url.replace("postgresql+asyncpg://", "postgresql://")
        conn = await asyncpg.connect(admin)
        await conn.execute(f'CREATE DATABASE "{name}"')
        await conn.close()
        url, dropped, backend = f"{args.database_url.rpartition('/')[0]}/{name}", (admin, name), "postgresql"
    else:
        url, backend = f"sqlite+aiosqlite:///{tempfile.mkdtemp(prefix='privnum-bench-')}/bench.db", "sqlite"
    try:
        result = await measure(url, args)
    finally:
        if dropped is not None:
            conn = await asyncpg.connect(dropped[0])
            await conn.execute(f'DROP DATABASE IF EXISTS "{dropped[1]}" WITH (FORCE)')
            await conn.close()
    print(f"{backend}: {args.pushes:,} pushes, {args.usage:,} usage records, 10,050 calls; seeded in "
          f"{result['seeded_s']:.1f} s; {args.reads} reads each")
    print(f"{'read':32} {'median ms':>10} {'p99 ms':>10} {'× ceiling':>10}")
    for name, row in result["rows"].items():
        times = f"{row['of_ceiling']:10.1f}" if "of_ceiling" in row else f"{'1.0':>10}"
        print(f"{name:32} {row['median_ms']:10.3f} {row['p99_ms']:10.3f} {times}")
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    out = Path(__file__).parent / "results" / f"metrics_census-{backend}-{stamp}.json"
    out.write_text(json.dumps({"backend": backend, "pushes": args.pushes, "usage": args.usage, **result}, indent=2))
    print(f"wrote {out}")


if __name__ == "__main__":
    asyncio.run(main())
