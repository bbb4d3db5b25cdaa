"""AXB calls end to end: sandbox calls through a real privnum, events and CDRs checked field by field as the
customer's server receives them (docs/contract/calls.md, events.md, cdr.md; huawei-wire.md §4.2, §4.3, §6.2-6.4).

The checking helpers here (``Expect``, ``check_call``, ``Pool``) are shared with the AX, AXE and AXYB call tests.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx
import pytest

from call_lab import CallLab, LabApp, kinds
from servers import new_users

T = TypeVar("T")
TIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
FULL = ["callin", "callout", "alerting", "answer", "disconnect"]
FAILED_BEFORE_RING = ["callin", "callout", "disconnect"]
RANG = ["callin", "callout", "alerting", "disconnect"]
REFUSED = ["callin", "disconnect"]
CDR_ALWAYS = {"direction", "spId", "appKey", "icid", "bindNum", "sessionId", "subscriptionId", "callerNum",
              "calleeNum", "callInTime", "callEndTime", "fwdUnaswRsn", "ulFailReason", "sipStatusCode", "recordFlag",
              "serviceType", "hostName"}
CDR_INTS = {"direction", "fwdUnaswRsn", "ulFailReason", "sipStatusCode", "recordFlag"}
CDR_TIMES = ("callInTime", "fwdStartTime", "fwdAlertingTime", "fwdAnswerTime", "callEndTime")
EVENT_TIME_OF = {"callin": "callInTime", "callout": "fwdStartTime", "alerting": "fwdAlertingTime",
                 "answer": "fwdAnswerTime", "disconnect": "callEndTime"}
QUICK = {"talk_ms": 300, "answer_after_ms": 200}  # a short answered call
STATE_DESC = {0: "The user releases the call.", 8014: "Invalid call: the binding does not exist."}


@dataclass
class Expect:
    """What the customer must receive for one call."""

    caller: str
    dialled: str  # the privacy number called (X, or a Y in AXYB)
    state: int  # disconnect stateCode = CDR ulFailReason
    sequence: list[str]  # event types in order
    sub: str = ""  # subscriptionId; "" when no binding matched
    callee: str | None = None  # the real forwarded callee (fwdDstNum)
    display: str | None = None  # fwdDisplayNum
    direction: int = 2
    user_data: str | None = None  # in the callin (when known there) and the CDR
    user_data_in_callin: bool = True
    q850: int = 0
    sip: int = 0
    digits: str | None = None  # AXE: digitInfo of collectInfo, CDR extendNum
    sub_in_callin: bool = True  # AXE: the callin carries no subscriptionId
    extra: dict[str, Any] = field(default_factory=dict)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_events(events: list[dict[str, Any]], session: str, e: Expect) -> None:
    assert kinds(events) == e.sequence, events
    stamps = []
    for event in events:
        assert set(event) == {"eventType", "statusInfo"}, event
        kind, info = event["eventType"], event["statusInfo"]
        assert TIME.match(info["timestamp"]), event
        assert info["sessionId"] == session, event
        stamps.append(info["timestamp"])
        if kind == "collectInfo":
            assert info == {"timestamp": info["timestamp"], "sessionId": session, "digitInfo": e.digits or ""}, event
            continue
        expected = {"timestamp", "sessionId", "caller", "called"}
        if kind != "callin" or e.sub_in_callin:
            expected.add("subscriptionId")
            assert info["subscriptionId"] == e.sub, event
        if kind == "callin" and e.user_data is not None and e.user_data_in_callin:
            expected.add("userData")
            assert info["userData"] == e.user_data, event
        if kind == "disconnect":
            expected |= {"stateCode", "stateDesc"}
            assert _is_int(info["stateCode"]) and info["stateCode"] == e.state, event
            assert isinstance(info["stateDesc"], str) and info["stateDesc"], event
            assert info["stateDesc"] == STATE_DESC.get(e.state, info["stateDesc"]), event
        assert set(info) == expected, event
        assert info["caller"] == e.caller, event
        forwarded = kind != "callin" and e.callee is not None
        assert info["called"] == (e.callee if forwarded else e.dialled), event
    assert stamps == sorted(stamps), events


def check_cdr(cdr: dict[str, Any], app: LabApp, session: str, e: Expect) -> None:
    forwarded = "callout" in e.sequence
    answered = "answer" in e.sequence
    expected = set(CDR_ALWAYS)
    if forwarded:
        expected |= {"fwdDisplayNum", "fwdDstNum", "fwdStartTime"}
    if "alerting" in e.sequence:
        expected.add("fwdAlertingTime")
    expected.add("fwdAnswerTime" if answered else "failTime")
    if e.user_data is not None:
        expected.add("userData")
    if e.digits:
        expected.add("extendNum")
    assert set(cdr) == expected, cdr
    for name, value in cdr.items():
        assert _is_int(value) if name in CDR_INTS else isinstance(value, str), (name, cdr)
    assert cdr["direction"] == e.direction, cdr
    assert cdr["spId"] and cdr["hostName"], cdr
    assert cdr["appKey"] == app.app_key, cdr
    assert cdr["icid"] == session.partition("@")[0], cdr
    assert cdr["sessionId"] == session, cdr
    assert cdr["subscriptionId"] == e.sub, cdr
    assert (cdr["bindNum"], cdr["callerNum"], cdr["calleeNum"]) == (e.dialled, e.caller, e.dialled), cdr
    if forwarded:
        assert (cdr["fwdDstNum"], cdr["fwdDisplayNum"]) == (e.callee, e.display), cdr
    assert (cdr["ulFailReason"], cdr["fwdUnaswRsn"], cdr["sipStatusCode"]) == (e.state, e.q850, e.sip), cdr
    assert cdr["recordFlag"] == 0, cdr
    assert cdr["serviceType"] == "003", cdr
    if e.user_data is not None:
        assert cdr["userData"] == e.user_data, cdr
    if e.digits:
        assert cdr["extendNum"] == e.digits, cdr
    times = [cdr[t] for t in CDR_TIMES if t in cdr]
    assert all(TIME.match(t) for t in times), cdr
    assert times == sorted(times), cdr  # callInTime <= fwdStartTime <= fwdAlertingTime <= fwdAnswerTime <= end
    if not answered:
        assert cdr["failTime"] == cdr["callEndTime"], cdr


def retrying(read: Callable[[], T], attempts: int = 20) -> T:
    """``read()``, again when it met a half-written line of the receiver's log (tests/support/receiver.py ``records``
    parses a line the receiver process is still writing and raises JSONDecodeError)."""
    for _ in range(attempts - 1):
        try:
            return read()
        except json.JSONDecodeError:
            time.sleep(0.02)
    return read()


def finished(lab: CallLab, app: LabApp, session: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    return retrying(lambda: lab.finished(app, session))


def check_call(lab: CallLab, app: LabApp, session: str, e: Expect) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Wait for the call to finish; check every event and the CDR against ``e``; (events, cdr)."""
    events, cdr = finished(lab, app, session)
    check_events(events, session, e)
    check_cdr(cdr, app, session, e)
    for event in events:  # each event's time is the CDR's time of that step
        column = EVENT_TIME_OF.get(event["eventType"])
        if column:
            assert event["statusInfo"]["timestamp"] == cdr[column], (event, cdr)
    return events, cdr


def wait_for_event(lab: CallLab, app: LabApp, session: str, kind: str, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if kind in kinds(retrying(lambda: lab.events(app, session))):
            return
        time.sleep(0.03)
    raise AssertionError(f"no {kind} for {session}: {lab.events(app, session)}")


def prompts(lab: CallLab, session: str) -> list[dict[str, Any]]:
    """The tones the sandbox played during a call."""
    r = httpx.get(f"{lab.server.base}/sandbox/v1/calls/{session}", timeout=10)
    assert r.status_code == 200, r.text
    return r.json()["prompts"]


class Pool:
    """Hands out the X numbers of a module's app, one scenario each."""

    def __init__(self, app: LabApp) -> None:
        self.app = app
        self.free = list(app.pool)

    def take(self) -> str:
        assert self.free, "the module's pool is exhausted; enlarge it"
        return self.free.pop(0)


# ---------------------------------------------------------------- AXB


@pytest.fixture(scope="module")
def axb(lab: CallLab) -> Pool:
    return Pool(lab.app("AXB", 24))


def bind(pool: Pool, **extra: Any) -> tuple[str, str, str, str]:
    """A fresh A-X-B binding; (a, b, x, subscriptionId)."""
    a, b = new_users(2)
    x = pool.take()
    r = pool.app.client.axb_bind(relationNum=x, callerNum=a, calleeNum=b, **extra)
    assert r.ok, r
    return a, b, x, r.body["subscriptionId"]


def test_a_reaches_b_and_b_reaches_a(lab: CallLab, axb: Pool) -> None:
    a, b, x, sub = bind(axb, userData="order-17")
    a_to_b = lab.call(a, x, **QUICK)
    b_to_a = lab.call(b, x, **QUICK, hang_up_by="callee")
    check_call(lab, axb.app, a_to_b, Expect(a, x, 0, FULL, sub, callee=b, display=x, direction=1,
                                            user_data="order-17"))
    check_call(lab, axb.app, b_to_a, Expect(b, x, 0, FULL, sub, callee=a, display=x, direction=0,
                                            user_data="order-17"))


def test_call_direction_refusals(lab: CallLab, axb: Pool) -> None:
    a1, b1, x1, sub1 = bind(axb, callDirection=1)  # only A calls
    a2, b2, x2, sub2 = bind(axb, callDirection=2)  # only B calls
    refused_b = lab.call(b1, x1)
    allowed_a = lab.call(a1, x1, **QUICK)
    refused_a = lab.call(a2, x2)
    allowed_b = lab.call(b2, x2, **QUICK)
    check_call(lab, axb.app, refused_b, Expect(b1, x1, 8016, REFUSED, sub1))
    check_call(lab, axb.app, refused_a, Expect(a2, x2, 8016, REFUSED, sub2))
    check_call(lab, axb.app, allowed_a, Expect(a1, x1, 0, FULL, sub1, callee=b1, display=x1, direction=1))
    check_call(lab, axb.app, allowed_b, Expect(b2, x2, 0, FULL, sub2, callee=a2, display=x2, direction=0))


def test_stranger_is_refused_without_subscription(lab: CallLab, axb: Pool) -> None:
    _, _, x, _ = bind(axb, userData="not-for-strangers")
    (stranger,) = new_users(1)
    session = lab.call(stranger, x)
    check_call(lab, axb.app, session, Expect(stranger, x, 8014, REFUSED, ""))


# Forwarded-leg outcomes, all placed at once (module fixture) and checked one by one.
OUTCOMES: dict[str, tuple[dict[str, Any], int, list[str], int, int]] = {
    # name: (sandbox call options, stateCode, events, Q.850 fwdUnaswRsn, sipStatusCode)
    "busy": ({"outcome": "busy"}, 8102, FAILED_BEFORE_RING, 17, 486),
    "reject_603": ({"outcome": "reject", "reject_sip_status": 603}, 7503, FAILED_BEFORE_RING, 21, 603),
    "reject_404": ({"outcome": "reject", "reject_sip_status": 404}, 8100, FAILED_BEFORE_RING, 1, 404),
    "caller_gives_up_while_ringing": ({"outcome": "no_answer", "give_up_after_ms": 1200}, 7502, RANG, 0, 0),
    "caller_gives_up_before_ringing": ({"outcome": "no_answer", "ring_before_alerting_ms": 20_000,
                                        "give_up_after_ms": 1000}, 7501, FAILED_BEFORE_RING, 0, 0),
    "no_answer_connect_timeout": ({"outcome": "no_answer"}, 8035, RANG, 19, 0),
    "callee_hangs_up": ({**QUICK, "hang_up_by": "callee"}, 0, FULL, 0, 0),
}


@pytest.fixture(scope="module")
def outcome_calls(lab: CallLab, axb: Pool) -> dict[str, tuple[str, Expect]]:
    placed = {}
    for name, (options, state, sequence, q850, sip) in OUTCOMES.items():
        a, b, x, sub = bind(axb)
        session = lab.call(a, x, **options)
        placed[name] = (session, Expect(a, x, state, sequence, sub, callee=b, display=x, direction=1, q850=q850,
                                        sip=sip))
    return placed


@pytest.mark.parametrize("name", list(OUTCOMES))
def test_forwarded_leg_outcome(lab: CallLab, axb: Pool, outcome_calls: dict[str, tuple[str, Expect]],
                               name: str) -> None:
    session, expect = outcome_calls[name]
    _, cdr = check_call(lab, axb.app, session, expect)
    if name == "no_answer_connect_timeout":  # the lab's connect timeout is 3 s from the callout
        started = time.strptime(cdr["fwdStartTime"], "%Y-%m-%d %H:%M:%S")
        ended = time.strptime(cdr["callEndTime"], "%Y-%m-%d %H:%M:%S")
        assert 2 <= time.mktime(ended) - time.mktime(started) <= 5, cdr


def test_unbind_during_a_call_does_not_end_it(lab: CallLab, axb: Pool) -> None:
    a, b, x, sub = bind(axb, userData="ud-unbind")
    session = lab.call(a, x, answer_after_ms=150, talk_ms=1500)
    wait_for_event(lab, axb.app, session, "answer")
    assert axb.app.client.axb_unbind(subscriptionId=sub).ok
    _, cdr = check_call(lab, axb.app, session, Expect(a, x, 0, FULL, sub, callee=b, display=x, direction=1,
                                                      user_data="ud-unbind"))
    assert cdr["callEndTime"] > cdr["fwdAnswerTime"]  # talked ~1.5 s, not cut at the unbind
    after = lab.call(a, x)
    check_call(lab, axb.app, after, Expect(a, x, 8014, REFUSED, ""))


@pytest.mark.parametrize(("state", "code"), [("frozen", 7108), ("blacklisted", 8055)])
def test_number_state_refuses_calls(lab: CallLab, axb: Pool, state: str, code: int) -> None:
    a, _, x, _ = bind(axb)
    lab.server.cli("numbers", "set-state", x, state)
    session = lab.call(a, x)
    check_call(lab, axb.app, session, Expect(a, x, code, REFUSED, ""))


def test_suspended_app_refuses_calls(lab: CallLab) -> None:
    app = lab.app("AXB", 1)
    pool = Pool(app)
    a, _, x, _ = bind(pool)
    lab.server.cli("app", "update", app.app_key, "--suspend")
    deadline = time.monotonic() + 4.0  # the server caches apps for ~2 s
    while True:
        session = lab.call(a, x, outcome="busy", ring_before_alerting_ms=0)
        events, _ = finished(lab, app, session)
        if events[-1]["statusInfo"]["stateCode"] == 8018 or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    check_call(lab, app, session, Expect(a, x, 8018, REFUSED, ""))


# --- one call answered, one refused: every event in order, one CDR ---
def test_axb_call_answered_and_refused(lab: CallLab) -> None:
    app = lab.app("AXB", 1)
    a, b, stranger = new_users(3)
    assert app.client.axb_bind(relationNum=app.pool[0], callerNum=a, calleeNum=b).ok
    session = lab.call(a, app.pool[0], talk_ms=300)
    events, cdr = lab.finished(app, session)
    assert kinds(events) == ["callin", "callout", "alerting", "answer", "disconnect"]
    assert events[-1]["statusInfo"]["stateCode"] == 0
    assert (cdr["callerNum"], cdr["fwdDstNum"], cdr["fwdDisplayNum"], cdr["direction"]) == (a, b, app.pool[0], 1)
    refused = lab.call(stranger, app.pool[0])
    events, cdr = lab.finished(app, refused)
    assert kinds(events) == ["callin", "disconnect"]
    assert events[-1]["statusInfo"]["stateCode"] == 8014
    assert cdr["subscriptionId"] == "" and cdr["ulFailReason"] == 8014


def test_a_voice_file_the_app_does_not_have_fails_the_call_with_7507(lab: CallLab, axb: Pool) -> None:
    a, _b, x, _sub = bind(axb, preVoice={"callerHintTone": "not-uploaded.wav"})
    session = lab.call(a, x, **QUICK)
    events, cdr = finished(lab, axb.app, session)
    assert kinds(events) == ["callin", "disconnect"]
    assert events[-1]["statusInfo"]["stateCode"] == 7507 and cdr["ulFailReason"] == 7507


def test_the_voice_files_a_binding_names_are_played_once_uploaded(lab: CallLab) -> None:
    app = lab.app("AXB", 1)
    pool = Pool(app)
    lab.voice(app, "hint_caller.wav")
    a, b, x, sub = bind(pool, preVoice={"callerHintTone": "hint_caller.wav"})
    session = lab.call(a, x, **QUICK)
    _, _cdr = check_call(lab, app, session, Expect(a, x, 0, FULL, sub, callee=b, display=x, direction=1))
    assert {"prompt": "hint_caller.wav", "to": "caller"} in prompts(lab, session)
