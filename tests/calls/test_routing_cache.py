"""The routing cache across nodes: two ``privnum serve`` processes on one database. Each node has just
routed (or refused) the pair, so a node that kept what it read would route the next call by it; a bind,
a change of B, an unbind and a new bind made through one node decide the very next call on the other.
On PostgreSQL each node caches routing reads, invalidated by LISTEN/NOTIFY; on SQLite no node caches
across processes, and the same sequence must hold."""

from __future__ import annotations

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
from servers import BACKENDS, Server, drop_database, free_port, new_numbers, new_users, serve, start_server

NO_BINDING = 8014


@dataclass
class Nodes:
    one: Server
    two_base: str
    two_log: Path
    receiver: Receiver


@pytest.fixture(scope="module", params=BACKENDS)
def nodes(request: pytest.FixtureRequest) -> Iterator[Nodes]:
    one = start_server(request.param, LAB_ENV)
    receiver = Receiver(one.workdir)
    workdir = one.workdir / "node2"
    workdir.mkdir()
    port = free_port()
    two = None
    try:
        two = serve({**one.env, "PRIVNUM_PORT": str(port)}, workdir, port, workdir / "server.log")
        yield Nodes(one, f"http://127.0.0.1:{port}", workdir / "server.log", receiver)
    finally:
        if two is not None:
            two.terminate()
            two.wait(timeout=10)
        receiver.stop()
        one.stop()
        drop_database(one.database_url)


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
        for log in (nodes.one.workdir / "server.log", nodes.two_log):
            assert "routing cache on: listening" in log.read_text(), log
