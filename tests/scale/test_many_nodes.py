"""Many nodes on one PostgreSQL database and one Redis (docs/deploy.md): two API nodes (``--no-sip``) and two
telephony nodes (SIP on, on ports of their own, a SIPp callee as their common trunk), all started at once on an
empty database, and a receiver standing in for the customer's server.

Each claim of issue 16's "many nodes" is one test, seen from outside: Huawei API requests over HTTP to a
chosen node, calls through SIPp to a chosen telephony node's SIP port (routing, callStop) or through the sandbox
driver (the push and kill tests, which are about the outbox and durability, not SIP), and what the receiver got.
"At once" means the very next request or call after the API answered, with no sleep in between. The database is
read directly only to compare what the nodes recorded (push attempts, calls, CDRs) with what the receiver saw.

PostgreSQL and Redis only: skipped without ``PRIVNUM_TEST_POSTGRES_URL`` and ``PRIVNUM_TEST_REDIS_URL`` (failed
with ``PRIVNUM_TEST_REQUIRE_SERVICES=1``).
"""

from __future__ import annotations

import asyncio
import os
import random
import secrets
import shutil
import signal
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from call_lab import LAB_ENV, CallLab, LabApp, kinds
from huawei_client import AXB_URI, HuaweiClient, Reply, signed_headers
from receiver import Receiver
from servers import (
    POSTGRES_URL,
    REDIS_URL,
    REQUIRE_SERVICES,
    Server,
    drop_database,
    free_port,
    fresh_database_url,
    new_users,
    serve,
)
from sipp import HOST, SippLab, free_udp_port_block, free_udp_ports, sipp_binary

UNKNOWN_ID = "0" * 32
STOP_URI = "/rest/httpsessions/callStop/v2.0"
LOCKOUT_FAILURES = 5
PUSH_TIMEOUT_S = 3  # a delivery's deadline; a lease lasts this + 5 s, so a dead node's pushes are due again in 8 s
FULL = ["callin", "callout", "alerting", "answer", "disconnect"]

pytestmark = pytest.mark.slow


def _services() -> None:
    if POSTGRES_URL and REDIS_URL:
        return
    message = "the many-nodes test needs PRIVNUM_TEST_POSTGRES_URL and PRIVNUM_TEST_REDIS_URL"
    if REQUIRE_SERVICES:
        pytest.fail(f"{message}, and PRIVNUM_TEST_REQUIRE_SERVICES=1")
    pytest.skip(message)


def random_ip() -> str:
    """A loopback source address of its own: lockout state in the shared Redis never leaks between runs."""
    return f"127.{random.randint(1, 254)}.{random.randint(1, 254)}.{random.randint(2, 254)}"


@dataclass
class Node:
    name: str
    server: Server  # its HTTP base, environment and CLI (every node's CLI reaches the same database)
    sip_port: int | None = None

    @property
    def pid(self) -> int:
        assert self.server.process is not None
        return self.server.process.pid

    @property
    def sip(self) -> tuple[str, int]:
        assert self.sip_port is not None, f"{self.name} is an API node"
        return HOST, self.sip_port

    def client(self, app: LabApp, source_ip: str | None = None) -> HuaweiClient:
        return self.server.client(app.app_key, app.app_secret, source_ip)

    def kill(self) -> None:
        assert self.server.process is not None
        os.kill(self.pid, signal.SIGKILL)
        self.server.process.wait(10)


@dataclass
class Cluster:
    database_url: str
    receiver: Receiver
    trunk_port: int
    api1: Node
    api2: Node
    tel1: Node
    tel2: Node
    apps: dict[str, LabApp] = field(default_factory=dict)  # made once, in parallel, when the cluster starts
    _labs: dict[str, CallLab] = field(default_factory=dict)

    @property
    def nodes(self) -> list[Node]:
        return [self.api1, self.api2, self.tel1, self.tel2]

    def make_apps(self, numbers: dict[str, int]) -> None:
        """One AXB app per name, pushing to the receiver, with that many fresh X numbers (each a CLI process:
        they run side by side)."""
        with ThreadPoolExecutor(len(numbers)) as pool:
            made = pool.map(lambda count: self.lab(self.api1).app("AXB", count), numbers.values())
            self.apps.update(zip(numbers, made, strict=True))

    def app(self, name: str) -> LabApp:
        return self.apps[name]

    def lab(self, node: Node) -> CallLab:
        """The call-lab helpers (sandbox calls, the receiver's pushes) aimed at ``node``."""
        return self._labs.setdefault(node.name, CallLab(node.server, self.receiver))

    def bind(self, node: Node, app: LabApp, x: str) -> tuple[str, str, str]:
        """A-X-B bound through ``node``; (a, b, subscriptionId)."""
        a, b = new_users(2)
        r = node.client(app).axb_bind(relationNum=x, callerNum=a, calleeNum=b)
        assert r.ok, (node.name, r)
        return a, b, r.body["subscriptionId"]

    def sql(self, query: str, *args: object) -> list[Any]:
        return asyncio.run(_fetch(self.database_url, query, *args))

    def stop(self) -> None:
        for node in self.nodes:
            node.server.stop()
        self.receiver.stop()


async def _fetch(url: str, query: str, *args: object) -> list[Any]:
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        return list(await conn.fetch(query, *args))
    finally:
        await conn.close()


def _node_env(base: dict[str, str], *, sip_port: int | None, trunk_port: int) -> dict[str, str]:
    if sip_port is None:
        return {**base, "PRIVNUM_SIP": "0"}
    rtp_low = free_udp_port_block(size=200)
    return {**base, "PRIVNUM_SIP": "1", "PRIVNUM_SIP_LISTEN": f"{HOST}:{sip_port}",
            "PRIVNUM_SIP_TRUNK": f"{HOST}:{trunk_port}", "PRIVNUM_RTP_PORTS": f"{rtp_low}-{rtp_low + 199}"}


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    _services()
    sipp_binary()
    root = Path(tempfile.mkdtemp(prefix="privnum-cluster-"))
    url = fresh_database_url("postgres", root)
    shared = root / "shared"  # recordings and voice files: one shared filesystem for every node (docs/deploy.md)
    base = {**os.environ, **LAB_ENV, "PRIVNUM_DATABASE_URL": url, "PRIVNUM_REDIS_URL": REDIS_URL,
            "PRIVNUM_BILLING_JOBS": "1", "PRIVNUM_AUTH_LOCKOUT_FAILURES": str(LOCKOUT_FAILURES),
            "PRIVNUM_AUTH_LOCKOUT_BAN_S": "120", "PRIVNUM_PUSH_TIMEOUT_S": str(PUSH_TIMEOUT_S),
            "PRIVNUM_CONNECT_TIMEOUT_S": "10", "PRIVNUM_RECORDINGS_DIR": str(shared / "recordings")}
    trunk_port, sip1, sip2 = free_udp_ports(3)
    layout = {"api1": None, "api2": None, "tel1": sip1, "tel2": sip2}
    servers: dict[str, Server] = {}
    for name, sip_port in layout.items():
        workdir = root / name
        workdir.mkdir()
        port = free_port()
        env = {**_node_env(base, sip_port=sip_port, trunk_port=trunk_port), "PRIVNUM_PORT": str(port)}
        servers[name] = Server("postgres", f"http://127.0.0.1:{port}", url, workdir, env)

    def start(name: str) -> None:
        s = servers[name]
        s.process = serve(s.env, s.workdir, s.base.rpartition(":")[2], s.workdir / "server.log", ready_s=300)

    # all four at once on an empty database: each migrates it on start, as a node added to a fleet does
    receiver = Receiver(tmp_path_factory.mktemp("cluster-receiver"))
    try:
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(start, layout))
    except BaseException:
        for s in servers.values():
            s.stop()
        receiver.stop()
        drop_database(url)
        raise
    cluster = Cluster(url, receiver, trunk_port, *(Node(n, servers[n], layout[n]) for n in layout))
    try:
        cluster.make_apps({"calls": 3, "auth": 0, "pushes": 8, "burst": 60})
    except BaseException:
        cluster.stop()
        drop_database(url)
        raise
    yield cluster
    cluster.stop()
    drop_database(url)
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def sipp(tmp_path: Path) -> Iterator[SippLab]:
    with SippLab(tmp_path / "sipp") as lab:
        yield lab


def answered_session(cluster: Cluster, app: LabApp, caller: str, timeout_s: float = 15.0) -> str:
    """The session id of ``caller``'s call once the customer got its answer event."""
    deadline = time.monotonic() + timeout_s
    lab = cluster.lab(cluster.api1)
    while time.monotonic() < deadline:
        for record in lab.pushes(app.events_path):
            body = record["body"]
            if body.get("eventType") == "answer" and body["statusInfo"].get("caller") == caller:
                return body["statusInfo"]["sessionId"]
        time.sleep(0.05)
    raise AssertionError(f"no call from {caller} was answered: {lab.pushes(app.events_path)}")


def owner_pid(session_id: str) -> int:
    return int(session_id.split("_")[1])  # "<seq>_<pid>_<random>_<time>@<host>"


def probe(client: HuaweiClient, headers: dict[str, str] | None = None) -> Reply:
    """A signed query for a binding that does not exist: 403 1012007 once authenticated."""
    return client.request("GET", AXB_URI, query={"subscriptionId": UNKNOWN_ID}, headers=headers)


def passed(reply: Reply) -> bool:
    return (reply.status, reply.code) == (403, "1012007")


# ---- routing ----------------------------------------------------------------------------------------------------


def test_a_binding_made_through_one_node_routes_the_next_call_on_another(cluster: Cluster, sipp: SippLab) -> None:
    """SIP: X is called on tel2 before and right after api1 binds it; the second call reaches B."""
    app = cluster.app("calls")
    x = app.pool[0]
    a, b = new_users(2)
    sipp.uac("uac_refused", cluster.tel2.sip, service=x, caller=a).check()  # no binding yet: refused (and looked up)
    r = cluster.api1.client(app).axb_bind(relationNum=x, callerNum=a, calleeNum=b)
    assert r.ok, r
    callee = sipp.uas("uas_answer", port=cluster.trunk_port, duration_ms=0)
    sipp.uac("uac_call", cluster.tel2.sip, service=x, caller=a, duration_ms=200).check()
    [invite] = callee.wait().check().received_requests("INVITE")
    assert f"sip:{b}@" in (invite.header("To") or ""), invite.raw
    assert f"sip:{x}@" in (invite.header("From") or ""), invite.raw


def test_an_unbind_through_one_node_stops_routing_on_another_at_once(cluster: Cluster, sipp: SippLab) -> None:
    """SIP: a call on tel1 is routed, api2 unbinds, the very next call on tel1 is refused and no leg is placed."""
    app = cluster.app("calls")
    x = app.pool[1]
    a, _b, subscription = cluster.bind(cluster.api1, app, x)
    callee = sipp.uas("uas_answer", port=cluster.trunk_port, duration_ms=0)
    sipp.uac("uac_call", cluster.tel1.sip, service=x, caller=a, duration_ms=200).check()
    callee.wait().check()
    assert cluster.api2.client(app).axb_unbind(subscriptionId=subscription).ok
    stray = sipp.uas("uas_answer", port=cluster.trunk_port, duration_ms=0, timeout_s=5)
    refused = sipp.uac("uac_refused", cluster.tel1.sip, service=x, caller=a).check()
    assert refused.final_status() == 404
    stray.kill()
    assert not stray.wait(1).received_requests("INVITE"), "a leg was placed for an unbound X"


# ---- authentication ---------------------------------------------------------------------------------------------


def test_a_nonce_used_on_one_node_is_refused_on_every_other(cluster: Cluster) -> None:
    app = cluster.app("auth")
    ip = random_ip()
    headers = signed_headers(app.app_key, app.app_secret, nonce=secrets.token_hex(16))
    assert passed(probe(cluster.api1.client(app, ip), headers))
    for node in (cluster.api2, cluster.tel1, cluster.tel2):
        r = probe(node.client(app, ip), headers)
        assert (r.status, r.code) == (401, "1010010"), (node.name, r)
        assert "nonce" in r.body["resultdesc"].lower(), r
    # a fresh nonce passes on each of them: the refusal was the replay, not the node
    for node in (cluster.api2, cluster.tel1, cluster.tel2):
        assert passed(probe(node.client(app, ip))), node.name


def test_a_lockout_on_one_node_holds_on_every_other(cluster: Cluster) -> None:
    app = cluster.app("auth")
    attacker_ip, other_ip = random_ip(), random_ip()
    attacker = cluster.api1.client(app, attacker_ip)
    wrong = HuaweiClient(cluster.api1.server.base, app.app_key, "wrong-secret", attacker_ip)
    try:
        for _ in range(LOCKOUT_FAILURES):
            r = probe(wrong)
            assert (r.status, r.code) == (401, "1010010"), r
    finally:
        wrong.close()
    banned = probe(attacker)
    assert (banned.status, banned.code) == (403, "1020176"), banned
    for node in (cluster.api2, cluster.tel1, cluster.tel2):
        r = probe(node.client(app, attacker_ip))
        assert (r.status, r.code) == (403, "1020176"), (node.name, r)
        assert passed(probe(node.client(app, other_ip))), node.name  # only that address is banned


# ---- call control -----------------------------------------------------------------------------------------------


def test_call_stop_sent_to_an_api_node_ends_a_call_held_by_a_telephony_node(cluster: Cluster, sipp: SippLab) -> None:
    """SIP: A-X-B talking through tel2; callStop to api1; both phones get a BYE, the customer the disconnect and
    the CDR."""
    app = cluster.app("calls")
    x = app.pool[2]
    a, _b, _ = cluster.bind(cluster.api1, app, x)
    callee = sipp.uas("uas_answer", port=cluster.trunk_port, duration_ms=0, timeout_s=60)
    caller = sipp.start_uac("uac_callee_hangs_up", cluster.tel2.sip, service=x, caller=a, timeout_s=60)
    session = answered_session(cluster, app, a)
    assert owner_pid(session) == cluster.tel2.pid
    stopped = cluster.api1.client(app).request("POST", STOP_URI, body={"sessionid": session, "signal": "call_stop"})
    assert stopped.ok, stopped
    assert caller.wait(20).check().received_requests("BYE"), "A was not hung up"
    assert callee.wait(20).check().received_requests("BYE"), "B was not hung up"
    events, cdr = cluster.lab(cluster.api1).finished(app, session)
    assert kinds(events) == FULL
    assert cdr["sessionId"] == session


# ---- pushes -----------------------------------------------------------------------------------------------------


def push_rows(cluster: Cluster, app: LabApp) -> list[Any]:
    """The app's sent pushes (CDRs merged into a batch excluded: the batch is what is sent)."""
    return cluster.sql("SELECT p.push_id, p.state, p.attempts, (SELECT count(*) FROM push_attempts t "
                       "WHERE t.push_row_id = p.id) AS recorded FROM pushes p JOIN apps a ON a.id = p.app_id "
                       "WHERE a.app_key = $1 AND p.state <> 'batched'", app.app_key)


def receipts(cluster: Cluster, app: LabApp) -> tuple[Counter[str], Counter[str]]:
    """(every request, the 2xx-answered ones) the receiver got for ``app``, counted by X-Push-Id."""
    every: Counter[str] = Counter()
    answered: Counter[str] = Counter()
    for path in (app.events_path, app.cdr_path):
        for record in cluster.receiver.records(path=path):
            push_id = {k.lower(): v for k, v in record["headers"].items()}["x-push-id"]
            every[push_id] += 1
            answered[push_id] += record["status"] == 200
    return every, answered


def wait_settled(cluster: Cluster, app: LabApp, timeout_s: float) -> list[Any]:
    """The app's push rows once none is pending any more."""
    deadline = time.monotonic() + timeout_s
    while True:
        rows = push_rows(cluster, app)
        if rows and all(r["state"] != "pending" for r in rows):
            return rows
        if time.monotonic() > deadline:
            raise AssertionError(f"pushes still pending: {[dict(r) for r in rows if r['state'] == 'pending']}")
        time.sleep(0.2)


def sandbox_call(node: Node, caller: str, x: str, answer_after_ms: int, talk_ms: int) -> str:
    r = httpx.post(f"{node.server.base}/sandbox/v1/calls", timeout=10, headers={"Connection": "close"},
                   json={"caller": caller, "called": x,
                         "callee": {"ring_before_alerting_ms": 10, "answer_after_ms": answer_after_ms,
                                    "talk_ms": talk_ms}})
    assert r.status_code == 201, r.text
    return r.json()["session_id"]


def test_pushes_are_delivered_once_per_attempt_with_every_node_delivering(cluster: Cluster) -> None:
    """Sandbox calls on all four nodes, so every node's delivery worker has pushes of its own and all compete for
    the others'; the customer's server fails its first 40 requests. Each push reaches it once per recorded
    attempt, answered once, and each call's events arrive in order."""
    app = cluster.app("pushes")
    bindings = [(x, cluster.bind(cluster.api1, app, x)[0]) for x in app.pool]
    cluster.receiver.control(path=app.events_path, mode="fail", status=503, times=40)
    sessions = []
    for i in range(24):
        node = cluster.nodes[i % 4]
        x, a = bindings[i % len(bindings)]
        sessions.append(sandbox_call(node, a, x, answer_after_ms=20, talk_ms=50))
    assert {owner_pid(s) for s in sessions} == {n.pid for n in cluster.nodes}
    lab = cluster.lab(cluster.api1)
    for session in sessions:
        events, _cdr = lab.finished(app, session, timeout_s=30)
        assert kinds(events) == FULL, (session, kinds(events))  # in order per call, whichever node delivered
    rows = wait_settled(cluster, app, 30)
    every, answered = receipts(cluster, app)
    assert sum(r["attempts"] for r in rows) > len(rows), "no push was retried: the failures did not happen"
    for row in rows:
        assert row["state"] == "delivered", dict(row)
        assert row["recorded"] == row["attempts"], dict(row)
        assert every[row["push_id"]] == row["attempts"], (dict(row), every[row["push_id"]])
        assert answered[row["push_id"]] == 1, dict(row)
    assert set(every) == {r["push_id"] for r in rows}


# ---- a node killed mid-burst --------------------------------------------------------------------------------------


@dataclass
class Burst:
    """What the nodes acknowledged during the burst (a 200 for a bind, a 201 for a call)."""

    bindings: list[tuple[str, str]] = field(default_factory=list)  # (subscriptionId, X)
    sessions: list[str] = field(default_factory=list)
    refused: Counter[str] = field(default_factory=Counter)  # what a dead node could not acknowledge, by node
    errors: list[BaseException] = field(default_factory=list)  # a burst thread's failed assertion

    def thread(self, work: Callable[[], None]) -> threading.Thread:
        def run() -> None:
            try:
                work()
            except BaseException as error:  # re-raised by the test after join
                self.errors.append(error)

        return threading.Thread(target=run)


# Last in the module: tel2 stays dead.
def test_killing_a_node_mid_burst_loses_no_acknowledged_binding_event_or_cdr(cluster: Cluster) -> None:
    """Sandbox calls and binds go to tel2 and to survivors; tel2 is killed with SIGKILL in the middle. Every
    binding any node acknowledged exists, every call any node acknowledged ends with its events and one CDR
    (those tel2 held are ended by a survivor: 8040), every push the nodes enqueued is delivered, and the
    customer's server got each one once per attempt (an attempt in flight in tel2 when it died is sent again
    with the same X-Push-Id: at least once)."""
    victim, survivors = cluster.tel2, [cluster.api1, cluster.tel1]
    app = cluster.app("burst")
    callers = [(x, cluster.bind(cluster.api1, app, x)[0]) for x in app.pool[:10]]
    free = list(app.pool[10:])
    burst = Burst()
    killed = threading.Event()
    lock = threading.Lock()

    def binds() -> None:
        for i, x in enumerate(free):
            node = victim if i % 2 else survivors[0]
            a, b = new_users(2)
            try:
                r = node.client(app).axb_bind(relationNum=x, callerNum=a, calleeNum=b)
            except httpx.HTTPError:
                with lock:
                    burst.refused[node.name] += 1
                continue
            assert r.ok or node is victim, r
            if r.ok:
                with lock:
                    burst.bindings.append((r.body["subscriptionId"], x))
            time.sleep(0.02)

    def calls() -> None:
        for i in range(30):
            node = victim if i % 2 else survivors[1]
            x, a = callers[i % len(callers)]
            try:
                session = sandbox_call(node, a, x, answer_after_ms=30, talk_ms=random.randint(1500, 3000))
            except (httpx.HTTPError, AssertionError):
                assert killed.is_set() and node is victim
                with lock:
                    burst.refused[node.name] += 1
                continue
            with lock:
                burst.sessions.append(session)
            time.sleep(0.05)

    workers = [burst.thread(binds), burst.thread(calls)]
    for worker in workers:
        worker.start()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:  # kill once the victim holds calls and has acknowledged binds
        with lock:
            held = [s for s in burst.sessions if owner_pid(s) == victim.pid]
            bound = len(burst.bindings)
        if len(held) >= 3 and bound >= 6:
            break
        time.sleep(0.02)
    victim.kill()
    killed.set()
    for worker in workers:
        worker.join(60)
    if burst.errors:
        raise burst.errors[0]
    held = [s for s in burst.sessions if owner_pid(s) == victim.pid]
    assert len(held) >= 3, burst
    assert burst.refused[victim.name] > 0, "the burst did not outlive the node"

    checker = cluster.api2.client(app)
    for subscription, x in burst.bindings:
        r = checker.axb_query(subscriptionId=subscription)
        assert r.ok and r.body["relationNumList"][0]["relationNum"] == x, (subscription, r)

    lab = cluster.lab(cluster.api1)
    ended_by_survivor = 0
    for session in burst.sessions:
        events, cdr = lab.finished(app, session, timeout_s=40)
        assert kinds(events)[0] == "callin" and kinds(events)[-1] == "disconnect", kinds(events)
        assert cdr["sessionId"] == session
        ended_by_survivor += events[-1]["statusInfo"]["stateCode"] == 8040
    assert ended_by_survivor >= 1, "no call held by the dead node was ended by a survivor"

    # the system of record agrees: every call the nodes wrote (even one whose 201 never left tel2) is released
    # with its CDR, and every push is delivered
    calls_without_cdr = cluster.sql(
        "SELECT c.id, c.state FROM calls c JOIN apps a ON a.id = c.app_id LEFT JOIN cdrs d ON d.session_id = c.id "
        "WHERE a.app_key = $1 AND (c.state <> 'released' OR d.session_id IS NULL)", app.app_key)
    assert not calls_without_cdr, [dict(r) for r in calls_without_cdr]
    rows = wait_settled(cluster, app, 40)
    every, answered = receipts(cluster, app)
    resent = 0
    for row in rows:
        assert row["state"] == "delivered", dict(row)
        assert answered[row["push_id"]] >= 1, dict(row)
        extra = every[row["push_id"]] - row["attempts"]
        assert extra in (0, 1), (dict(row), every[row["push_id"]])
        resent += extra
    assert resent <= 32, resent  # at most PRIVNUM_PUSH_CONCURRENCY deliveries were in flight in tel2
    print(f"\nkill: {len(burst.bindings)} binds and {len(burst.sessions)} calls acknowledged ({len(held)} held by "
          f"tel2, {ended_by_survivor} ended 8040 by a survivor), {len(rows)} pushes delivered, {resent} sent again")
