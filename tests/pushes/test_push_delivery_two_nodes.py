"""Two ``privnum serve`` processes on one PostgreSQL database both run delivery workers (issue 16): each push is
delivered exactly once per attempt (``FOR UPDATE SKIP LOCKED`` leases), and the events of one call reach the
customer's server in enqueue order, across retries, whichever node sends which.

The receiver answers slowly (200 ms) and each node delivers at most 4 pushes at once, so a node starts at most
4 requests in any 100 ms: more than 4 in one 100 ms window shows that both nodes delivered. The receiver fails
the first 20 requests (503), which sends those pushes along the retry ladder (time scale 0.0005: 30 ms, 120 ms)."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from privnum.adapters.db.database import open_database
from privnum.adapters.db.outbox_enqueue import enqueue
from privnum.domain.pushes import OutboundPush, PushKind
from receiver import Receiver
from servers import POSTGRES_URL, Server, drop_database, free_port, serve, start_server

pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason="PRIVNUM_TEST_POSTGRES_URL not set")

PER_NODE = 4
CALLS, EVENTS_PER_CALL = 40, 5
SLOW_MS = 200
FAILED_FIRST = 20


def app_id_of(url: str, app_key: str) -> int:
    async def go() -> int:
        db = open_database(url)
        try:
            async with db.reading() as conn:
                found = await conn.execute(text("SELECT id FROM apps WHERE app_key = :k"), {"k": app_key})
                return int(found.scalar_one())
        finally:
            await db.dispose()

    return asyncio.run(go())


def enqueue_calls(url: str, app_id: int, target: str) -> dict[str, tuple[int, int]]:
    """CALLS calls of EVENTS_PER_CALL events each, every event its own transaction in the engine's order (each
    call's events in turn, calls interleaved); push id → (call, event index)."""
    pushes = {f"c{call}-e{e}-{uuid.uuid4().hex[:8]}": (call, e)
              for e in range(EVENTS_PER_CALL) for call in range(CALLS)}

    async def go() -> None:
        db = open_database(url)
        try:
            for push_id, (call, e) in pushes.items():
                async with db.transaction() as conn:
                    body = {"eventType": "callin", "statusInfo": {"sessionId": f"s-{call}", "event": e}}
                    await enqueue(conn, [OutboundPush(app_id, PushKind.CALL_EVENT, target, body,
                                                      f"call-{call}", push_id)], int(time.time() * 1000))
        finally:
            await db.dispose()

    asyncio.run(go())
    return pushes


def states(url: str, push_ids: set[str]) -> dict[str, tuple[str, int]]:
    """push id → (state, attempts recorded in push_attempts)."""
    async def go() -> dict[str, tuple[str, int]]:
        db = open_database(url)
        try:
            async with db.reading() as conn:
                rows = (await conn.execute(text(
                    "SELECT p.push_id, p.state, count(a.id) AS attempts FROM pushes p "
                    "LEFT JOIN push_attempts a ON a.push_row_id = p.id GROUP BY p.push_id, p.state"))).all()
        finally:
            await db.dispose()
        return {row.push_id: (row.state, row.attempts) for row in rows if row.push_id in push_ids}

    return asyncio.run(go())


@pytest.fixture
def two_nodes() -> Iterator[tuple[Server, Server, Receiver]]:
    extra = {"PRIVNUM_TIME_SCALE": "0.0005", "PRIVNUM_PUSH_CONCURRENCY": str(PER_NODE)}
    first = start_server("postgres", extra)
    port = free_port()
    second = Server("postgres", f"http://127.0.0.1:{port}", first.database_url, first.workdir,
                    {**first.env, "PRIVNUM_PORT": str(port)})
    receiver = Receiver(first.workdir)
    try:
        second.process = serve(second.env, second.workdir, port, second.workdir / "server-2.log")
        yield first, second, receiver
    finally:
        receiver.stop()
        second.stop()
        first.stop()
        drop_database(first.database_url)


def test_two_nodes_deliver_each_push_once_per_attempt_in_call_order(
        two_nodes: tuple[Server, Server, Receiver]) -> None:
    first, _, receiver = two_nodes
    key, _ = first.create_app("AXB", "--callback-url", f"{receiver.base}/events")
    receiver.control(mode="slow", delay_ms=SLOW_MS)
    receiver.control(path="/events", mode="fail", status=503, times=FAILED_FIRST)
    pushes = enqueue_calls(first.database_url, app_id_of(first.database_url, key), f"{receiver.base}/events")

    deadline = time.monotonic() + 90
    found: dict[str, tuple[str, int]] = {}
    while time.monotonic() < deadline:
        found = states(first.database_url, set(pushes))
        if len(found) == len(pushes) and all(state == "delivered" for state, _ in found.values()):
            break
        time.sleep(0.2)
    assert sorted(Counter(state for state, _ in found.values()).items()) == [("delivered", len(pushes))]

    received = sorted(receiver.records("/events"), key=lambda r: r["t"])
    ids = [next(v for k, v in r["headers"].items() if k.lower() == "x-push-id") for r in received]
    assert set(ids) == set(pushes)
    # exactly once per attempt: the receiver saw each push as often as the attempts recorded for it
    assert Counter(ids) == Counter({push_id: attempts for push_id, (_, attempts) in found.items()})
    assert sum(status != 200 for status in (r["status"] for r in received)) == FAILED_FIRST
    assert sum(Counter(ids).values()) == len(pushes) + FAILED_FIRST

    # per call, every attempt of event e comes before any attempt of event e + 1
    seen: dict[int, list[int]] = defaultdict(list)
    for push_id in ids:
        call, event = pushes[push_id]
        seen[call].append(event)
    assert {call: events == sorted(events) for call, events in seen.items()} == {c: True for c in range(CALLS)}

    # both nodes delivered: one node starts at most PER_NODE requests in any window shorter than SLOW_MS
    starts = [r["t"] for r in received if r["status"] == 200]
    busiest = max(sum(1 for t in starts if s <= t < s + SLOW_MS / 2000) for s in starts)
    assert busiest > PER_NODE, f"at most {busiest} requests started within {SLOW_MS // 2} ms: one node delivered"
