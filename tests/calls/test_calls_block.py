"""X mode end to end: the Block ``callin`` to the customer's server and what its answer does to the call.

The lab's Block timeout is 1 s (``PRIVNUM_BLOCK_TIMEOUT_S``). The customer's answer for an app is set
with ``lab.receiver.control(path=app.events_path, block_answer=...)``; the receiver answers every push
on that path with it (Notify pushes ignore the body).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from call_lab import CallLab, LabApp, kinds
from privnum.service.authentication import aksk_digest
from servers import new_numbers, new_users


def header(record: dict[str, Any], name: str) -> str | None:
    return next((v for k, v in record["headers"].items() if k.lower() == name.lower()), None)


def callin_records(lab: CallLab, app: LabApp, session: str) -> list[dict[str, Any]]:
    """Every POST of the Block callin of ``session`` the receiver saw (failed ones too)."""
    return [r for r in lab.receiver.records(path=app.events_path)
            if isinstance(r["body"], dict) and r["body"].get("eventType") == "callin"
            and r["body"].get("statusInfo", {}).get("sessionId") == session]


def trace(lab: CallLab, session: str) -> dict[str, Any]:
    r = httpx.get(f"{lab.server.base}/sandbox/v1/calls/{session}", timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def block_pushes(lab: CallLab, app_key: str) -> list[dict[str, Any]]:
    listed = json.loads(lab.server.cli("pushes", "list", "--app", app_key, "--json").stdout)
    return [p for p in listed if p["kind"] == "block_callin"]


def connect(callee: str, array: bool = False, **extra: Any) -> dict[str, Any]:
    info = {"calleeNum": callee, **extra}
    return {"operation": "connect", "connectInfo": [info] if array else info}


@pytest.mark.parametrize("shape", ["object", "array"])
def test_connect_reaches_the_callee(lab: CallLab, shape: str) -> None:
    app = lab.app("X", 1)
    x = app.pool[0]
    a, b = new_users(2)
    lab.receiver.control(path=app.events_path, block_answer=connect(b, array=shape == "array", userData="order-17"))
    session = lab.call(a, x, talk_ms=1100)
    events, cdr = lab.finished(app, session)
    assert kinds(events) == ["callin", "callout", "alerting", "answer", "disconnect"]
    callin = events[0]["statusInfo"]
    assert callin["notifyMode"] == "Block"
    assert (callin["caller"], callin["called"]) == (a, x)
    assert "subscriptionId" not in callin
    assert all(e["statusInfo"]["called"] == b for e in events[1:]), events
    assert all("notifyMode" not in e["statusInfo"] for e in events[1:])
    assert all(e["statusInfo"].get("userData") == "order-17" for e in events[1:]), events
    disconnect = events[-1]["statusInfo"]
    assert disconnect["stateCode"] == 0 and disconnect["callRelDirection"] == 1
    # the Block callin is signed and carries a push id, like every push
    [record] = callin_records(lab, app, session)
    assert record["status"] == 200
    push_id = header(record, "X-Push-Id")
    assert push_id is not None and len(push_id) == 32
    assert header(record, "Authorization") == 'AKSK realm="SDP",profile="UsernameToken",type="Appkey"'
    token = header(record, "X-AKSK") or ""
    fields = dict(part.split("=", 1) for part in token.removeprefix("UsernameToken ").replace('"', "").split(","))
    assert fields["Username"] == app.app_key
    assert fields["PasswordDigest"] == aksk_digest(app.app_secret, fields["Nonce"], fields["Created"])
    # events after the callin go to the same call-status URL
    assert {r["path"] for r in lab.receiver.records(prefix=app.events_path)} == {app.events_path}
    assert cdr["notifyMode"] == "Block" and cdr["areaCode"] == "0755"
    # callDuration is what the CDR's own times say (billing.md R-2): a 1 s call spanning two second boundaries is 2
    seen = (datetime.strptime(cdr["callEndTime"], "%Y-%m-%d %H:%M:%S")
            - datetime.strptime(cdr["fwdAnswerTime"], "%Y-%m-%d %H:%M:%S")).seconds
    assert cdr["callDuration"] == seen and seen in (1, 2)
    assert (cdr["callerNum"], cdr["calleeNum"], cdr["fwdDstNum"], cdr["fwdDisplayNum"]) == (a, x, b, x)
    assert cdr["direction"] == 0 and cdr["subscriptionId"] == "" and cdr["ulFailReason"] == 0
    assert cdr["userData"] == "order-17" and cdr["callRelDirection"] == 1
    [logged] = [p for p in block_pushes(lab, app.app_key) if p["push_id"] == push_id]
    assert (logged["state"], logged["attempts"]) == ("delivered", 1)


def test_close_with_hint_tone_ends_with_8017(lab: CallLab) -> None:
    app = lab.app("X", 1)
    lab.voice(app, "bye.wav")
    a = new_users(1)[0]
    lab.receiver.control(path=app.events_path,
                         block_answer={"operation": "close", "closeInfo": [{"closeHintTone": "bye.wav"}]})
    session = lab.call(a, app.pool[0])
    events, cdr = lab.finished(app, session)
    assert kinds(events) == ["callin", "disconnect"]
    assert events[-1]["statusInfo"]["stateCode"] == 8017
    assert "callRelDirection" not in events[-1]["statusInfo"]
    assert cdr["ulFailReason"] == 8017 and cdr["direction"] == 2 and cdr["callDuration"] == 0
    assert cdr["notifyMode"] == "Block" and "fwdDstNum" not in cdr
    assert {"prompt": "bye.wav", "to": "caller"} in trace(lab, session)["prompts"]


@pytest.mark.parametrize("answer", [
    {"operation": "close", "closeInfo": [{"closeHintTone": "no-such.wav"}]},
    {"operation": "connect", "connectInfo": {"calleeNum": "+8613900000002", "waitVoice": "no-such.wav"}},
], ids=["close", "connect"])
def test_a_voice_file_the_app_does_not_have_ends_the_call_with_8006(lab: CallLab, answer: dict[str, Any]) -> None:
    app = lab.app("X", 1)
    lab.receiver.control(path=app.events_path, block_answer=answer)
    session = lab.call(new_users(1)[0], app.pool[0])
    events, cdr = lab.finished(app, session)
    assert kinds(events) == ["callin", "disconnect"]
    assert events[-1]["statusInfo"]["stateCode"] == 8006 and cdr["ulFailReason"] == 8006


def test_no_answer_in_time_ends_with_8014(lab: CallLab) -> None:
    app = lab.app("X", 1)
    a, b = new_users(2)
    lab.receiver.control(path=app.events_path, mode="slow", delay_ms=2000, block_answer=connect(b), times=1)
    started = time.monotonic()
    session = lab.call(a, app.pool[0])
    events, cdr = lab.finished(app, session)
    assert time.monotonic() - started < 10
    assert events[-1]["statusInfo"]["stateCode"] == 8014 and cdr["ulFailReason"] == 8014
    # the receiver logs the slow callin only once it answered (2 s), after privnum gave up on it
    deadline = time.monotonic() + 5
    while not callin_records(lab, app, session) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sorted(kinds(lab.events(app, session))) == ["callin", "disconnect"]  # logged in answer order
    assert [p["state"] for p in block_pushes(lab, app.app_key)] == ["failed"]


@pytest.fixture(scope="module")
def invalid_app(lab: CallLab) -> LabApp:
    return lab.app("X", 1)


INVALID = {
    "maxDuration 7200": lambda b: connect(b, maxDuration=7200),
    "maxDuration as a string": lambda b: connect(b, maxDuration="30"),
    "operation dance": lambda b: {"operation": "dance", "connectInfo": {"calleeNum": b}},
    "calleeNum without +": lambda b: connect(b.lstrip("+")),
    "displayCalleeNum another number": lambda b: connect(b, displayCalleeNum=new_numbers(1)[0]),
    "connectInfo array of two": lambda b: {"operation": "connect", "connectInfo": [{"calleeNum": b}] * 2},
    "connect without connectInfo": lambda b: {"operation": "connect"},
    "non-ASCII userData": lambda b: connect(b, userData="订单"),
    "JSON array body": lambda b: [connect(b)],
    "JSON string body": lambda b: "connect",
}


@pytest.mark.parametrize("case", list(INVALID))
def test_invalid_answer_ends_with_8014(lab: CallLab, invalid_app: LabApp, case: str) -> None:
    a, b = new_users(2)
    lab.receiver.control(path=invalid_app.events_path, block_answer=INVALID[case](b))
    session = lab.call(a, invalid_app.pool[0])
    events, cdr = lab.finished(invalid_app, session)
    assert kinds(events) == ["callin", "disconnect"], case
    assert events[-1]["statusInfo"]["stateCode"] == 8014 and cdr["ulFailReason"] == 8014
    assert "fwdDstNum" not in cdr


def test_empty_body_ends_with_8014(lab: CallLab, invalid_app: LabApp) -> None:
    lab.receiver.control(path=invalid_app.events_path, mode="ok")  # 200, empty body
    session = lab.call(new_users(1)[0], invalid_app.pool[0])
    events, _ = lab.finished(invalid_app, session)
    assert kinds(events) == ["callin", "disconnect"]
    assert events[-1]["statusInfo"]["stateCode"] == 8014


class _TextServer:
    """A customer's server answering every POST with 200 and a body that is not JSON."""

    def __init__(self, body: bytes) -> None:
        self.requests: list[dict[str, Any]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                outer.requests.append(json.loads(self.rfile.read(length)))
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def text_server() -> Iterator[_TextServer]:
    s = _TextServer(b"connect please")
    yield s
    s.close()


def test_non_json_body_ends_with_8014(lab: CallLab, text_server: _TextServer) -> None:
    key, _ = lab.server.create_app("X", "--callback-url", text_server.base + "/events")
    x = new_numbers(1)[0]
    lab.server.add_numbers(key, "0755", [x])
    session = lab.call(new_users(1)[0], x)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if any(r["eventType"] == "disconnect" for r in text_server.requests):
            break
        time.sleep(0.05)
    got = [r for r in text_server.requests if r["statusInfo"]["sessionId"] == session]
    assert [r["eventType"] for r in got] == ["callin", "disconnect"], got
    assert got[-1]["statusInfo"]["stateCode"] == 8014
    [logged] = block_pushes(lab, key)
    assert logged["state"] == "failed" and logged["last_error"] == "not JSON"


def test_block_callin_is_never_retried(lab: CallLab) -> None:
    app = lab.app("X", 1)
    a, b = new_users(2)
    lab.receiver.control(path=app.events_path, mode="fail", status=500, times=1)
    session = lab.call(a, app.pool[0])
    events, cdr = lab.finished(app, session)
    assert kinds(events) == ["disconnect"]  # lab.events keeps 200s only: the callin got a 500
    assert events[-1]["statusInfo"]["stateCode"] == 8014 and cdr["ulFailReason"] == 8014
    # a retry would come 60 ms later on the lab's ladder; wait well past the first rungs
    time.sleep(0.8)
    records = callin_records(lab, app, session)
    assert [r["status"] for r in records] == [500]
    push_id = header(records[0], "X-Push-Id")
    [logged] = block_pushes(lab, app.app_key)
    assert (logged["push_id"], logged["state"], logged["attempts"]) == (push_id, "failed", 1)
    assert logged["last_error"] == "HTTP 500"
    # the next call is asked again (once), independently
    lab.receiver.control(path=app.events_path, block_answer=connect(b))
    second = lab.call(a, app.pool[0], talk_ms=100)
    events, _ = lab.finished(app, second)
    assert kinds(events)[-1] == "disconnect" and events[-1]["statusInfo"]["stateCode"] == 0
    assert len(callin_records(lab, app, second)) == 1
    assert sorted(p["state"] for p in block_pushes(lab, app.app_key)) == ["delivered", "failed"]
