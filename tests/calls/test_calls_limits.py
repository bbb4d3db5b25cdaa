"""Call limits (maxDuration, connect timeout) and the sandbox surface: its schema, its refusals and the
``privnum call simulate`` CLI."""

from __future__ import annotations

import time
from datetime import datetime

import httpx
import pytest

from call_lab import CallLab, kinds
from servers import new_numbers, new_users


def huawei_time(value: str) -> float:
    return datetime.strptime(value, "%Y-%m-%d %H:%M:%S").timestamp()


@pytest.mark.slow
def test_max_duration_cuts_the_call_after_a_minute(lab: CallLab) -> None:
    if lab.server.backend != "sqlite":
        pytest.skip("a real minute: run once, on SQLite")
    app = lab.app("AXB", 1)
    a, b = new_users(2)
    assert app.client.axb_bind(relationNum=app.pool[0], callerNum=a, calleeNum=b, maxDuration=1).ok
    session = lab.call(a, app.pool[0], talk_ms=120_000)
    deadline = time.monotonic() + 10
    while "answer" not in kinds(lab.events(app, session)):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    answered_at = time.monotonic()
    events, cdr = lab.finished(app, session, timeout_s=90)
    took = time.monotonic() - answered_at
    assert 58 <= took <= 65, took
    assert kinds(events) == ["callin", "callout", "alerting", "answer", "disconnect"]
    assert events[-1]["statusInfo"]["stateCode"] == 8010
    assert cdr["ulFailReason"] == 8010 and cdr["fwdUnaswRsn"] == 0
    talk = huawei_time(cdr["callEndTime"]) - huawei_time(cdr["fwdAnswerTime"])
    assert 59 <= talk <= 61, cdr


def test_connect_timeout_and_caller_giving_up(lab: CallLab) -> None:
    app = lab.app("AXB", 1)
    a, b = new_users(2)
    assert app.client.axb_bind(relationNum=app.pool[0], callerNum=a, calleeNum=b).ok
    started = time.monotonic()
    timed_out = lab.call(a, app.pool[0], outcome="no_answer")  # lab connect timeout: 3 s
    gave_up = lab.call(a, app.pool[0], give_up_after_ms=400, outcome="no_answer")
    events, cdr = lab.finished(app, gave_up)
    assert kinds(events) == ["callin", "callout", "alerting", "disconnect"]
    assert events[-1]["statusInfo"]["stateCode"] == 7502 and "fwdAnswerTime" not in cdr
    events, cdr = lab.finished(app, timed_out)
    assert 2.5 <= time.monotonic() - started <= 8
    assert kinds(events) == ["callin", "callout", "alerting", "disconnect"]
    assert events[-1]["statusInfo"]["stateCode"] == 8035
    assert (cdr["ulFailReason"], cdr["fwdUnaswRsn"]) == (8035, 19) and cdr["failTime"] == cdr["callEndTime"]


def test_call_simulate_cli_prints_the_trace(lab: CallLab) -> None:
    app = lab.app("AXB", 1)
    a, b = new_users(2)
    assert app.client.axb_bind(relationNum=app.pool[0], callerNum=a, calleeNum=b).ok
    assert lab.server.env["PRIVNUM_PORT"] in lab.server.base
    done = lab.server.cli("call", "simulate", a, app.pool[0], "--talk", "300")
    lines = done.stdout.splitlines()
    assert lines[0].startswith("session "), done.stdout
    session = lines[0].split()[1]
    shown = [line.split()[1] for line in lines[1:] if line.strip()]
    assert shown == ["callin", "callout", "alerting", "answer", "disconnect"], done.stdout
    assert "stateCode 0" in lines[-1]
    _, cdr = lab.finished(app, session)
    assert cdr["fwdDstNum"] == b
    refused = lab.server.cli("call", "simulate", a, new_numbers(1)[0], check=False)
    assert refused.returncode == 1 and "404" in refused.stdout, refused.stdout


def test_sandbox_schema_is_published(lab: CallLab) -> None:
    spec = httpx.get(f"{lab.server.base}/openapi.json", timeout=10).json()
    assert "post" in spec["paths"]["/sandbox/v1/calls"]
    assert "get" in spec["paths"]["/sandbox/v1/calls/{session_id}"]
    schemas = spec["components"]["schemas"]
    request = schemas["SandboxCallRequest"]
    assert set(request["properties"]) == {"caller", "called", "extension_digits", "caller_hangs_up_after_ms",
                                          "callee"}
    assert set(request["required"]) == {"caller", "called"}
    callee = schemas["CalleeSpec"]["properties"]
    assert set(callee) == {"outcome", "ring_before_alerting_ms", "answer_after_ms", "reject_sip_status", "talk_ms",
                           "hang_up_by"}
    assert set(callee["outcome"]["enum"]) == {"answer", "no_answer", "busy", "reject"}
    assert all(field.get("description") for field in callee.values())


@pytest.mark.parametrize("body", [
    {"called": "+8617000000000"},
    {"caller": "13900000000", "called": "+8617000000000"},
    {"caller": "+8613900000000", "called": "+8617000000000", "extension_digits": "12345"},
    {"caller": "+8613900000000", "called": "+8617000000000", "caller_hangs_up_after_ms": -1},
    {"caller": "+8613900000000", "called": "+8617000000000", "callee": {"outcome": "maybe"}},
    {"caller": "+8613900000000", "called": "+8617000000000", "callee": {"talk_ms": -5}},
    {"caller": "+8613900000000", "called": "+8617000000000", "callee": {"reject_sip_status": 200}},
    {"caller": "+8613900000000", "called": "+8617000000000", "callee": {"hang_up_by": "nobody"}},
    {"caller": "+8613900000000", "called": "+8617000000000", "colour": "blue"},
    {"caller": "+8613900000000", "called": "+8617000000000", "callee": {"talk": 5}},
], ids=["no caller", "caller not global", "5 digits", "negative give-up", "bad outcome", "negative talk",
        "reject 200", "bad hang_up_by", "unknown field", "unknown callee field"])
def test_bad_sandbox_input_is_422(lab: CallLab, body: dict) -> None:
    r = httpx.post(f"{lab.server.base}/sandbox/v1/calls", json=body, timeout=10)
    assert r.status_code == 422, r.text
    assert isinstance(r.json()["detail"], list)


def test_unknown_privacy_number_is_404(lab: CallLab) -> None:
    r = httpx.post(f"{lab.server.base}/sandbox/v1/calls", timeout=10,
                   json={"caller": new_users(1)[0], "called": new_numbers(1)[0]})
    assert r.status_code == 404 and "detail" in r.json(), r.text
    trace = httpx.get(f"{lab.server.base}/sandbox/v1/calls/1_1_deadbeef_20250101000000@nowhere", timeout=10)
    assert trace.status_code == 404
