"""The binding rules hold when several server processes and several client processes race on one database.

Each backend gets a cluster of two independent ``privnum serve`` processes on the same database: the
conftest server (one worker) and a peer started here with ``--workers 2`` on another port, so three
serving processes in all. Every storm is fired by several client processes (tests/support/concurrency_worker.py,
each with many threads) that are released at the same moment and spread their requests over both
servers. Rules proved:

- AXB: a user number at most once per X; no spurious refusal while a feasible X is free;
- AX: one A per X (X load never above capacity 1) and one A on at most 5 X per app (user_quotas);
- AXE: an extension unique per X, load never above the 9 extensions of length 1;
- churn of binds and (double) unbinds leaves loads and quotas exact: everything unbound is idle again.

Every answer must be 200 with resultcode 0 or 403 with an expected resultcode; a 500 fails the test,
and so does a traceback in any server log.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from huawei_client import AX_URI, AXB_URI, AXE_URI
from servers import BACKENDS, Server, drop_database, free_port, new_numbers, new_users, serve, start_server

pytestmark = pytest.mark.slow  # about 20-30 s per backend, more on a busy machine

WORKER = Path(__file__).parent.parent / "support" / "concurrency_worker.py"
CLIENT_PROCESSES = 4
THREADS_PER_PROCESS = 8
CLIENT_EXIT_TIMEOUT_S = 30  # a storm itself is bounded by the clients' 30 s HTTP timeout
AREA = "0755"

# Result codes (Huawei's tables)
INSUFFICIENT_AXB = "1012008"
AXB_NOT_FOUND = "1012007"
AX_SHORTAGE = "1011002"
AX_QUOTA = "1011003"
AX_TAKEN = "1011005"
AX_NOT_FOUND = "1016001"
NO_IDLE_EXTENSION = "1020167"


def start_peer(first: Server, workers: int) -> Server:
    """Another ``privnum serve`` on ``first``'s database (same env and workdir), on its own port."""
    port = free_port()
    env = {**first.env, "PRIVNUM_PORT": str(port)}
    peer = Server(first.backend, f"http://127.0.0.1:{port}", first.database_url, first.workdir, env)
    peer.process = serve(env, first.workdir, port, first.workdir / f"server-peer-{port}.log", workers)
    return peer


@dataclass
class App:
    key: str
    secret: str
    pool: list[str]


@dataclass
class Call:
    method: str
    uri: str
    body: dict[str, Any] | None = None
    query: dict[str, Any] | None = None


@dataclass
class Answer:
    call: Call
    server: str
    status: int
    body: Any

    @property
    def code(self) -> str | None:
        return self.body.get("resultcode") if isinstance(self.body, dict) else None

    @property
    def ok(self) -> bool:
        return self.status == 200 and self.code == "0"


class ClientPool:
    """Long-lived client processes (tests/support/concurrency_worker.py), released together for each storm."""

    def __init__(self, processes: int, threads: int) -> None:
        self.procs = [subprocess.Popen([sys.executable, str(WORKER), str(threads)], stdin=subprocess.PIPE,
                                       stdout=subprocess.PIPE, text=True) for _ in range(processes)]

    def fire(self, specs: list[list[dict[str, Any]]]) -> list[list[dict[str, Any]]]:
        assert len(specs) == len(self.procs)
        for p, spec in zip(self.procs, specs, strict=True):
            assert p.stdin is not None
            p.stdin.write(json.dumps({"requests": spec}) + "\n")
            p.stdin.flush()
        for p in self.procs:  # every request of every client process is queued before any leaves
            assert p.stdout is not None
            assert p.stdout.readline().strip() == "ready", f"client process died (exit {p.poll()})"
        for p in self.procs:
            assert p.stdin is not None
            p.stdin.write("go\n")
            p.stdin.flush()
        results = []
        for p in self.procs:
            assert p.stdout is not None
            line = p.stdout.readline()
            assert line, f"client process died (exit {p.poll()})"
            results.append(json.loads(line))
        return results

    def close(self) -> None:
        for p in self.procs:
            if p.stdin:
                p.stdin.close()
        for p in self.procs:
            try:
                p.wait(timeout=CLIENT_EXIT_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                p.kill()


@dataclass
class Cluster:
    primary: Server
    peer: Server
    clients: ClientPool

    @property
    def servers(self) -> list[Server]:
        return [self.primary, self.peer]

    def app(self, mode: str, numbers: int, *extra: str) -> App:
        key, secret = self.primary.create_app(mode, *extra)
        pool = new_numbers(numbers)
        self.primary.add_numbers(key, AREA, pool)
        return App(key, secret, pool)

    def storm(self, app: App, calls: list[Call], allowed: set[str]) -> list[Answer]:
        """Fire ``calls`` at once from every client process over both servers; check every answer."""
        n = len(self.clients.procs)
        bases = [s.base for s in self.servers]
        # call i goes to client process i % n and, within it, alternately to each server
        targets = [bases[(i // n) % len(bases)] for i in range(len(calls))]
        chunks: list[list[int]] = [list(range(len(calls)))[w::n] for w in range(n)]
        specs = [[{"base": targets[i], "key": app.key, "secret": app.secret, "method": calls[i].method,
                   "uri": calls[i].uri, "body": calls[i].body, "query": calls[i].query} for i in chunk]
                 for chunk in chunks]
        answers: list[Answer | None] = [None] * len(calls)
        for chunk, results in zip(chunks, self.clients.fire(specs), strict=True):
            for i, r in zip(chunk, results, strict=True):
                answers[i] = Answer(calls[i], targets[i], r["status"], r["body"])
        done = [a for a in answers if a is not None]
        assert len(done) == len(calls)
        undocumented = [a for a in done if not (a.ok or (a.status == 403 and a.code in allowed))]
        assert not undocumented, f"undocumented answers ({len(undocumented)}/{len(done)}): {undocumented[:5]}"
        self.assert_clean_logs()
        return done

    def query(self, app: App, method: str, uri: str, **query: Any) -> Answer:
        client = self.primary.client(app.key, app.secret)
        r = client.request(method, uri, query=query)
        return Answer(Call(method, uri, query=query), self.primary.base, r.status, r.body)

    def loads(self, app: App) -> dict[str, tuple[str, int]]:
        """number -> (status, bindings) as ``privnum numbers list`` prints them."""
        out = self.primary.cli("numbers", "list", "--app", app.key).stdout
        found: dict[str, tuple[str, int]] = {}
        for line in out.splitlines():
            cells = [c.strip() for c in line.replace("│", "|").replace("┃", "|").split("|") if c.strip()]
            if cells and cells[0] in app.pool:
                found[cells[0]] = (cells[-2], int(cells[-1]))
        assert set(found) == set(app.pool), out
        return found

    def assert_clean_logs(self) -> None:
        for log in sorted(self.primary.workdir.glob("server*.log")):
            text = log.read_text(errors="replace")
            for marker in ("Traceback", "Exception in ASGI", "Internal"):
                if marker in text:
                    start = max(0, text.index(marker) - 500)
                    pytest.fail(f"{log.name} has {marker!r}:\n{text[start:start + 4000]}")


@pytest.fixture(scope="module")
def client_pool() -> Iterator[ClientPool]:
    pool = ClientPool(CLIENT_PROCESSES, THREADS_PER_PROCESS)
    yield pool
    pool.close()


@pytest.fixture(scope="module", params=BACKENDS)
def cluster(request: pytest.FixtureRequest, client_pool: ClientPool) -> Iterator[Cluster]:
    primary = start_server(request.param)
    try:
        peer = start_peer(primary, workers=2)
    except BaseException:
        primary.stop()
        drop_database(primary.database_url)
        raise
    yield Cluster(primary, peer, client_pool)
    peer.stop()
    primary.stop()
    drop_database(primary.database_url)


def axb_bind(a: str, b: str) -> Call:
    return Call("POST", AXB_URI, {"callerNum": a, "calleeNum": b, "areaCode": AREA})


def ax_bind(a: str, x: str | None = None) -> Call:
    return Call("POST", AX_URI, {"origNum": a, "privateNum": x} if x else {"origNum": a, "areaCode": AREA})


def axe_bind(a: str, x: str | None = None) -> Call:
    return Call("POST", AXE_URI, {"bindNum": a, "virtualNum": x} if x else {"bindNum": a, "areaCode": AREA})


def axb_on(cluster: Cluster, app: App, x: str) -> list[dict[str, Any]]:
    """Every AXB binding on ``x`` (empty when none)."""
    r = cluster.query(app, "GET", AXB_URI, relationNum=x, pageSize=100)
    if r.status == 403 and r.code == AXB_NOT_FOUND:
        return []
    assert r.ok, r
    assert r.body["totalCount"] == len(r.body["relationNumList"]), r
    return r.body["relationNumList"]


def ok_count(answers: list[Answer]) -> int:
    return sum(a.ok for a in answers)


def assert_unbound_once(answers: list[Answer], subs: list[str], not_found: str) -> None:
    """Each subscription unbound by at least one of its concurrent unbinds; the others are success or not-found.

    (Exactly one success is what a sequential client sees; see test_concurrent_unbinds_of_one_binding.)
    """
    for s in subs:
        codes = sorted(str(r.code) for r in answers if r.call.query == {"subscriptionId": s})
        assert codes and codes[0] == "0" and set(codes) <= {"0", not_found}, (s, codes)


# --- AXB ---------------------------------------------------------------------------------------------------------


def test_axb_one_user_at_most_once_per_x(cluster: Cluster) -> None:
    """3 A's, each with 8 different B's, race over 4 X: each A gets exactly 4 X, the rest 1012008."""
    app = cluster.app("AXB", 4)
    callers = new_users(3)
    calls = [axb_bind(callers[i % 3], b) for i, b in enumerate(new_users(24))]
    answers = cluster.storm(app, calls, {INSUFFICIENT_AXB})
    for a in callers:
        mine = [r for r in answers if r.call.body and r.call.body["callerNum"] == a]
        won = [r for r in mine if r.ok]
        assert len(won) == 4, [(r.status, r.body) for r in mine]
        assert sorted(r.body["relationNum"] for r in won) == sorted(app.pool)
        assert Counter(r.code for r in mine if not r.ok) == {INSUFFICIENT_AXB: 4}
    loads = cluster.loads(app)
    for x in app.pool:
        on_x = axb_on(cluster, app, x)
        assert sorted(b["callerNum"] for b in on_x) == sorted(callers), on_x
        assert loads[x] == ("bound", 3)


def test_axb_feasible_binds_never_refused(cluster: Cluster) -> None:
    """6 A's with 4 B's each (exactly fills 4 X per A) plus 40 unrelated pairs: every bind must succeed."""
    app = cluster.app("AXB", 4)
    callers = new_users(6)
    calls = [axb_bind(callers[i % 6], b) for i, b in enumerate(new_users(24))]
    calls += [axb_bind(a, b) for a, b in zip(new_users(40), new_users(40), strict=True)]
    answers = cluster.storm(app, calls, set())
    assert ok_count(answers) == len(calls)
    for a in callers:
        assert sorted(r.body["relationNum"] for r in answers if r.call.body and r.call.body["callerNum"] == a) \
            == sorted(app.pool)
    loads = cluster.loads(app)
    assert sum(n for _, n in loads.values()) == len(calls)
    for x in app.pool:
        on_x = axb_on(cluster, app, x)
        assert loads[x][1] == len(on_x)
        users = [b["callerNum"] for b in on_x] + [b["calleeNum"] for b in on_x]
        assert len(users) == len(set(users)), f"a user twice on {x}: {Counter(users).most_common(2)}"


# --- AX ----------------------------------------------------------------------------------------------------------


def test_ax_quota_and_one_a_per_x(cluster: Cluster) -> None:
    app = cluster.app("AX", 10)
    # one A, 10 binds at once over both servers: exactly 5 X (user_quotas), the rest 1011003
    a = new_users(1)[0]
    answers = cluster.storm(app, [ax_bind(a) for _ in range(10)], {AX_QUOTA})
    won = [r.body["privateNum"] for r in answers if r.ok]
    assert len(won) == 5 and len(set(won)) == 5, answers
    assert Counter(r.code for r in answers if not r.ok) == {AX_QUOTA: 5}
    listed = cluster.query(app, "GET", AX_URI, origNum=a)
    assert listed.ok and sorted(b["privateNum"] for b in listed.body["privateNumList"]) == sorted(won)

    # 10 different A's on the same named X: exactly one, the rest 1011005
    free = [x for x in app.pool if x not in won]
    x = free[0]
    answers = cluster.storm(app, [ax_bind(u, x) for u in new_users(10)], {AX_TAKEN})
    assert ok_count(answers) == 1, answers
    assert Counter(r.code for r in answers if not r.ok) == {AX_TAKEN: 9}

    # 12 different A's by area code for the 4 X left: exactly 4, each on its own X, the rest 1011002
    answers = cluster.storm(app, [ax_bind(u) for u in new_users(12)], {AX_SHORTAGE})
    got = sorted(r.body["privateNum"] for r in answers if r.ok)
    assert got == sorted(free[1:]), answers
    assert Counter(r.code for r in answers if not r.ok) == {AX_SHORTAGE: 8}
    assert cluster.loads(app) == {x: ("bound", 1) for x in app.pool}


# --- AXE ---------------------------------------------------------------------------------------------------------


def test_axe_extensions_unique_per_x(cluster: Cluster) -> None:
    """Extension length 1: 9 extensions per X. 20 A's on one named X: exactly 9, all distinct; rest 1020167."""
    key, secret = cluster.primary.create_app("AXE", "--extension-length", "1")
    app = App(key, secret, new_numbers(1))
    cluster.primary.add_numbers(key, AREA, app.pool)
    x = app.pool[0]
    answers = cluster.storm(app, [axe_bind(u, x) for u in new_users(20)], {NO_IDLE_EXTENSION})
    won = [r for r in answers if r.ok]
    assert sorted(r.body["extendNum"] for r in won) == [str(e) for e in range(1, 10)], answers
    assert all(r.body["virtualNum"] == x for r in won)
    assert Counter(r.code for r in answers if not r.ok) == {NO_IDLE_EXTENSION: 11}
    assert cluster.loads(app) == {x: ("bound", 9)}


def test_axe_search_fills_every_extension(cluster: Cluster) -> None:
    """By area code over 2 X: exactly 18 binds succeed (9 distinct extensions on each X), the rest 1012008."""
    key, secret = cluster.primary.create_app("AXE", "--extension-length", "1")
    app = App(key, secret, new_numbers(2))
    cluster.primary.add_numbers(key, AREA, app.pool)
    answers = cluster.storm(app, [axe_bind(u) for u in new_users(26)], {INSUFFICIENT_AXB})
    won = [(r.body["virtualNum"], r.body["extendNum"]) for r in answers if r.ok]
    assert len(won) == 18 and len(set(won)) == 18, answers
    assert Counter(x for x, _ in won) == {x: 9 for x in app.pool}
    assert Counter(r.code for r in answers if not r.ok) == {INSUFFICIENT_AXB: 8}
    assert cluster.loads(app) == {x: ("bound", 9) for x in app.pool}


# --- churn: binds and (double) unbinds at once leave exact counters --------------------------------------------


def test_ax_churn_leaves_exact_loads_and_quotas(cluster: Cluster) -> None:
    app = cluster.app("AX", 4)
    first = cluster.storm(app, [ax_bind(u) for u in new_users(4)], set())
    subs = [r.body["subscriptionId"] for r in first]

    # unbind each binding twice (over both servers) while 12 new A's try to bind
    unbinds = [Call("DELETE", AX_URI, query={"subscriptionId": s}) for s in subs for _ in range(2)]
    answers = cluster.storm(app, unbinds + [ax_bind(u) for u in new_users(12)], {AX_NOT_FOUND, AX_SHORTAGE})
    assert_unbound_once(answers, subs, AX_NOT_FOUND)
    binds = [r for r in answers if r.call.method == "POST"]
    assert all(r.ok or r.code == AX_SHORTAGE for r in binds)
    won = {r.body["privateNum"]: r.body["subscriptionId"] for r in binds if r.ok}
    assert len(won) == ok_count(binds) <= 4
    assert cluster.loads(app) == {x: ("bound", 1) if x in won else ("idle", 0) for x in app.pool}

    # the same A: 5 X, all unbound twice at once, then 5 X again (quota back to 0), never a 6th
    cleanup = [Call("DELETE", AX_URI, query={"subscriptionId": s}) for s in won.values()]
    assert ok_count(cluster.storm(app, cleanup, set())) == len(cleanup)
    app.pool += new_numbers(2)
    cluster.primary.add_numbers(app.key, AREA, app.pool[4:])
    a = new_users(1)[0]
    for _ in range(2):
        answers = cluster.storm(app, [ax_bind(a) for _ in range(6)], {AX_QUOTA})
        mine = [r.body["subscriptionId"] for r in answers if r.ok]
        assert len(mine) == 5 and Counter(r.code for r in answers if not r.ok) == {AX_QUOTA: 1}, answers
        answers = cluster.storm(app, [Call("DELETE", AX_URI, query={"subscriptionId": s}) for s in mine * 2],
                                {AX_NOT_FOUND})
        assert_unbound_once(answers, mine, AX_NOT_FOUND)
        assert cluster.loads(app) == {x: ("idle", 0) for x in app.pool}

    # every X usable again
    answers = cluster.storm(app, [ax_bind(u) for u in new_users(6)], set())
    assert sorted(r.body["privateNum"] for r in answers) == sorted(app.pool)


def test_concurrent_unbinds_of_one_binding(cluster: Cluster) -> None:
    """Three unbinds of one subscription at once: one unbinds it, the others are told it does not exist."""
    app = cluster.app("AX", 8)
    subs = [r.body["subscriptionId"] for r in cluster.storm(app, [ax_bind(u) for u in new_users(8)], set())]
    answers = cluster.storm(app, [Call("DELETE", AX_URI, query={"subscriptionId": s}) for s in subs * 3],
                            {AX_NOT_FOUND})
    assert cluster.loads(app) == {x: ("idle", 0) for x in app.pool}
    for s in subs:
        codes = sorted(str(r.code) for r in answers if r.call.query == {"subscriptionId": s})
        assert codes == ["0", AX_NOT_FOUND, AX_NOT_FOUND], (s, codes)


def test_axb_churn_leaves_exact_loads(cluster: Cluster) -> None:
    app = cluster.app("AXB", 4)
    a = new_users(1)[0]
    first = cluster.storm(app, [axb_bind(a, b) for b in new_users(4)], set())
    subs = [r.body["subscriptionId"] for r in first]

    # unbind A's 4 bindings twice each while A tries 8 more B's and 16 unrelated pairs bind
    unbinds = [Call("DELETE", AXB_URI, query={"subscriptionId": s}) for s in subs for _ in range(2)]
    more = [axb_bind(a, b) for b in new_users(8)]
    others = [axb_bind(c, d) for c, d in zip(new_users(16), new_users(16), strict=True)]
    answers = cluster.storm(app, unbinds + more + others, {AXB_NOT_FOUND, INSUFFICIENT_AXB})
    assert_unbound_once(answers, subs, AXB_NOT_FOUND)
    a_won = [r for r in answers if r.call.method == "POST" and r.call.body and r.call.body["callerNum"] == a and r.ok]
    assert len(a_won) <= 4
    assert all(r.ok for r in answers[len(unbinds) + len(more):]), "unrelated pairs must all bind"
    loads = cluster.loads(app)
    total = 0
    for x in app.pool:
        on_x = axb_on(cluster, app, x)
        assert [b["callerNum"] for b in on_x].count(a) <= 1, on_x
        assert loads[x] == (("bound" if on_x else "idle"), len(on_x))
        total += len(on_x)
    assert total == len(a_won) + len(others)

    # unbind everything, each X from both servers at once: all idle, load 0
    answers = cluster.storm(app, [Call("DELETE", AXB_URI, query={"relationNum": x}) for x in app.pool * 2],
                            {AXB_NOT_FOUND})
    assert cluster.loads(app) == {x: ("idle", 0) for x in app.pool}
    assert all(axb_on(cluster, app, x) == [] for x in app.pool)

    # A can use every X again
    answers = cluster.storm(app, [axb_bind(a, b) for b in new_users(4)], set())
    assert sorted(r.body["relationNum"] for r in answers) == sorted(app.pool)
