"""The routing cache across nodes: two ``privnum serve`` processes on one database. Each node has just
routed (or refused) the pair, so a node that kept what it read would route the next call by it; a bind,
a change of B, an unbind and a new bind made through one node decide the very next call on the other.
On PostgreSQL each node caches routing reads, invalidated by LISTEN/NOTIFY; on SQLite no node caches
across processes, and the same sequence must hold."""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from call_lab import LAB_ENV
from huawei_client import HuaweiClient
from receiver import Receiver
from servers import BACKENDS, PRIVNUM, Server, drop_database, free_port, fresh_database_url, new_numbers, new_users

NO_BINDING = 8014
START_S = 120  # a node starting on a busy 2-core box (servers.serve allows 30 s)


@dataclass
class Nodes:
    one: Server
    two_base: str
    logs: list[Path]
    receiver: Receiver


def start_node(env: dict[str, str], workdir: Path) -> tuple[subprocess.Popen, str, Path]:
    port = free_port()
    log_path = workdir / "server.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen([*PRIVNUM, "serve", "--port", str(port)], env={**env, "PRIVNUM_PORT": str(port)},
                                   cwd=workdir, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"privnum serve exited: {log_path.read_text()}")
        try:
            if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                return process, base, log_path
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise AssertionError(f"privnum serve did not come up in {START_S} s: {log_path.read_text()}")


@pytest.fixture(scope="module", params=BACKENDS)
def nodes(request: pytest.FixtureRequest) -> Iterator[Nodes]:
    """Two nodes on one fresh database; ``one`` also runs the CLI."""
    workdir = Path(tempfile.mkdtemp(prefix=f"privnum-{request.param}-nodes-"))
    url = fresh_database_url(request.param, workdir)
    env = {**os.environ, "PRIVNUM_DATABASE_URL": url, "PRIVNUM_AUTH_LOCKOUT_FAILURES": "1000000", "PRIVNUM_SIP": "0",
           **LAB_ENV}
    env.pop("PRIVNUM_REDIS_URL", None)
    processes: list[subprocess.Popen] = []
    receiver = Receiver(workdir)
    try:
        one = Server(request.param, "", url, workdir, env)
        one.cli("db", "upgrade")
        (workdir / "node2").mkdir()
        bases, logs = [], []
        for where in (workdir, workdir / "node2"):
            process, base, log_path = start_node(env, where)
            processes.append(process)
            bases.append(base)
            logs.append(log_path)
        one.base = bases[0]
        yield Nodes(one, bases[1], logs, receiver)
    finally:
        for process in processes:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        receiver.stop()
        drop_database(url)


def call(nodes: Nodes, base: str, events: str, caller: str, x: str) -> tuple[str, Any]:
    """A sandbox call placed on the node at ``base``: ("routed", the forwarded callee) or ("refused", stateCode)."""
    body = {"caller": caller, "called": x, "callee": {"answer_after_ms": 20, "talk_ms": 20}}
    r = httpx.post(f"{base}/sandbox/v1/calls", json=body, timeout=30, headers={"Connection": "close"})
    assert r.status_code == 201, r.text
    session = r.json()["session_id"]
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        for record in nodes.receiver.records(path=events):
            info = record["body"].get("statusInfo", {})
            if info.get("sessionId") != session:
                continue
            if record["body"]["eventType"] == "callout":
                return "routed", info["called"]
            if record["body"]["eventType"] == "disconnect":
                return "refused", info["stateCode"]
        time.sleep(0.05)
    raise AssertionError(f"call {session} from {caller} to {x} on {base}: no callout nor disconnect pushed")


def test_a_change_through_one_node_decides_the_next_call_on_the_other(nodes: Nodes) -> None:
    one, two = nodes.one.base, nodes.two_base
    events = f"/events/{time.monotonic_ns()}"
    key, secret = nodes.one.create_app("AXB", "--callback-url", nodes.receiver.base + events)
    [x] = new_numbers(1)
    nodes.one.add_numbers(key, "0755", [x])
    via_one, via_two = HuaweiClient(one, key, secret), HuaweiClient(two, key, secret)
    a, b, b2, b3 = new_users(4)
    try:
        for base in (one, two):  # both nodes have read "no binding" for A and for B on X
            assert call(nodes, base, events, a, x) == ("refused", NO_BINDING)
            assert call(nodes, base, events, b, x) == ("refused", NO_BINDING)

        bound = via_one.axb_bind(relationNum=x, callerNum=a, calleeNum=b)
        assert bound.ok, bound
        subscription = bound.body["subscriptionId"]
        assert call(nodes, two, events, a, x) == ("routed", b)
        assert call(nodes, two, events, b, x) == ("routed", a)
        assert call(nodes, one, events, a, x) == ("routed", b)

        assert via_one.axb_modify(subscriptionId=subscription, calleeNum=b2).ok  # B replaced
        assert call(nodes, two, events, a, x) == ("routed", b2)
        assert call(nodes, two, events, b, x) == ("refused", NO_BINDING)
        assert call(nodes, one, events, b2, x) == ("routed", a)

        assert via_two.axb_unbind(subscriptionId=subscription).ok
        assert call(nodes, one, events, a, x) == ("refused", NO_BINDING)
        assert call(nodes, one, events, b2, x) == ("refused", NO_BINDING)

        assert via_two.axb_bind(relationNum=x, callerNum=a, calleeNum=b3).ok  # a new binding, another B
        assert call(nodes, one, events, a, x) == ("routed", b3)
        assert call(nodes, two, events, a, x) == ("routed", b3)
    finally:
        via_one.close()
        via_two.close()
    if nodes.one.backend == "postgres":  # the sequence above ran against each node's cache
        for log in nodes.logs:
            assert "routing cache on: listening" in log.read_text(), log
