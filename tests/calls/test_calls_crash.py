"""A privnum server SIGKILLed with calls up: after a restart on the same database every call accepted
before the crash ends exactly once (disconnect 8040 for the ones the crash cut, one CDR each) and
every push written before the crash is still delivered. Also: pushes of calls made while the
customer's server is down all arrive once it recovers (retry ladder at the lab's time scale)."""

from __future__ import annotations

import itertools
import json
import signal
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from call_lab import LAB_ENV, kinds
from receiver import Receiver
from servers import BACKENDS, Server, drop_database, new_numbers, new_users, serve, start_server

ORDER = ["callin", "callout", "alerting", "answer", "disconnect"]


@dataclass
class Rig:
    server: Server
    receiver: Receiver
    restarts: itertools.count = field(default_factory=itertools.count)


@dataclass
class AxbApp:
    key: str
    events: str
    cdr: str
    pairs: list[tuple[str, str, str]]  # (A, X, B)


@pytest.fixture(scope="module", params=BACKENDS)
def rig(request: pytest.FixtureRequest) -> Iterator[Rig]:
    server = start_server(request.param, LAB_ENV)
    receiver = Receiver(server.workdir)
    try:
        yield Rig(server, receiver)
    finally:
        receiver.stop()
        server.stop()
        drop_database(server.database_url)


def axb_app(rig: Rig, bindings: int = 3) -> AxbApp:
    tag = str(time.monotonic_ns())
    events, cdr = f"/events/{tag}", f"/cdr/{tag}"
    key, secret = rig.server.create_app("AXB", "--callback-url", rig.receiver.base + events,
                                        "--cdr-url", rig.receiver.base + cdr)
    xs = new_numbers(bindings)
    rig.server.add_numbers(key, "0755", xs)
    client = rig.server.client(key, secret)
    pairs = []
    for x in xs:
        a, b = new_users(2)
        assert client.axb_bind(relationNum=x, callerNum=a, calleeNum=b).ok
        pairs.append((a, x, b))
    return AxbApp(key, events, cdr, pairs)


def place(server: Server, caller: str, called: str, talk_ms: int) -> str:
    body = {"caller": caller, "called": called, "callee": {"talk_ms": talk_ms, "answer_after_ms": 150}}
    r = httpx.post(f"{server.base}/sandbox/v1/calls", json=body, timeout=10)
    assert r.status_code == 201, r.text
    return r.json()["session_id"]


def push_id(record: dict[str, Any]) -> str:
    return next(v for k, v in record["headers"].items() if k.lower() == "x-push-id")


def delivered(receiver: Receiver, path: str) -> dict[str, dict[str, Any]]:
    """Pushes answered 200 on ``path``, by X-Push-Id (retries and redeliveries collapse)."""
    out: dict[str, dict[str, Any]] = {}
    for r in receiver.records(path=path):
        if r["status"] == 200:
            out.setdefault(push_id(r), r)
    return out


def events_by_session(receiver: Receiver, app: AxbApp) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for r in delivered(receiver, app.events).values():
        out.setdefault(r["body"]["statusInfo"]["sessionId"], []).append(r["body"])
    return out


def cdrs_by_session(receiver: Receiver, app: AxbApp) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for r in delivered(receiver, app.cdr).values():
        for c in r["body"]["feeLst"]:
            out.setdefault(c["sessionId"], []).append(c)
    return out


def outbox(server: Server, app_key: str) -> list[dict[str, Any]]:
    return json.loads(server.cli("pushes", "list", "--app", app_key, "--limit", "5000", "--json").stdout)


def wait_all_ended(rig: Rig, app: AxbApp, sessions: list[str], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        events, cdrs = events_by_session(rig.receiver, app), cdrs_by_session(rig.receiver, app)
        if all(s in cdrs and any(e["eventType"] == "disconnect" for e in events.get(s, [])) for s in sessions):
            return
        time.sleep(0.1)
    events = events_by_session(rig.receiver, app)
    missing = [s for s in sessions if not any(e["eventType"] == "disconnect" for e in events.get(s, []))]
    raise AssertionError(f"{len(missing)} calls without a disconnect: {missing[:5]}")


def restart(server: Server, rig: Rig) -> None:
    port = server.base.rpartition(":")[2]
    server.process = serve(server.env, server.workdir, port,
                           server.workdir / f"server-restart-{next(rig.restarts)}.log")


def test_sigkill_mid_burst_every_call_ends_once(rig: Rig) -> None:
    app = axb_app(rig)
    long_calls: list[str] = []
    short_calls: list[str] = []
    stop = threading.Event()

    def burst() -> None:
        for n in itertools.count():
            if stop.is_set():
                return
            a, x, _ = app.pairs[n % len(app.pairs)]
            long = n % 3 != 2
            try:
                session = place(rig.server, a, x, 20_000 if long else 200)
            except (httpx.HTTPError, AssertionError):
                return  # the server is gone
            (long_calls if long else short_calls).append(session)
            time.sleep(0.03)

    thread = threading.Thread(target=burst, daemon=True)
    thread.start()

    def ready() -> bool:
        events = events_by_session(rig.receiver, app)
        answered = [s for s in long_calls if "answer" in kinds(events.get(s, []))]
        ended = [s for s in short_calls if "disconnect" in kinds(events.get(s, []))]
        return len(answered) >= 5 and len(ended) >= 2

    deadline = time.monotonic() + 20
    while not ready():
        assert time.monotonic() < deadline, "the burst did not get going"
        time.sleep(0.05)
    assert rig.server.process is not None
    rig.server.process.send_signal(signal.SIGKILL)  # mid-burst: the thread is still placing calls
    rig.server.process.wait(timeout=10)
    thread.join(timeout=15)
    stop.set()
    accepted = long_calls + short_calls

    restart(rig.server, rig)
    wait_all_ended(rig, app, accepted, 30)
    time.sleep(0.5)  # let late duplicates (if any) arrive before counting
    events, cdrs = events_by_session(rig.receiver, app), cdrs_by_session(rig.receiver, app)
    codes = {}
    for s in accepted:
        got = kinds(events[s])
        assert got.count("disconnect") == 1, (s, got)
        assert got == [k for k in ORDER if k in got] and got[0] == "callin", (s, got)
        assert len(cdrs.get(s, [])) == 1, (s, cdrs.get(s))
        code = events[s][-1]["statusInfo"]["stateCode"]
        assert cdrs[s][0]["ulFailReason"] == code
        codes[s] = code
    assert {codes[s] for s in long_calls} == {8040}, codes  # 20 s of talk: every one was cut by the crash
    assert {codes[s] for s in short_calls} <= {0, 8040}
    assert any(codes[s] == 0 for s in short_calls)
    for s in long_calls:
        assert events[s][-1]["statusInfo"]["stateDesc"]
        cdr = cdrs[s][0]
        assert cdr["direction"] == 1 and "callEndTime" in cdr
    # nothing written before the crash was lost: the whole outbox of the app ends delivered
    deadline = time.monotonic() + 20
    while True:
        rows = outbox(rig.server, app.key)
        if all(r["state"] in ("delivered", "batched") for r in rows):
            break
        assert time.monotonic() < deadline, [r for r in rows if r["state"] not in ("delivered", "batched")][:5]
        time.sleep(0.3)
    received = {push_id(r) for r in rig.receiver.records(prefix="/") if r["status"] == 200}
    sent = {r["push_id"] for r in rows if r["state"] == "delivered"}
    assert sent <= received
    event_rows = [r for r in rows if r["kind"] == "call_event"]
    assert len(event_rows) == sum(len(events[s]) for s in accepted)  # no session got two disconnects


def test_receiver_down_during_calls_everything_arrives_later(rig: Rig) -> None:
    if rig.server.process is None or rig.server.process.poll() is not None:
        restart(rig.server, rig)
    app = axb_app(rig, bindings=2)
    for path in (app.events, app.cdr):
        rig.receiver.control(path=path, mode="fail", status=500)
    sessions = [place(rig.server, a, x, 100) for a, x, _ in app.pairs for _ in range(3)]
    # the calls end (each releases within ~1 s) while every push fails
    time.sleep(1.5)
    assert not delivered(rig.receiver, app.events) and not delivered(rig.receiver, app.cdr)
    failed = rig.receiver.records(path=app.events)
    assert failed and {r["status"] for r in failed} == {500}
    for path in (app.events, app.cdr):
        rig.receiver.control(path=path, mode="ok")
    wait_all_ended(rig, app, sessions, 25)
    events, cdrs = events_by_session(rig.receiver, app), cdrs_by_session(rig.receiver, app)
    for s in sessions:
        assert kinds(events[s]) == ORDER, (s, kinds(events[s]))  # in order despite the retries
        assert events[s][-1]["statusInfo"]["stateCode"] == 0
        assert len(cdrs[s]) == 1
    # each call's callin was retried on the (scaled) ladder with the same push id
    callin_attempts: dict[str, int] = {}
    for r in rig.receiver.records(path=app.events):
        if r["body"]["eventType"] == "callin":
            callin_attempts[push_id(r)] = callin_attempts.get(push_id(r), 0) + 1
    assert len(callin_attempts) == len(sessions) and min(callin_attempts.values()) >= 2
