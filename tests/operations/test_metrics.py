"""``/metrics`` and JSON logs end to end (README "Operations: metrics and logs"): a real ``privnum serve`` with the
sandbox, a receiver standing in for the customer's server; binds, calls, pushes and a text go through it, and the
scrape (parsed with prometheus_client's parser) must count them. The server logs JSON lines (PRIVNUM_LOG_FORMAT),
in which a call is found by its session id.

Time scale 0.0001: the push ladder (1, 4, 9, 106, 203, 300 minutes) is 6 ms … 1.8 s, 3.7 s in all, so a push to a
receiver that always fails becomes a dead letter within seconds.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import httpx
import pytest

from call_lab import CallLab
from receiver import Receiver
from scrape import Samples, scrape, value
from servers import BACKENDS, Server, drop_database, new_users, start_server

T = TypeVar("T")
ENV = {
    "PRIVNUM_TIME_SCALE": "0.0001",
    "PRIVNUM_CONNECT_TIMEOUT_S": "3",
    "PRIVNUM_BILLING_JOBS": "0",
    "PRIVNUM_LOG_FORMAT": "json",
    "PRIVNUM_LOG_LEVEL": "info",
}
def eventually(check: Callable[[], T | None], timeout_s: float = 30.0, what: str = "") -> T:
    deadline = time.monotonic() + timeout_s
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout_s} s: {what}")
        time.sleep(0.1)


@pytest.fixture(scope="module", params=BACKENDS)
def ops(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[CallLab]:
    receiver = Receiver(tmp_path_factory.mktemp("receiver"))
    server = start_server(request.param, ENV)
    yield CallLab(server, receiver)
    server.stop()
    receiver.stop()
    drop_database(server.database_url)


def test_binds_calls_pushes_and_texts_are_counted(ops: CallLab) -> None:
    base = ops.server.base
    sms_path = f"/sms/{uuid.uuid4().hex[:8]}"
    app = ops.app("AXB", 1, "0755", "--sms", "--sms-url", ops.receiver.base + sms_path)
    x = app.pool[0]
    a, b, c = new_users(3)
    before = scrape(base)

    bound = app.client.axb_bind(relationNum=x, callerNum=a, calleeNum=b)
    assert bound.ok, bound
    refused = app.client.axb_bind(relationNum=x, callerNum=a, calleeNum=c)  # A already on X
    assert refused.code not in (None, "0"), refused
    session = ops.call(a, x, talk_ms=300, answer_after_ms=200)
    events, cdr = ops.finished(app, session)
    assert cdr["ulFailReason"] == 0
    sent = httpx.post(f"{base}/sandbox/v1/sms", json={"from": a, "to": x, "text": "metrics"}, timeout=10)
    assert sent.status_code == 201, sent.text

    def counted() -> Samples | None:
        now = scrape(base)
        delivered = (value(now, "privnum_push_attempts_total", kind="call_event", result="delivered")
                     - value(before, "privnum_push_attempts_total", kind="call_event", result="delivered"))
        texts = value(now, "privnum_sms_total", send_result="0") - value(before, "privnum_sms_total", send_result="0")
        return now if delivered >= len(events) and texts >= 1 else None

    after = eventually(counted, what="the call's events delivered and the text relayed, counted")

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("privnum_binds_total", mode="AXB", resultcode="0") == 1
    assert delta("privnum_binds_total", mode="AXB", resultcode=refused.code) == 1
    assert delta("privnum_call_setups_total", mode="AXB") == 1
    assert delta("privnum_calls_ended_total", mode="AXB", outcome="answered", cause="0") == 1
    assert delta("privnum_push_attempts_total", kind="call_event", result="delivered") == len(events) == 5
    assert delta("privnum_push_attempts_total", kind="call_event", result="failed") == 0
    assert delta("privnum_push_delivery_seconds_count", kind="call_event") == len(events)
    assert delta("privnum_sms_total", send_result="0") == 1
    assert value(after, "privnum_census_up") == 1
    assert value(after, "privnum_live_calls") == 0
    assert value(after, "privnum_settlement_lag_seconds") >= 0
    assert value(after, "privnum_push_queue_depth", app=app.app_key) == 0


def test_a_failing_receiver_shows_in_the_queue_then_as_dead_letters(ops: CallLab) -> None:
    base = ops.server.base
    app = ops.app("AXB", 1)
    ops.receiver.control(mode="fail", status=503, path=app.events_path)
    before = scrape(base)
    stranger = new_users(1)[0]
    ops.call(stranger, app.pool[0])  # no binding: refused with 8014, its callin and disconnect pushed

    def queued() -> Samples | None:
        now = scrape(base)
        return now if value(now, "privnum_push_queue_depth", app=app.app_key) >= 1 else None

    waiting = eventually(queued, what="the refused call's pushes waiting in the queue")
    assert value(waiting, "privnum_push_queue_oldest_age_seconds", app=app.app_key) > 0

    def dead() -> Samples | None:
        now = scrape(base)
        return now if value(now, "privnum_push_dead_letters_stored", app=app.app_key) == 2 else None

    after = eventually(dead, 40.0, "both pushes dead-lettered after the ladder")
    assert value(after, "privnum_push_queue_depth", app=app.app_key) == 0
    assert (value(after, "privnum_push_dead_letters_total", kind="call_event")
            - value(before, "privnum_push_dead_letters_total", kind="call_event")) >= 2
    assert (value(after, "privnum_push_attempts_total", kind="call_event", result="failed")
            - value(before, "privnum_push_attempts_total", kind="call_event", result="failed")) >= 2 * 7
    assert (value(after, "privnum_calls_ended_total", mode="AXB", outcome="refused", cause="8014")
            - value(before, "privnum_calls_ended_total", mode="AXB", outcome="refused", cause="8014")) == 1


def test_json_logs_follow_a_call_by_its_session_id(ops: CallLab) -> None:
    app = ops.app("AXB", 1)
    a, b = new_users(2)
    bound = app.client.axb_bind(relationNum=app.pool[0], callerNum=a, calleeNum=b)
    assert bound.ok, bound
    session = ops.call(a, app.pool[0], talk_ms=200, answer_after_ms=100)
    ops.finished(app, session)
    log = ops.server.workdir / "server.log"

    def about_the_call() -> list[dict[str, Any]] | None:
        lines = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]  # every line is JSON
        mine = [line for line in lines if line.get("session_id") == session]
        return mine if any("call ended" in line["msg"] for line in mine) else None

    mine = eventually(about_the_call, what=f"log lines of {session}")
    assert any(line["msg"].startswith("call set up") for line in mine), mine
    for line in mine:
        assert set(line) >= {"ts", "level", "logger", "msg", "session_id", "subscription_id", "app"}, line
        assert line["subscription_id"] == bound.body["subscriptionId"], line
        assert line["app"] == app.app_key, line
        assert line["logger"].startswith("privnum"), line


def test_metrics_are_for_allowed_addresses_with_the_token(tmp_path_factory: pytest.TempPathFactory) -> None:
    server: Server = start_server("sqlite", {"PRIVNUM_METRICS_TOKEN": "scrape-secret"})
    try:
        url = f"{server.base}/metrics"
        assert httpx.get(url, timeout=10).status_code == 403
        assert httpx.get(url, headers={"Authorization": "Bearer wrong"}, timeout=10).status_code == 403
        ok = httpx.get(url, headers={"Authorization": "Bearer scrape-secret"}, timeout=10)
        assert ok.status_code == 200 and "privnum_census_up 1.0" in ok.text, ok.text
        other = httpx.HTTPTransport(local_address="127.0.0.2")  # loopback, but not in PRIVNUM_METRICS_ALLOW
        with httpx.Client(transport=other, timeout=10) as client:
            assert client.get(url, headers={"Authorization": "Bearer scrape-secret"}).status_code == 403
        assert "/metrics" not in httpx.get(f"{server.base}/openapi.json", timeout=10).text
    finally:
        server.stop()
        drop_database(server.database_url)
