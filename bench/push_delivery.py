"""Push delivery throughput and latency, beside raw aiohttp posting to the same receiver in the same run.

Starts tests/support/receiver.py (one process, no log) as the customer's server, then in this process:

1. raw: N signed POSTs with one aiohttp session, ``--concurrency`` in flight (the ceiling);
2. backlog: N events enqueued into a fresh outbox, then one PushWorker drains it (events/s);
3. paced: events enqueued at half the backlog rate (the engine's pattern: a transaction, then
   ``notify()``), enqueue→delivery p50/p99 from the rows' created/delivered instants.

    .venv/bin/python bench/push_delivery.py                       # SQLite, 20 000 events
    .venv/bin/python bench/push_delivery.py --events 5000 --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/DB

Several nodes (PostgreSQL only): ``--nodes 2`` runs the delivery worker of node 1 in this process (the enqueuer,
which wakes it with ``notify()`` as the engine does) and one more worker process per further node on the same
database (they poll, as another node's worker does). The receiver then logs every request and the run checks,
at the receiver, that every push id arrived exactly once (one attempt each: the receiver always answers 200) and
that the events of each call (``--calls`` concurrent calls, events round-robin over them) arrived in enqueue
order. ``--paced-rate 3700`` paces the third phase at that many events/s instead of a fraction of the backlog
rate. On PostgreSQL the URL names an existing database: a throwaway one is created beside it and dropped.

    PYTHONPATH=src .venv/bin/python bench/push_delivery.py --nodes 2 --paced-rate 3700 \
        --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/test

Bounded: at most --events (≤ 50 000) per phase and --max-seconds per phase.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
from sqlalchemy import text
from sqlalchemy.engine import make_url

from privnum.adapters.db.database import open_database
from privnum.adapters.db.management_unit import SqlManagementUnit
from privnum.adapters.db.migrate import upgrade
from privnum.adapters.db.outbox_delivery import SqlOutbox
from privnum.adapters.db.outbox_enqueue import enqueue
from privnum.adapters.db.tenancy_store import SqlTenancyStore
from privnum.adapters.push.worker import PushWorker
from privnum.domain.access import Actor
from privnum.domain.apps import CallbackUrls
from privnum.domain.modes import Mode
from privnum.domain.pushes import OutboundPush, PushKind
from privnum.huawei.aksk import push_headers
from privnum.huawei.call_pushes import merge_cdr_bodies
from privnum.service.management.apps import Apps

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_receiver(log: Path | None = None) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen([sys.executable, str(ROOT / "tests" / "support" / "receiver.py"), "--port", str(port),
                                *(["--log", str(log)] if log else [])])
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 15
    while True:
        try:
            with urllib.request.urlopen(f"{base}/_health", timeout=1):
                return process, base
        except OSError:
            if time.monotonic() > deadline:
                process.kill()
                raise SystemExit("receiver did not start") from None
            time.sleep(0.05)


def body(n: int) -> dict:
    return {"eventType": "disconnect", "statusInfo": {
        "sessionId": f"1202_1051_{n}_20260101000000@callenabler246.huaweicaas.com", "timestamp": "2026-01-01 00:00:00",
        "caller": "+8613900000000", "called": "+8617000000000", "stateCode": 0,
        "stateDesc": "The user releases the call.", "subscriptionId": str(uuid.uuid4())}}


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(p * len(values)))] if values else float("nan")


async def raw_posting(url: str, key: str, secret: str, n: int, concurrency: int, max_s: float) -> tuple[int, float]:
    payloads = [json.dumps(body(i), separators=(",", ":")).encode() for i in range(n)]
    counter = iter(range(n))
    done = 0
    deadline = time.perf_counter() + max_s

    async def worker(session: aiohttp.ClientSession) -> None:
        nonlocal done
        while time.perf_counter() < deadline:
            i = next(counter, None)
            if i is None:
                return
            async with session.post(url, data=payloads[i], headers=push_headers(key, secret, uuid.uuid4().hex)) as r:
                await r.read()
                done += r.status == 200

    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector, skip_auto_headers=("User-Agent",)) as session:
        start = time.perf_counter()
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
        return done, time.perf_counter() - start


async def delivered_count(db, since_id: int) -> int:
    async with db.reading() as conn:
        return (await conn.execute(text("SELECT count(*) FROM pushes WHERE state = 'delivered' AND id > :i"),
                                   {"i": since_id})).scalar_one()


async def max_id(db) -> int:
    async with db.reading() as conn:
        return (await conn.execute(text("SELECT coalesce(max(id), 0) FROM pushes"))).scalar_one()


async def latencies(db, since_id: int) -> list[int]:
    async with db.reading() as conn:
        rows = (await conn.execute(text("SELECT delivered_at_ms - created_at_ms FROM pushes "
                                        "WHERE state = 'delivered' AND id > :i"), {"i": since_id})).all()
    return [r[0] for r in rows]


def paced_push(app_id: int, target: str, phase: str, i: int, calls: int | None) -> OutboundPush:
    """Event ``i`` of a phase: with ``calls``, of call ``i % calls`` (its order key), else a call of its own."""
    order_key = f"{phase}-{i % calls}" if calls else f"{phase}-{i}"
    return OutboundPush(app_id, PushKind.CALL_EVENT, target, body(i), order_key, f"{phase}-{i:06d}-{uuid.uuid4().hex}")


def check_receipts(log: Path, phase: str, sent: int, calls: int) -> dict[str, int]:
    """At the receiver: each push id of ``phase`` received once, and each call's events in enqueue order."""
    received: list[str] = []
    for line in log.read_text().splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue  # the receiver is still writing its last line
        push_id = next((v for k, v in record["headers"].items() if k.lower() == "x-push-id"), "")
        if push_id.startswith(f"{phase}-"):
            received.append(push_id)
    counts = Counter(received)
    last_of_call: dict[int, int] = {}
    out_of_order = 0
    for push_id in received:
        i = int(push_id.split("-")[1])
        call = i % calls
        if last_of_call.get(call, -1) > i:
            out_of_order += 1
        last_of_call[call] = max(i, last_of_call.get(call, -1))
    return {"sent": sent, "distinct_received": len(counts), "duplicates": sum(c - 1 for c in counts.values()),
            "out_of_order": out_of_order}


async def worker_process(url: str, concurrency: int) -> None:
    """Another node's delivery worker (``--worker``): polls the outbox of ``url`` until SIGTERM."""
    db = open_database(url)
    worker = PushWorker(SqlOutbox(db, merge_cdr_bodies), time_scale=1.0, concurrency=concurrency, timeout_s=10.0)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    worker.start()
    print("ready", flush=True)
    await stop.wait()
    await worker.stop()
    await db.dispose()


def start_workers(url: str, nodes: int, concurrency: int) -> list[subprocess.Popen]:
    """One delivery worker process per node beyond the first, each ready (its worker running) when this returns."""
    workers = [subprocess.Popen([sys.executable, __file__, "--worker", url, "--concurrency", str(concurrency)],
                                stdout=subprocess.PIPE, text=True) for _ in range(nodes - 1)]
    for process in workers:
        assert process.stdout is not None
        if process.stdout.readline().strip() != "ready":
            raise SystemExit("a delivery worker process did not start")
    return workers


def stop_workers(workers: list[subprocess.Popen]) -> None:
    for process in workers:
        process.terminate()
    for process in workers:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


async def main_async(args: argparse.Namespace, base: str, url: str, log: Path | None) -> dict[str, Any]:
    db = open_database(url)
    apps = SqlTenancyStore(db)
    created = await Apps(SqlManagementUnit(db)).create(
        Actor.cli("cli:bench"), enterprise=f"bench-{uuid.uuid4().hex[:6]}", name="bench", mode=Mode.AXB,
        callbacks=CallbackUrls(call_status=f"{base}/events"), recording=False, sms=False, ip_allowlist=[],
        extension_length=4)
    app = await apps.by_key(created.app_key)
    assert app is not None
    target = f"{base}/events"
    n = args.events
    calls = args.calls if args.calls is not None else (1000 if args.nodes > 1 else None)
    result: dict[str, Any] = {"nodes": args.nodes, "events": n, "concurrency": args.concurrency, "calls": calls}

    ok, raw_s = await raw_posting(target, created.app_key, created.app_secret, n, args.concurrency, args.max_seconds)
    raw_rate = ok / raw_s
    result["raw_per_s"] = raw_rate
    print(f"raw aiohttp    : {ok} POSTs in {raw_s:.2f} s = {raw_rate:,.0f}/s (concurrency {args.concurrency})")

    workers: list[subprocess.Popen] = []
    worker = PushWorker(SqlOutbox(db, merge_cdr_bodies), time_scale=1.0, concurrency=args.concurrency, timeout_s=10.0)
    try:
        # backlog
        first = await max_id(db)
        start = time.perf_counter()
        if args.nodes > 1:
            workers = start_workers(url, args.nodes, args.concurrency)
            start = time.perf_counter()
            async with db.transaction() as conn:  # one transaction: every worker sees the whole backlog at once
                await enqueue(conn, [paced_push(app.id, target, "backlog", i, calls) for i in range(n)],
                              int(time.time() * 1000))
            enqueue_s = time.perf_counter() - start
            print(f"enqueue        : {n} in {enqueue_s:.2f} s = {n / enqueue_s:,.0f}/s (one transaction; "
                  f"{args.nodes - 1} other worker process(es) polling)")
        else:
            for chunk in range(0, n, 1000):
                async with db.transaction() as conn:
                    await enqueue(conn, [paced_push(app.id, target, "backlog", i, calls)
                                         for i in range(chunk, min(n, chunk + 1000))], int(time.time() * 1000))
            enqueue_s = time.perf_counter() - start
            print(f"enqueue        : {n} in {enqueue_s:.2f} s = {n / enqueue_s:,.0f}/s (1000 per transaction)")
        start = time.perf_counter()
        worker.start()
        deadline = start + args.max_seconds
        delivered = 0
        while time.perf_counter() < deadline:
            delivered = await delivered_count(db, first)
            if delivered >= n:
                break
            await asyncio.sleep(0.05)
        backlog_s = time.perf_counter() - start
        backlog_rate = delivered / backlog_s
        result.update(backlog_delivered=delivered, backlog_per_s=backlog_rate, backlog_of_raw=backlog_rate / raw_rate)
        print(f"worker backlog : {delivered} delivered in {backlog_s:.2f} s = {backlog_rate:,.0f}/s "
              f"(ratio to raw {backlog_rate / raw_rate:.2f})")

        # paced
        first = await max_id(db)
        rate = args.paced_rate or backlog_rate * args.paced_fraction
        m = min(n, int(rate * 10)) or 1  # about ten seconds of load
        per_tick, tick = max(1, int(rate / 100)), 0.01
        start = time.perf_counter()
        sent = 0
        while sent < m and time.perf_counter() - start < args.max_seconds:
            count = min(per_tick, m - sent)
            async with db.transaction() as conn:
                await enqueue(conn, [paced_push(app.id, target, "paced", i, calls) for i in range(sent, sent + count)],
                              int(time.time() * 1000))
            worker.notify()
            sent += count
            await asyncio.sleep(max(0.0, start + (sent / per_tick) * tick - time.perf_counter()))
        offered = sent / max(1e-9, time.perf_counter() - start)
        while time.perf_counter() - start < 2 * args.max_seconds and await delivered_count(db, first) < sent:
            await asyncio.sleep(0.05)
        lat = await latencies(db, first)
        result.update(paced_offered_per_s=offered, paced_sent=sent, paced_delivered=len(lat),
                      paced_p50_ms=pct(lat, 0.5), paced_p99_ms=pct(lat, 0.99),
                      paced_mean_ms=statistics.fmean(lat) if lat else None)
        print(f"worker paced   : {len(lat)}/{sent} at ~{offered:,.0f}/s offered: enqueue→delivery "
              f"p50 {pct(lat, 0.5):.0f} ms, p99 {pct(lat, 0.99):.0f} ms, "
              f"mean {statistics.fmean(lat) if lat else float('nan'):.1f} ms")
    finally:
        await worker.stop()
        stop_workers(workers)
        await db.dispose()
    if log is not None and calls:
        time.sleep(0.2)  # the receiver's last lines
        checks = {phase: check_receipts(log, phase, count, calls)
                  for phase, count in (("backlog", n), ("paced", result["paced_sent"]))}
        result["checks"] = checks
        for phase, found in checks.items():
            print(f"check {phase:<8}: {found['distinct_received']}/{found['sent']} push ids received, "
                  f"{found['duplicates']} duplicates, {found['out_of_order']} out of call order "
                  f"({calls} calls)")
        # a push not received within the phases' time bounds is late, not lost: the outbox still holds it
        result["check_failed"] = any(f["duplicates"] or f["out_of_order"] for f in checks.values())
    return result


async def throwaway_postgres(given_url: str) -> tuple[str, Callable[[], Awaitable[None]]]:
    """A fresh database beside the one ``given_url`` names, and how to drop it."""
    given = make_url(given_url)
    name = f"privnum_bench_{uuid.uuid4().hex[:8]}"
    admin_dsn = given.set(drivername="postgresql").render_as_string(hide_password=False)
    admin = await asyncpg.connect(admin_dsn)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()

    async def drop() -> None:
        conn = await asyncpg.connect(admin_dsn)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()

    return given.set(database=name).render_as_string(hide_password=False), drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=32, help="deliveries in flight per worker")
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    parser.add_argument("--nodes", type=int, default=1, help="delivery workers, one process each (PostgreSQL)")
    parser.add_argument("--calls", type=int, default=None,
                        help="calls the events belong to, round-robin (default: with --nodes 1000, else one each); "
                             "the receiver then checks each call's order")
    parser.add_argument("--paced-fraction", type=float, default=0.5)
    parser.add_argument("--paced-rate", type=float, default=None, help="events/s of the paced phase")
    parser.add_argument("--max-seconds", type=float, default=60.0, help="bound per phase")
    parser.add_argument("--worker", metavar="URL", help=argparse.SUPPRESS)  # a further node's worker process
    args = parser.parse_args()
    import uvloop

    if args.worker:
        uvloop.run(worker_process(args.worker, args.concurrency))
        return
    args.events = max(1, min(args.events, 50_000))
    if args.nodes > 1 and not (args.database_url or "").startswith("postgresql"):
        parser.error("--nodes > 1 needs --database-url postgresql+asyncpg://…")
    drop = None
    if args.database_url and args.database_url.startswith("postgresql"):
        url, drop = asyncio.run(throwaway_postgres(args.database_url))
    else:
        url = args.database_url or f"sqlite+aiosqlite:///{tempfile.mkdtemp(prefix='privnum-bench-')}/privnum.db"
    work = Path(tempfile.mkdtemp(prefix="privnum-push-bench-"))
    log = work / "received.jsonl" if args.nodes > 1 or args.calls else None
    try:
        upgrade(url)
        receiver, base = start_receiver(log)
        try:
            result = uvloop.run(main_async(args, base, url, log))
        finally:
            receiver.terminate()
            receiver.wait(timeout=10)
    finally:
        if drop is not None:
            asyncio.run(drop())
        shutil.rmtree(work, ignore_errors=True)
    result.update(backend="PostgreSQL" if drop else "SQLite", load=os.getloadavg())
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    path = results / f"push_delivery-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    print(f"load {os.getloadavg()[0]:.1f}; {path.relative_to(ROOT)}")
    if result.get("check_failed"):
        raise SystemExit("CHECK FAILED: a push received twice or out of its call's order")


if __name__ == "__main__":
    main()
