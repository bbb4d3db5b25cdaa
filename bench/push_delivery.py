"""Push delivery throughput and latency, beside raw aiohttp posting to the same receiver in the same run.

Starts tests/support/receiver.py (one process, no log) as the customer's server, then in this process:

1. raw: N signed POSTs with one aiohttp session, ``--concurrency`` in flight (the ceiling);
2. backlog: N events enqueued into a fresh outbox, then one PushWorker drains it (events/s);
3. paced: events enqueued at half the backlog rate (the engine's pattern: a transaction, then
   ``notify()``), enqueue→delivery p50/p99 from the rows' created/delivered instants.

    .venv/bin/python bench/push_delivery.py                       # SQLite, 20 000 events
    .venv/bin/python bench/push_delivery.py --events 5000 --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/DB

Bounded: at most --events (≤ 50 000) per phase and --max-seconds per phase.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

import aiohttp
from sqlalchemy import text

from privnum.adapters.db.database import open_database
from privnum.adapters.db.migrate import upgrade
from privnum.adapters.db.outbox_delivery import SqlOutbox
from privnum.adapters.db.outbox_enqueue import enqueue
from privnum.adapters.db.tenancy_store import SqlTenancyStore
from privnum.adapters.push.worker import PushWorker
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


def start_receiver() -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen([sys.executable, str(ROOT / "tests" / "support" / "receiver.py"), "--port", str(port)])
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


async def main_async(args: argparse.Namespace, base: str, url: str) -> None:
    db = open_database(url)
    apps = SqlTenancyStore(db)
    created = await Apps(apps).create(enterprise=f"bench-{uuid.uuid4().hex[:6]}", name="bench", mode=Mode.AXB,
                                      callbacks=CallbackUrls(call_status=f"{base}/events"), recording=False,
                                      sms=False, ip_allowlist=[], extension_length=4)
    app = await apps.by_key(created.app_key)
    assert app is not None
    target = f"{base}/events"
    n = args.events

    ok, raw_s = await raw_posting(target, created.app_key, created.app_secret, n, args.concurrency, args.max_seconds)
    raw_rate = ok / raw_s
    print(f"raw aiohttp    : {ok} POSTs in {raw_s:.2f} s = {raw_rate:,.0f}/s (concurrency {args.concurrency})")

    # backlog
    first = await max_id(db)
    start = time.perf_counter()
    for chunk in range(0, n, 1000):
        async with db.transaction() as conn:
            await enqueue(conn, [OutboundPush(app.id, PushKind.CALL_EVENT, target, body(i), f"call-{i}")
                                 for i in range(chunk, min(n, chunk + 1000))], int(time.time() * 1000))
    enqueue_s = time.perf_counter() - start
    print(f"enqueue        : {n} in {enqueue_s:.2f} s = {n / enqueue_s:,.0f}/s (1000 per transaction)")
    worker = PushWorker(SqlOutbox(db, merge_cdr_bodies), time_scale=1.0, concurrency=args.concurrency, timeout_s=10.0)
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
    print(f"worker backlog : {delivered} delivered in {backlog_s:.2f} s = {backlog_rate:,.0f}/s "
          f"(ratio to raw {backlog_rate / raw_rate:.2f})")

    # paced
    first = await max_id(db)
    rate = backlog_rate * args.paced_fraction
    m = min(n, int(rate * 10)) or 1  # about ten seconds of load
    per_tick, tick = max(1, int(rate / 100)), 0.01
    start = time.perf_counter()
    sent = 0
    while sent < m and time.perf_counter() - start < args.max_seconds:
        count = min(per_tick, m - sent)
        async with db.transaction() as conn:
            await enqueue(conn, [OutboundPush(app.id, PushKind.CALL_EVENT, target, body(i), f"paced-{i}")
                                 for i in range(sent, sent + count)], int(time.time() * 1000))
        worker.notify()
        sent += count
        await asyncio.sleep(max(0.0, start + (sent / per_tick) * tick - time.perf_counter()))
    while time.perf_counter() - start < 2 * args.max_seconds and await delivered_count(db, first) < sent:
        await asyncio.sleep(0.05)
    lat = await latencies(db, first)
    print(f"worker paced   : {len(lat)}/{sent} at ~{sent / max(1e-9, time.perf_counter() - start):,.0f}/s offered "
          f"({args.paced_fraction:.0%} of backlog rate): enqueue→delivery p50 {pct(lat, 0.5):.0f} ms, "
          f"p99 {pct(lat, 0.99):.0f} ms, mean {statistics.fmean(lat) if lat else float('nan'):.1f} ms")
    await worker.stop()
    await db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    parser.add_argument("--paced-fraction", type=float, default=0.5)
    parser.add_argument("--max-seconds", type=float, default=60.0, help="bound per phase")
    args = parser.parse_args()
    args.events = max(1, min(args.events, 50_000))
    url = args.database_url or f"sqlite+aiosqlite:///{tempfile.mkdtemp(prefix='privnum-bench-')}/privnum.db"
    upgrade(url)
    receiver, base = start_receiver()
    try:
        import uvloop

        uvloop.run(main_async(args, base, url))
    finally:
        receiver.terminate()
        receiver.wait(timeout=10)


if __name__ == "__main__":
    main()
