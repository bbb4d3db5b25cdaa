"""Routing lookup at 10 k / 100 k / 1 M live AXB bindings, beside a primary-key SELECT on the same connection.

A call to privacy number X is routed by reading the one live binding that holds the caller on X,
exactly as ``CallEngine._facts`` does for AXB (``tx.number(X)`` then ``tx.by_key(X, "user:<caller>")``,
a primary-key probe of ``binding_keys``), then deciding with the pure ``route_call``. The first engine
read every binding on X instead; that variant is kept for comparison. This bench fills the tables
straight with bulk INSERTs (not through the API), then per size times N lookups of random (caller, X) pairs on one read
connection:

    pk select       SELECT number FROM numbers WHERE number = :n   (the ceiling in the same run)
    find raw rows   the earlier engine's statement (every binding on X), rows fetched, no objects built
    find all on X   the earlier engine: tx.number + tx.find(every binding on X) + route_call
    routing lookup  the engine's reads without their transaction: tx.number + tx.by_key(X, caller) + route_call
    engine, no cache    the same in a read-only transaction per call (``SqlCallStore.run``), as the engine
                        did before the routing cache (and still does on SQLite)
    cache cold      the engine's store with the routing cache (``CachedCallStore``), pairs not yet read:
                    every lookup reads the database and fills the cache
    cache warm      the same pairs again: answered from memory (hit rates printed)

On PostgreSQL the cache is fed by the real LISTEN connection (``PgRoutingListener``, as in ``privnum serve``);
on SQLite it is resumed by hand (``privnum serve`` keeps no routing cache on SQLite: shown for comparison).

    .venv/bin/python bench/routing_lookup.py                                  # SQLite, 10k,100k,1M
    .venv/bin/python bench/routing_lookup.py --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/routing_lookup.py --sizes 10k,100k

On PostgreSQL the URL names an existing database (e.g. ``test``): a throwaway database is created
beside it and dropped at the end. Sizes grow in place (10 k, then 90 k more, ...) over a fixed set
of X numbers (``--xs``, default 200), so at 1 M each X carries 5000 AXB pairs (and the earlier
``find`` returned all 5000 of them for every call to that X).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import shutil
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import text
from sqlalchemy.engine import make_url

from privnum.adapters.db import tables
from privnum.adapters.db.call_store import SqlCallStore
from privnum.adapters.db.database import open_database
from privnum.adapters.db.engine import is_sqlite
from privnum.adapters.db.migrate import upgrade
from privnum.adapters.db.provisioning_store import SqlProvisioningTx
from privnum.adapters.db.routing_listener import PgRoutingListener
from privnum.domain.apps import App
from privnum.domain.calls.routing import CallFacts, Route, route_call
from privnum.domain.modes import Mode
from privnum.service.calls.cached_call_store import CachedCallStore
from privnum.service.calls.ports import CallTx
from privnum.service.calls.routing_cache import RoutingCache
from privnum.service.provisioning.ports import BindingFilter

ROOT = Path(__file__).resolve().parent.parent
APP_ID, ENTERPRISE_ID = 1, 1
DAY_MS = 86_400_000
_PK = text("SELECT number FROM numbers WHERE number = :number")
_KEYED = text(
    "SELECT b.* FROM binding_keys k JOIN bindings b ON b.id = k.binding_id WHERE k.number = :number "
    "AND k.key = :key AND b.app_id = :app_id AND b.mode = :mode "
    "AND (b.expires_at_ms IS NULL OR b.expires_at_ms > :now)"
)
_B_COLS = ("id", "app_id", "mode", "number", "party_a", "party_b", "settings", "created_at_ms", "updated_at_ms",
           "expires_at_ms")
_PG_BINDINGS = (f"INSERT INTO bindings ({', '.join(_B_COLS)}) SELECT * FROM unnest($1::text[], $2::int[], "
                "$3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[], $9::bigint[], "
                "$10::bigint[])")
_PG_KEYS = "INSERT INTO binding_keys (number, key, binding_id) SELECT * FROM unnest($1::text[], $2::text[], $3::text[])"
_SQLITE_BINDINGS = f"INSERT INTO bindings ({', '.join(_B_COLS)}) VALUES ({', '.join('?' * len(_B_COLS))})"
_SQLITE_KEYS = "INSERT INTO binding_keys (number, key, binding_id) VALUES (?, ?, ?)"


def parse_size(s: str) -> int:
    s = s.strip().lower()
    mult = {"k": 1_000, "m": 1_000_000}.get(s[-1:], 1)
    return int(float(s[:-1] if mult > 1 else s) * mult)


def label(n: int) -> str:
    return f"{n // 1_000_000}M" if n % 1_000_000 == 0 else f"{n // 1000}k" if n % 1000 == 0 else str(n)


def x_number(j: int) -> str:
    return f"+86170{j:08d}"


def party(i: int, b: bool) -> str:
    return f"+8613{2 * i + int(b):09d}"


def _settings(i: int) -> str:
    return json.dumps({"call_direction": 0, "record": False, "user_data": f"order-{i}"}, separators=(",", ":"))


class PopulationAborted(Exception):
    pass


class Loader:
    """Bulk INSERTs straight into bindings and binding_keys, columnar batches."""

    async def open(self) -> None: ...

    async def insert(self, cols: dict[str, list], keys: tuple[list, list, list]) -> None: ...

    async def finish(self, analyze: bool) -> None: ...

    async def close(self) -> None: ...


class SqliteLoader(Loader):
    def __init__(self, path: str) -> None:
        self.path = path
        self.conn: sqlite3.Connection | None = None

    async def open(self) -> None:
        self.conn = sqlite3.connect(self.path, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("PRAGMA cache_size=-262144")  # 256 MiB for the load only

    async def insert(self, cols: dict[str, list], keys: tuple[list, list, list]) -> None:
        assert self.conn is not None
        self.conn.execute("BEGIN")
        self.conn.executemany(_SQLITE_BINDINGS, zip(*(cols[c] for c in _B_COLS), strict=True))
        self.conn.executemany(_SQLITE_KEYS, zip(*keys, strict=True))
        self.conn.execute("COMMIT")

    async def finish(self, analyze: bool) -> None:
        assert self.conn is not None
        self.conn.execute("UPDATE numbers SET load = (SELECT count(*) FROM bindings b WHERE b.number = numbers.number)")
        if analyze:
            self.conn.execute("ANALYZE")
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    async def close(self) -> None:
        if self.conn is not None:
            self.conn.close()


class PgLoader(Loader):
    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.conn: Any = None

    async def open(self) -> None:
        self.conn = await asyncpg.connect(self.dsn)

    async def insert(self, cols: dict[str, list], keys: tuple[list, list, list]) -> None:
        async with self.conn.transaction():
            await self.conn.execute(_PG_BINDINGS, *(cols[c] for c in _B_COLS))
            await self.conn.execute(_PG_KEYS, *keys)

    async def finish(self, analyze: bool) -> None:
        await self.conn.execute(
            "UPDATE numbers SET load = (SELECT count(*) FROM bindings b WHERE b.number = numbers.number)")
        await self.conn.execute("VACUUM ANALYZE bindings")
        await self.conn.execute("VACUUM ANALYZE binding_keys")
        await self.conn.execute("VACUUM ANALYZE numbers")

    async def close(self) -> None:
        if self.conn is not None:
            await self.conn.close()


async def populate(loader: Loader, start: int, stop: int, xs: int, batch: int, budget: float, now: int,
                   rng: random.Random) -> float:
    """Add bindings [start, stop); raises PopulationAborted when over (or projected over) ``budget`` seconds."""
    begun = time.perf_counter()
    for lo in range(start, stop, batch):
        hi = min(stop, lo + batch)
        idx = range(lo, hi)
        ids = [uuid.UUID(int=rng.getrandbits(128), version=4).hex for _ in idx]
        nums = [x_number(i % xs) for i in idx]
        a = [party(i, False) for i in idx]
        b = [party(i, True) for i in idx]
        cols = {"id": ids, "app_id": [APP_ID] * len(idx), "mode": ["AXB"] * len(idx), "number": nums,
                "party_a": a, "party_b": b, "settings": [_settings(i) for i in idx],
                "created_at_ms": [now - DAY_MS + i for i in idx], "updated_at_ms": [now - DAY_MS + i for i in idx],
                "expires_at_ms": [now + 30 * DAY_MS] * len(idx)}
        keys = (nums + nums, [f"user:{p}" for p in a] + [f"user:{p}" for p in b], ids + ids)
        await loader.insert(cols, keys)
        elapsed = time.perf_counter() - begun
        projected = elapsed * (stop - start) / (hi - start)
        if hi < stop and (elapsed > budget or (hi - start >= 2 * batch and projected > budget * 1.1)):
            raise PopulationAborted(f"stopped after {elapsed:.0f} s at {hi - start:,} of {stop - start:,} new rows; "
                                    f"projected {projected:.0f} s > budget {budget:.0f} s (--populate-budget)")
    return time.perf_counter() - begun


@dataclass
class Result:
    size: int
    variant: str
    n: int
    rate: float
    p50: float
    p99: float
    notes: str = ""
    extra: dict = field(default_factory=dict)


async def measure(fn: Callable[[Any], Awaitable[None]], lookups: list, max_n: int, seconds: float,
                  warm_up: list | None = None) -> tuple[int, float, list[float]]:
    for item in lookups[: min(200, max(1, max_n // 20))] if warm_up is None else warm_up:
        await fn(item)
    lat: list[float] = []
    deadline = time.perf_counter() + seconds
    begun = time.perf_counter()
    for item in lookups[:max_n]:
        t = time.perf_counter()
        await fn(item)
        end = time.perf_counter()
        lat.append(end - t)
        if end > deadline:
            break
    elapsed = time.perf_counter() - begun
    return len(lat), len(lat) / elapsed, sorted(lat)


def pct(sorted_lat: list[float], p: float) -> float:
    return sorted_lat[min(len(sorted_lat) - 1, int(len(sorted_lat) * p / 100))] * 1000


def engine_reads(x: str, caller: str, now: int) -> Callable[[CallTx], Awaitable[tuple]]:
    """What ``facts._keyed`` reads for an AXB call, in one run of the call store."""
    async def work(tx: CallTx) -> tuple:
        found = await tx.by_key(x, f"user:{caller}", now)
        return await tx.number(x), found

    return work


async def run_engine_variants(db: Any, app: App, size: int, lookups: list, args: argparse.Namespace, now: int,
                              cached: CachedCallStore, results: list[Result]) -> None:
    plain = cached.store
    wrong = {"engine, no cache": 0, "cache cold": 0, "cache warm": 0}

    def check(name: str, x: str, caller: str, expected: str, number: Any, found: Any) -> None:
        decision = route_call(CallFacts(caller=caller, called=x, digits=None, now_ms=now, app=app,
                                        number=number, bindings=[found] if found else []))
        if not (isinstance(decision, Route) and decision.callee == expected):
            wrong[name] += 1

    async def uncached(item: tuple) -> None:
        x, caller, expected = item
        check("engine, no cache", x, caller, expected, *await plain.run(engine_reads(x, caller, now), read_only=True))

    def through_cache(name: str) -> Callable[[tuple], Awaitable[None]]:
        async def lookup(item: tuple) -> None:
            x, caller, expected = item
            check(name, x, caller, expected, *await cached.run(engine_reads(x, caller, now), read_only=True))
        return lookup

    measured = lookups[: args.lookups]
    tail = lookups[args.lookups:]  # warm-up of the cold pass: other pairs (their X rows do get cached)
    cached.cache.flush()
    for name, fn, warm_up in (("engine, no cache", uncached, None), ("cache cold", through_cache("cache cold"), tail),
                              ("cache warm", through_cache("cache warm"), [])):
        memory, database = cached.answered_from_memory, cached.read_from_database
        n, rate, lat = await measure(fn, measured, args.lookups, args.seconds, warm_up)
        if name == "cache cold":
            measured = measured[:n]  # the warm pass: exactly the pairs the cold pass read
        hits = cached.answered_from_memory - memory
        runs = hits + cached.read_from_database - database
        r = Result(size, name, n, rate, pct(lat, 50), pct(lat, 99))
        r.notes = f"wrong {wrong[name]}" + (f"; answered from memory {hits / runs:.3f}" if runs else "")
        r.extra = {"hit_rate": hits / runs if runs else None, "cached_values": len(cached.cache)}
        results.append(r)
        base = results[0].rate
        print(f"  {name:15s} {n:6d} lookups  {rate:9.0f}/s  p50 {r.p50:8.3f} ms  p99 {r.p99:8.3f} ms  "
              f"{rate / base:7.4f} of pk  {r.notes}", flush=True)


async def run_size(db: Any, app: App, size: int, xs: int, args: argparse.Namespace, now: int,
                   cached: CachedCallStore) -> list[Result]:
    rng = random.Random(size)
    lookups = []
    for _ in range(args.lookups + 200):
        i = rng.randrange(size)
        is_a = rng.random() < 0.5
        caller = party(i, not is_a)
        lookups.append((x_number(i % xs), caller, party(i, is_a)))
    results: list[Result] = []
    async with db.reading() as conn:
        tx = SqlProvisioningTx(conn)

        async def pk(item: tuple) -> None:
            (await conn.execute(_PK, {"number": item[0]})).first()

        rows_seen = [0, 0]

        async def raw(item: tuple) -> None:
            statement, params = tx._filtered("*", BindingFilter(APP_ID, Mode.AXB, number=item[0]), now, paged=True)
            params.update(offset=0, limit=1_000_000)
            rows = (await conn.execute(statement, params)).all()
            rows_seen[0] += len(rows)
            rows_seen[1] += 1

        split = {"db": 0.0, "route": 0.0, "bad": 0}

        async def routing(item: tuple) -> None:
            x, caller, expected = item
            t0 = time.perf_counter()
            number = await tx.number(x)
            bindings = await tx.find(BindingFilter(app.id, app.mode, number=x), now)
            t1 = time.perf_counter()
            decision = route_call(CallFacts(caller=caller, called=x, digits=None, now_ms=now, app=app,
                                            number=number, bindings=bindings))
            split["route"] += time.perf_counter() - t1
            split["db"] += t1 - t0
            if not (isinstance(decision, Route) and decision.callee == expected):
                split["bad"] += 1

        keyed_bad = [0]

        async def keyed(item: tuple) -> None:
            x, caller, expected = item
            number = await tx.number(x)
            found = await tx.by_key(x, f"user:{caller}", now)
            decision = route_call(CallFacts(caller=caller, called=x, digits=None, now_ms=now, app=app,
                                            number=number, bindings=[found] if found else []))
            if not (isinstance(decision, Route) and decision.callee == expected):
                keyed_bad[0] += 1

        variants = [("pk select", pk), ("find raw rows", raw), ("find all on X", routing), ("routing lookup", keyed)]
        for name, fn in variants:
            n, rate, lat = await measure(fn, lookups, args.lookups, args.seconds)
            r = Result(size, name, n, rate, pct(lat, 50), pct(lat, 99))
            if name == "find raw rows":
                r.notes = f"{rows_seen[0] / max(1, rows_seen[1]):.0f} rows/find"
            if name == "find all on X":
                total = split["db"] + split["route"]
                r.notes = f"route_call {100 * split['route'] / total:.0f}% of time; wrong {split['bad']}"
            if name == "routing lookup":
                r.notes = f"wrong {keyed_bad[0]}"
            results.append(r)
            base = results[0].rate
            print(f"  {name:15s} {n:6d} lookups  {rate:9.0f}/s  p50 {r.p50:8.3f} ms  p99 {r.p99:8.3f} ms  "
                  f"{rate / base:7.4f} of pk  {r.notes}", flush=True)
    await run_engine_variants(db, app, size, lookups, args, now, cached, results)
    return results


async def explain(db: Any, sqlite: bool, now: int) -> None:
    async with db.reading() as conn:
        tx = SqlProvisioningTx(conn)
        statement, params = tx._filtered("*", BindingFilter(APP_ID, Mode.AXB, number=x_number(0)), now, paged=True)
        params.update(offset=0, limit=1_000_000)
        prefix = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN "
        rows = (await conn.execute(text(prefix + str(statement)), params)).all()
        print("  find plan: " + " | ".join(str(r[-1]).strip() for r in rows))


async def setup_schema_rows(db: Any, xs: int, now: int) -> App:
    async with db.transaction() as conn:
        await conn.execute(tables.enterprises.insert(), {"id": ENTERPRISE_ID, "name": "bench", "created_at_ms": now})
        await conn.execute(tables.apps.insert(), {
            "id": APP_ID, "enterprise_id": ENTERPRISE_ID, "name": "bench", "mode": "AXB", "app_key": "bench-key",
            "app_secret": "bench-secret", "created_at_ms": now, "updated_at_ms": now})
        await conn.execute(tables.numbers.insert(), [
            {"number": x_number(j), "app_id": APP_ID, "area_code": "0755", "state": "available", "load": 0,
             "role": "x", "created_at_ms": now, "updated_at_ms": now} for j in range(xs)])
    return App(id=APP_ID, enterprise_id=ENTERPRISE_ID, name="bench", mode=Mode.AXB, app_key="bench-key",
               app_secret="bench-secret")


def write_json(kind: str, args: argparse.Namespace, sizes: list[int], results: list[Result],
               skipped: dict[int, str], load_before: tuple[float, ...]) -> None:
    folder = ROOT / "bench" / "results"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"routing_lookup-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.json"
    path.write_text(json.dumps({
        "database": kind, "xs": args.xs, "lookups": args.lookups, "seconds": args.seconds, "sizes": sizes,
        "load_average_before": load_before, "load_average_after": os.getloadavg(),
        "skipped": {label(k): v for k, v in skipped.items()},
        "results": [{"size": r.size, "variant": r.variant, "lookups": r.n, "per_s": r.rate, "p50_ms": r.p50,
                     "p99_ms": r.p99, "of_pk": r.rate / next(x.rate for x in results if x.size == r.size),
                     "notes": r.notes, **r.extra} for r in results],
    }, indent=2) + "\n")
    print(f"wrote {path.relative_to(ROOT)}")


async def bench(url: str, args: argparse.Namespace, sizes: list[int]) -> None:
    load_before = os.getloadavg()
    sqlite = is_sqlite(url)
    await asyncio.to_thread(upgrade, url)
    db = open_database(url)
    now = int(time.time() * 1000)
    loader: Loader = SqliteLoader(make_url(url).database or "") if sqlite else \
        PgLoader(make_url(url).set(drivername="postgresql").render_as_string(hide_password=False))
    all_results: list[Result] = []
    cached = CachedCallStore(SqlCallStore(db), RoutingCache(max_keys=max(200_000, 4 * args.lookups)))
    listener = None if sqlite else PgRoutingListener(url, cached.cache)
    if listener is None:
        cached.cache.resume()
    else:
        listener.start()
        await asyncio.wait_for(listener.listening.wait(), 30)
    populated: dict[int, tuple[float, float]] = {}
    skipped: dict[int, str] = {}
    try:
        app = await setup_schema_rows(db, args.xs, now)
        await loader.open()
        have = 0
        rng = random.Random(7)
        for size in sizes:
            if skipped:
                skipped[size] = "skipped: a smaller size could not be populated within budget"
                continue
            print(f"\n== {label(size)} live AXB bindings over {args.xs} X ({size // args.xs} pairs per X) ==",
                  flush=True)
            try:
                ins = await populate(loader, have, size, args.xs, args.batch, args.populate_budget, now, rng)
            except PopulationAborted as e:
                skipped[size] = str(e)
                print(f"  POPULATION TOO SLOW for {label(size)} on {'SQLite' if sqlite else 'PostgreSQL'}: {e}; "
                      "not measured", flush=True)
                continue
            previous, t = have, time.perf_counter()
            await loader.finish(analyze=args.analyze or not sqlite)
            fin = time.perf_counter() - t
            have = size
            populated[size] = (ins, fin)
            after = "VACUUM ANALYZE" if not sqlite else "ANALYZE" if args.analyze else "checkpoint, no ANALYZE"
            print(f"  populated: bulk INSERTs {ins:.1f} s for {size - previous:,} new bindings "
                  f"({2 * (size - previous):,} keys); load + {after} {fin:.1f} s", flush=True)
            await explain(db, sqlite, now)
            all_results += await run_size(db, app, size, args.xs, args, now, cached)
    finally:
        if listener is not None:
            await listener.stop()
        await loader.close()
        await db.dispose()

    kind = "SQLite" if sqlite else "PostgreSQL"
    print(f"\n=== summary ({kind}, {args.xs} X, up to {args.lookups} lookups or {args.seconds:.0f} s per row) ===")
    print(f"{'size':>5s}  {'populate s':>10s}  {'variant':15s} {'lookups/s':>10s} {'p50 ms':>9s} {'p99 ms':>9s} "
          f"{'of pk':>7s}  notes")
    for size in sizes:
        if size in skipped:
            print(f"{label(size):>5s}  {'-':>10s}  NOT MEASURED: {skipped[size]}")
            continue
        rows = [r for r in all_results if r.size == size]
        base = rows[0].rate
        ins, _ = populated[size]
        for k, r in enumerate(rows):
            pop = f"+{ins:.1f}" if k == 0 else ""
            print(f"{label(size) if k == 0 else '':>5s}  {pop:>10s}  {r.variant:15s} {r.rate:10.0f} {r.p50:9.3f} "
                  f"{r.p99:9.3f} {r.rate / base:7.4f}  {r.notes}")
    print("populate s = bulk INSERT time for the rows added at that size (sizes grow in place).")
    write_json(kind, args, sizes, all_results, skipped, load_before)


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--database-url", default=None,
                    help="postgresql+asyncpg://USER@HOST:PORT/DB: a throwaway database is created beside DB")
    ap.add_argument("--sizes", default="10k,100k,1M", help="comma-separated, ascending (e.g. 10k,100k,1M)")
    ap.add_argument("--xs", type=int, default=200, help="X numbers the bindings are spread over")
    ap.add_argument("--lookups", type=int, default=20_000, help="max lookups per variant and size")
    ap.add_argument("--seconds", type=float, default=10.0, help="max seconds per variant and size")
    ap.add_argument("--batch", type=int, default=50_000, help="bindings per bulk INSERT batch")
    ap.add_argument("--populate-budget", type=float, default=300.0, help="max seconds to populate one size")
    ap.add_argument("--analyze", action="store_true", help="run ANALYZE on SQLite too (PostgreSQL always)")
    args = ap.parse_args()
    sizes = sorted(parse_size(s) for s in args.sizes.split(","))
    began = time.perf_counter()

    if args.database_url is None or is_sqlite(args.database_url):
        work = Path(tempfile.mkdtemp(prefix="privnum-routing-"))
        url = args.database_url or f"sqlite+aiosqlite:///{work / 'bench.db'}"
        try:
            await bench(url, args, sizes)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    else:
        given = make_url(args.database_url)
        admin_dsn = given.set(drivername="postgresql").render_as_string(hide_password=False)
        name = f"privnum_bench_{secrets.token_hex(4)}"
        admin = await asyncpg.connect(admin_dsn)
        try:
            await admin.execute(f'CREATE DATABASE "{name}"')
            print(f"created throwaway database {name}")
            try:
                await bench(given.set(database=name).render_as_string(hide_password=False), args, sizes)
            finally:
                await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                print(f"dropped {name}")
        finally:
            await admin.close()
    print(f"total run {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    asyncio.run(main())
