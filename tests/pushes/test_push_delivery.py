"""Push delivery end to end: a real ``privnum serve`` delivers pushes written into its outbox to a
real receiver process (tests/support/receiver.py) standing in for the customer's server.

Time scale 0.0005: the retry ladder 1, 4, 9, 106, 203, 300 minutes becomes 30 ms, 120 ms, 270 ms,
3.2 s, 6.1 s, 9 s. The always-failing push is enqueued when the fixture starts so its ~19 s ladder
runs while the other tests do.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
from sqlalchemy import text

from privnum.adapters.db.database import open_database
from privnum.adapters.db.outbox_delivery import SqlOutbox
from privnum.adapters.db.outbox_enqueue import enqueue
from privnum.adapters.push.block_client import exchange, log_block_push
from privnum.domain.pushes import RETRY_LADDER_MINUTES, OutboundPush, PushKind
from privnum.huawei.call_pushes import merge_cdr_bodies
from privnum.service.authentication import aksk_digest
from receiver import Receiver
from servers import BACKENDS, Server, drop_database, serve, start_server

TIME_SCALE = 0.0005
_X_AKSK = re.compile(r'(\w+)="([^"]*)"')


@dataclass
class Env:
    server: Server
    receiver: Receiver
    app_key: str
    app_secret: str
    app_id: int
    dead_push_id: str
    dead_path: str


def run(coro: Any) -> Any:
    return asyncio.run(coro)


async def _app_id(url: str, app_key: str) -> int:
    db = open_database(url)
    try:
        async with db.reading() as conn:
            return (await conn.execute(text("SELECT id FROM apps WHERE app_key = :k"), {"k": app_key})).scalar_one()
    finally:
        await db.dispose()


def push_into(env: Env, items: list[tuple[PushKind, str, dict[str, Any], str | None]]) -> list[str]:
    """Enqueue (kind, path, body, order_key) items in one transaction; their push ids."""
    ids = [uuid.uuid4().hex for _ in items]

    async def go() -> None:
        db = open_database(env.server.database_url)
        try:
            async with db.transaction() as conn:
                await enqueue(conn, [OutboundPush(env.app_id, kind, env.receiver.base + path, body, order_key, pid)
                                     for (kind, path, body, order_key), pid in zip(items, ids, strict=True)],
                              int(time.time() * 1000))
        finally:
            await db.dispose()

    run(go())
    return ids


def rows_of(env: Env, push_ids: list[str]) -> dict[str, dict[str, Any]]:
    async def go() -> dict[str, dict[str, Any]]:
        db = open_database(env.server.database_url)
        try:
            async with db.reading() as conn:
                found = (await conn.execute(text("SELECT * FROM pushes"))).mappings().all()
            wanted = set(push_ids)
            return {r["push_id"]: dict(r) for r in found if r["push_id"] in wanted}
        finally:
            await db.dispose()

    return run(go())


def wait_for(check: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def all_delivered(env: Env, push_ids: list[str]) -> Callable[[], bool]:
    def check() -> bool:
        rows = rows_of(env, push_ids)
        return len(rows) == len(push_ids) and all(r["state"] == "delivered" for r in rows.values())
    return check


def header(record: dict[str, Any], name: str) -> str | None:
    return next((v for k, v in record["headers"].items() if k.lower() == name.lower()), None)


def event(n: int) -> dict[str, Any]:
    return {"eventType": "callin", "statusInfo": {"sessionId": f"s-{n}", "timestamp": "2026-01-01 00:00:00",
                                                  "caller": "+8613900000000", "called": "+8617000000000"}}


def pushes_cli(server: Server, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """``privnum pushes ...`` (straight from cli_pushes until it is mounted in the main CLI)."""
    from privnum.entrypoints.cli import cli

    if any(group.name == "pushes" for group in cli.registered_groups):
        return server.cli("pushes", *args, check=check)
    command = [sys.executable, "-c", "from privnum.entrypoints.cli.pushes import pushes_cli; pushes_cli()", *args]
    done = subprocess.run(command, env=server.env, cwd=server.workdir, capture_output=True, text=True, timeout=120)
    if check and done.returncode != 0:
        raise AssertionError(f"privnum pushes {' '.join(args)} failed: {done.stdout}\n{done.stderr}")
    return done


def restart(server: Server) -> None:
    port = server.base.rpartition(":")[2]
    server.process = serve(server.env, server.workdir, port, server.workdir / "server-restarted.log")


@pytest.fixture(scope="module", params=BACKENDS)
def env(request: pytest.FixtureRequest) -> Iterator[Env]:
    server = start_server(request.param, {"PRIVNUM_TIME_SCALE": str(TIME_SCALE)})
    receiver = Receiver(server.workdir)
    try:
        key, secret = server.create_app("AXB", "--callback-url", f"{receiver.base}/events",
                                        "--cdr-url", f"{receiver.base}/cdr")
        e = Env(server, receiver, key, secret, run(_app_id(server.database_url, key)), "", f"/dead-{uuid.uuid4().hex}")
        receiver.control(path=e.dead_path, mode="fail", status=503)
        e.dead_push_id = push_into(e, [(PushKind.CALL_EVENT, e.dead_path, event(0), None)])[0]
        yield e
    finally:
        receiver.stop()
        server.stop()
        drop_database(server.database_url)


def test_delivered_once_with_push_id_and_valid_signature(env: Env) -> None:
    body = event(1)
    [pid] = push_into(env, [(PushKind.CALL_EVENT, "/events", body, "call-1")])
    wait_for(all_delivered(env, [pid]), 10, "delivery")
    time.sleep(0.2)
    got = [r for r in env.receiver.records("/events") if header(r, "X-Push-Id") == pid]
    assert len(got) == 1
    record = got[0]
    assert record["method"] == "POST" and record["body"] == body
    assert header(record, "Content-Type") == "application/json;charset=UTF-8"
    assert header(record, "Authorization") == 'AKSK realm="SDP",profile="UsernameToken",type="Appkey"'
    token = header(record, "X-AKSK")
    assert token is not None and token.startswith("UsernameToken ")
    fields = dict(_X_AKSK.findall(token))
    assert fields["Username"] == env.app_key
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", fields["Created"])
    assert fields["PasswordDigest"] == aksk_digest(env.app_secret, fields["Nonce"], fields["Created"])
    row = rows_of(env, [pid])[pid]
    assert row["attempts"] == 1 and row["delivered_at_ms"] is not None


def test_order_per_call_kept_while_the_first_push_is_retried(env: Env) -> None:
    path = f"/order-{uuid.uuid4().hex}"
    env.receiver.control(path=path, mode="fail", status=500, times=2)
    key = f"call-{uuid.uuid4().hex}"
    ids = push_into(env, [(PushKind.CALL_EVENT, path, event(n), key) for n in range(5)])
    wait_for(all_delivered(env, ids), 15, "ordered delivery")
    seen = [(header(r, "X-Push-Id"), r["status"]) for r in env.receiver.records(path)]
    assert seen == [(ids[0], 500), (ids[0], 500), *[(i, 200) for i in ids]]


def test_retry_ladder_counts_from_the_previous_failure(env: Env) -> None:
    path = f"/ladder-{uuid.uuid4().hex}"
    env.receiver.control(path=path, mode="fail", status=502, times=3)
    [pid] = push_into(env, [(PushKind.CALL_EVENT, path, event(2), "call-ladder")])
    wait_for(all_delivered(env, [pid]), 15, "delivery after retries")
    records = env.receiver.records(path)
    assert [r["status"] for r in records] == [502, 502, 502, 200]
    assert {header(r, "X-Push-Id") for r in records} == {pid}
    assert len({header(r, "X-AKSK") for r in records}) == 4  # a fresh nonce each time
    gaps = [(b["t"] - a["t"]) * 1000 for a, b in itertools.pairwise(records)]
    expected = [m * 60_000 * TIME_SCALE for m in RETRY_LADDER_MINUTES[:3]]  # 30, 120, 270 ms
    # Each wait is at least its own step, measured from the failure before it: were the
    # ladder counted from the first attempt, the third gap would be 270 - 150 = 120 ms.
    # The upper bound allows a worker poll and a loaded machine; a ratio between the gaps
    # was tighter than the scheduler and failed CI on a 52 ms late wake-up.
    for gap, want in zip(gaps, expected, strict=True):
        assert want * 0.9 <= gap <= want + 150, (gaps, expected)
    row = rows_of(env, [pid])[pid]
    assert row["attempts"] == 4 and row["state"] == "delivered"


def test_cdrs_are_batched_fifty_per_message(env: Env) -> None:
    path = f"/cdr-{uuid.uuid4().hex}"
    cdrs = [{"icid": f"icid-{n}", "appKey": env.app_key, "bindNum": "+8617000000000"} for n in range(120)]
    ids = push_into(env, [(PushKind.CDR, path, {"eventType": "fee", "feeLst": [c]}, None) for c in cdrs])

    def fees() -> list[dict[str, Any]]:
        return [f for r in env.receiver.records(path) for f in r["body"]["feeLst"]]

    wait_for(lambda: len(fees()) >= 120, 15, "120 CDRs")
    time.sleep(0.3)
    messages = env.receiver.records(path)
    assert all(m["body"]["eventType"] == "fee" for m in messages)
    assert sorted(len(m["body"]["feeLst"]) for m in messages) == [20, 50, 50]
    assert sorted(f["icid"] for f in fees()) == sorted(c["icid"] for c in cdrs)
    for m in messages:  # oldest first inside a message
        numbers = [int(f["icid"].split("-")[1]) for f in m["body"]["feeLst"]]
        assert numbers == sorted(numbers)
    assert len({header(m, "X-Push-Id") for m in messages}) == 3
    members = rows_of(env, ids)
    assert {r["state"] for r in members.values()} == {"batched"}
    assert len({r["batch_id"] for r in members.values()}) == 3


def test_sigkill_mid_delivery_then_restart_delivers_everything(env: Env) -> None:
    path = f"/slow-{uuid.uuid4().hex}"
    env.receiver.control(path=path, mode="slow", delay_ms=150)
    ids = push_into(env, [(PushKind.CALL_EVENT, path, event(n), None) for n in range(300)])
    wait_for(lambda: len(env.receiver.records(path)) >= 40, 15, "deliveries under way")
    assert env.server.process is not None
    os.kill(env.server.process.pid, signal.SIGKILL)
    env.server.process.wait(timeout=10)
    rows = rows_of(env, ids)
    assert sum(r["state"] != "delivered" for r in rows.values()) > 0, "killed too late: nothing left pending"
    env.receiver.control(path=path, mode="ok")
    restart(env.server)
    wait_for(all_delivered(env, ids), 40, "every push delivered after the restart")
    received = [header(r, "X-Push-Id") for r in env.receiver.records(path)]
    assert set(received) == set(ids)  # at least once; receivers drop duplicates by X-Push-Id


def test_block_callin_is_asked_once_and_logged(env: Env) -> None:
    path = f"/block-{uuid.uuid4().hex}"
    answer = {"operation": "connect", "connectInfo": {"calleeNum": "+8613900000001"}}
    env.receiver.control(path=path, mode="ok", block_answer=answer)

    async def go() -> tuple[Any, Any, Any]:
        db = open_database(env.server.database_url)
        try:
            async with aiohttp.ClientSession() as session:
                asked = await exchange(session, env.receiver.base + path, env.app_key, env.app_secret, event(3),
                                       "block-ok-" + uuid.uuid4().hex, 2.0)
                ok = asked.answer, asked.reason
                env.receiver.control(path=path, mode="fail", status=500)
                failed = await exchange(session, env.receiver.base + path, env.app_key, env.app_secret, event(4),
                                        "block-ko-" + uuid.uuid4().hex, 2.0)
                row_id = await log_block_push(SqlOutbox(db, merge_cdr_bodies), app_id=env.app_id,
                                              url=env.receiver.base + path, body=event(4),
                                              push_id="block-ko-logged-" + uuid.uuid4().hex, result=failed)
            async with db.reading() as conn:
                row = (await conn.execute(text("SELECT state, attempts FROM pushes WHERE id = :i"),
                                          {"i": row_id})).one()
            return ok, failed, tuple(row)
        finally:
            await db.dispose()

    ok, failed, row = run(go())
    assert ok == (answer, None)
    assert failed.answer is None and failed.reason == "HTTP 500"
    assert row == ("failed", 1)
    time.sleep(0.3)
    assert len(env.receiver.records(path)) == 2  # never retried


def test_dead_letter_listed_and_replayed_with_the_same_push_id(env: Env) -> None:
    pid = env.dead_push_id

    def dead() -> bool:
        return rows_of(env, [pid])[pid]["state"] == "dead"

    wait_for(dead, 45, "the failing push to be dead-lettered")
    records = env.receiver.records(env.dead_path)
    assert len(records) == 7 and {r["status"] for r in records} == {503}
    assert {header(r, "X-Push-Id") for r in records} == {pid}
    listed = json.loads(pushes_cli(env.server, "list", "--dead", "--app", env.app_key, "--json").stdout)
    assert [p["push_id"] for p in listed] == [pid]
    assert listed[0]["attempts"] == 7 and listed[0]["last_error"] == "HTTP 503"
    assert json.loads(pushes_cli(env.server, "list", "--dead", "--app", "no-such-app", "--json").stdout) == []
    shown = json.loads(pushes_cli(env.server, "show", pid, "--json").stdout)
    assert shown["push"]["state"] == "dead" and shown["body"] == event(0)
    assert [(a["http_status"], a["error"]) for a in shown["attempts"]] == [(503, "HTTP 503")] * 7
    assert [a["at_ms"] for a in shown["attempts"]] == sorted(a["at_ms"] for a in shown["attempts"])
    missing = pushes_cli(env.server, "show", "no-such-push", check=False)
    assert missing.returncode == 1 and "no push no-such-push" in missing.stderr + missing.stdout
    env.receiver.control(path=env.dead_path, mode="ok")
    pushes_cli(env.server, "replay", str(listed[0]["id"]))
    wait_for(all_delivered(env, [pid]), 10, "the replayed push")
    last = env.receiver.records(env.dead_path)[-1]
    assert last["status"] == 200 and header(last, "X-Push-Id") == pid
    after = json.loads(pushes_cli(env.server, "show", str(listed[0]["id"]), "--json").stdout)
    assert after["push"]["state"] == "delivered" and after["attempts"][-1]["http_status"] == 200
    again = pushes_cli(env.server, "replay", pid, check=False)
    assert again.returncode == 1 and "delivered" in again.stderr + again.stdout
