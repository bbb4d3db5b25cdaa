"""privnum's SIP nodes behind the Kamailio edge of ``deploy/kamailio/``: Debian's kamailio runs that file on
loopback ports in front of two ``privnum serve`` nodes on one database; SIPp plays the carrier (callers toward the
edge, the callee on the trunk behind it). Calls hash across both nodes by Call-ID; every request of a dialog
reaches the node that holds it; a killed node is probed out and new calls go to the other."""

from __future__ import annotations

import re
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from call_lab import CallLab, LabApp
from kamailio_edge import KamailioEdge, kamailio_binary
from receiver import Receiver
from servers import POSTGRES_URL, drop_database, free_port, new_users, serve, start_server
from sip_lab import sip_lab_env
from sipp import HOST, SipMessage, SippLab, SippResult, free_udp_ports, sipp_binary, udp_port_bound

BACKEND = "postgres" if POSTGRES_URL else "sqlite"
_NODE_VIA = re.compile(r"SIP/2\.0/UDP [^:;\s]+:(\d+)", re.I)


@dataclass
class EdgeLab:
    edge: KamailioEdge
    nodes: dict[int, subprocess.Popen[bytes]]  # SIP port -> its privnum serve process
    calls: CallLab
    trunk_port: int


@pytest.fixture(scope="module")
def edge_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EdgeLab]:
    kamailio_binary()
    sipp_binary()
    root = tmp_path_factory.mktemp("kamailio-edge")
    receiver = Receiver(root)
    node_ports = free_udp_ports(2)
    trunk_port = free_udp_ports(1)[0]
    edge = KamailioEdge.start(root / "edge", node_ports, trunk_port)
    # every node's trunk is the edge's node side: it trusts the edge's INVITEs and places its legs through it
    first = start_server(BACKEND, sip_lab_env(node_ports[0], edge.nodes_port))
    processes = {node_ports[0]: first.process}
    try:
        second_dir = root / "node-2"
        second_dir.mkdir()
        second_http = free_port()
        second_env = {**first.env, **sip_lab_env(node_ports[1], edge.nodes_port), "PRIVNUM_PORT": str(second_http)}
        processes[node_ports[1]] = serve(second_env, second_dir, second_http, second_dir / "server.log")
        for port in node_ports:
            assert udp_port_bound(port), f"node on {port} has no SIP socket"
        yield EdgeLab(edge, processes, CallLab(first, receiver), trunk_port)  # type: ignore[arg-type]
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
        first.stop()
        edge.stop()
        receiver.stop()
        drop_database(first.database_url)


def axb(calls: CallLab) -> tuple[LabApp, str, str]:
    """A new AXB app with one binding A-X-B; (app, A, X) without the '+'."""
    app = calls.app("AXB", 1)
    a, b = new_users(2)
    r = app.client.axb_bind(relationNum=app.pool[0], callerNum=a, calleeNum=b)
    assert r.ok, r
    return app, a.lstrip("+"), app.pool[0].lstrip("+")


def via_ports(message: SipMessage) -> list[int]:
    """The ports of a request's Via chain, the last hop first."""
    vias = [v for value in message.header_values("Via") for v in value.split(",")]
    ports = [_NODE_VIA.search(via) for via in vias]
    assert all(ports), vias
    return [int(found.group(1)) for found in ports if found]


def node_of(message: SipMessage) -> int:
    """The SIP port of the privnum node a request passed (the edge's Via is the first)."""
    ports = via_ports(message)
    assert len(ports) >= 2, f"the request did not come through the edge and a node:\n{message.raw}"
    return ports[1]


def by_call(messages: list[SipMessage]) -> dict[str, SipMessage]:
    """The first message of each Call-ID."""
    first: dict[str, SipMessage] = {}
    for message in messages:
        first.setdefault(message.header("Call-ID") or "", message)
    return first


def run_calls(lab: EdgeLab, sipp: SippLab, count: int, uac: str = "uac_call", uas: str = "uas_answer",
              hold_ms: int = 200) -> tuple[SippResult, SippResult, LabApp]:
    """``count`` calls A -> X (10 a second) from the carrier through the edge; (caller, callee, app)."""
    app, a, x = axb(lab.calls)
    callee = sipp.start(uas, None, calls=count, port=lab.trunk_port, duration_ms=hold_ms, timeout_s=40)
    assert udp_wait(lab.trunk_port), "the SIPp callee did not bind the trunk's port"
    caller = sipp.start(uac, lab.edge.carrier_side, keys={"caller": a}, calls=count, duration_ms=hold_ms,
                        timeout_s=40, extra_args=["-s", x, "-r", "10", "-l", str(count)])
    caller_result = caller.wait()
    callee_result = callee.wait(15)
    return caller_result, callee_result, app


def udp_wait(port: int, timeout_s: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if udp_port_bound(port):
            return True
        time.sleep(0.02)
    return False


def assert_every_call_reported(lab: EdgeLab, app: LabApp, count: int, timeout_s: float = 30.0) -> None:
    """The customer got answer and disconnect for ``count`` calls of ``app`` (whichever node carried them)."""
    deadline = time.monotonic() + timeout_s
    while True:
        sessions: dict[str, list[str]] = {}
        for record in lab.calls.pushes(app.events_path):
            body = record["body"]
            session = body.get("statusInfo", {}).get("sessionId")
            if session:
                sessions.setdefault(session, []).append(body["eventType"])
        ended = [s for s, kinds in sessions.items() if "answer" in kinds and "disconnect" in kinds]
        if len(ended) == count:
            return
        assert time.monotonic() < deadline, f"{len(ended)} of {count} calls answered and ended: {sessions}"
        time.sleep(0.1)


def test_calls_spread_over_both_nodes_and_each_bye_reaches_the_node_of_its_call(edge_lab: EdgeLab,
                                                                                  tmp_path: Path) -> None:
    count = 16  # all on one node by chance: 1 in 2**15
    with SippLab(tmp_path / "sipp") as sipp:
        caller, callee, app = run_calls(edge_lab, sipp, count)
    caller.check()  # every call answered, and every BYE of the caller got its 200 (a wrong node answers 481)
    callee.check()
    invites = by_call(callee.received_requests("INVITE"))
    byes = by_call(callee.received_requests("BYE"))
    assert len(invites) == count and set(byes) == set(invites)
    nodes = {call: node_of(invite) for call, invite in invites.items()}
    assert set(nodes.values()) == set(edge_lab.nodes), f"calls per node: {nodes}"
    assert all(node_of(byes[call]) == node for call, node in nodes.items())
    for invite in invites.values():  # the carrier hears from the edge, which dials the trunk's own address
        assert via_ports(invite)[0] == edge_lab.edge.carrier_port, invite.raw
        assert invite.request_uri and f"{HOST}:{edge_lab.trunk_port}" in invite.request_uri, invite.start_line
    assert_every_call_reported(edge_lab, app, count)


def test_the_callee_hangs_up_through_the_edge_on_the_node_of_the_call(edge_lab: EdgeLab, tmp_path: Path) -> None:
    count = 6
    with SippLab(tmp_path / "sipp") as sipp:
        caller, callee, app = run_calls(edge_lab, sipp, count, uac="uac_callee_hangs_up", uas="uas_hangs_up")
    callee.check()  # each BYE of B (R-URI: the node's Contact, Route: the edge) got its 200
    caller.check()  # and became a BYE to A
    assert len(by_call(caller.received_requests("BYE"))) == count
    for response in callee.received_responses("BYE"):
        assert response.status == 200
    assert_every_call_reported(edge_lab, app, count)


def test_a_killed_node_is_probed_out_and_new_calls_complete_on_the_other(edge_lab: EdgeLab, tmp_path: Path) -> None:
    survivor, victim = list(edge_lab.nodes)  # the first node also serves the test's API calls: it stays
    edge_lab.nodes[victim].send_signal(signal.SIGKILL)
    edge_lab.nodes[victim].wait(timeout=10)
    edge_lab.edge.wait_for_log(f"node sip:{HOST}:{victim} is down", timeout_s=20)
    count = 12
    with SippLab(tmp_path / "sipp") as sipp:
        caller, callee, app = run_calls(edge_lab, sipp, count)
    caller.check()
    callee.check()
    invites = by_call(callee.received_requests("INVITE"))
    assert len(invites) == count
    assert {node_of(invite) for invite in invites.values()} == {survivor}
    assert_every_call_reported(edge_lab, app, count)
