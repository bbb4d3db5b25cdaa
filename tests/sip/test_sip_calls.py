"""Real SIP calls through privnum's B2BUA: SIPp callers on one side, a SIPp callee on the trunk on the other,
and the events and CDRs the customer's server receives (the same as the sandbox's)."""

from __future__ import annotations

import re
import socket
import time

import pytest

from call_lab import kinds
from servers import new_users
from sip_lab import SipLab
from sipp import HOST, SipMessage, SippLab, send_datagram

FULL = ["callin", "callout", "alerting", "answer", "disconnect"]


def digits(number: str) -> str:
    return number.lstrip("+")


def national(number: str) -> str:
    return digits(number)[2:]  # +8613800000001 -> 13800000001


def assert_private(invite: SipMessage, real: str, *others: str) -> None:
    """No header of the leg B got carries A's number (any form) or A's identifiers."""
    raw = invite.raw
    for secret in (national(real), *others):
        assert secret not in raw, f"{secret!r} crossed to the callee:\n{raw}"


@pytest.mark.parametrize("form", ["e164", "digits", "international", "national"])
def test_a_calls_x_and_reaches_b_who_sees_only_x(sip_lab: SipLab, sipp_lab: SippLab, form: str) -> None:
    app, a, b, x = sip_lab.axb()
    caller = {"e164": a, "digits": digits(a), "international": "00" + digits(a), "national": national(a)}[form]
    callee = sip_lab.callee(sipp_lab, "uas_answer", duration_ms=100)
    caller_process = sip_lab.start_caller(sipp_lab, "uac_call", caller=caller, called=digits(x), duration_ms=500)
    result = caller_process.wait().check()
    got = callee.wait().check()
    [invite] = got.received_requests("INVITE")
    assert re.match(rf"sip:\+?{digits(b)}@", invite.request_uri or ""), invite.request_uri
    assert f"sip:{b}@" in (invite.header("To") or "")
    assert f"sip:{x}@" in (invite.header("From") or "")
    assert f"sip:{x}@" in (invite.header("P-Asserted-Identity") or "")
    a_invite = result.sent_requests("INVITE")[0]
    assert_private(invite, a, a_invite.header("Call-ID") or "?", f":{caller_process.port}")
    assert invite.header("Call-ID") != a_invite.header("Call-ID")
    events, cdr = sip_lab.finished(app)
    assert kinds(events) == FULL
    assert events[0]["statusInfo"]["caller"] == a and events[0]["statusInfo"]["called"] == x
    assert events[1]["statusInfo"]["called"] == b
    assert events[-1]["statusInfo"]["stateCode"] == 0
    assert cdr["callerNum"] == a and cdr["calleeNum"] == x and cdr["fwdDstNum"] == b
    assert cdr["ulFailReason"] == 0 and cdr["fwdAnswerTime"] and cdr["callEndTime"] >= cdr["fwdAnswerTime"]


def test_b_calls_x_and_reaches_a(sip_lab: SipLab, sipp_lab: SippLab) -> None:
    app, a, b, x = sip_lab.axb()
    callee = sip_lab.callee(sipp_lab, "uas_hangs_up", duration_ms=300)
    sip_lab.caller(sipp_lab, "uac_callee_hangs_up", caller=b, called=x).check()
    [invite] = callee.wait().check().received_requests("INVITE")
    assert f"sip:{a}@" in (invite.header("To") or "") and f"sip:{x}@" in (invite.header("From") or "")
    assert national(b) not in invite.raw
    events, cdr = sip_lab.finished(app)
    assert kinds(events) == FULL
    assert cdr["fwdDstNum"] == a and cdr["ulFailReason"] == 0


def test_the_caller_sees_nothing_of_the_callee(sip_lab: SipLab, sipp_lab: SippLab) -> None:
    app, a, b, x = sip_lab.axb()
    callee = sip_lab.callee(sipp_lab, "uas_answer", duration_ms=100)
    result = sip_lab.caller(sipp_lab, "uac_call", caller=a, called=x, duration_ms=300).check()
    got = callee.wait().check()
    b_side = [m.raw for m in got.sent()]
    for response in result.received():
        assert national(b) not in response.raw
        assert f":{callee.port}" not in response.raw, response.raw
    assert b_side  # the callee did answer
    sip_lab.finished(app)


def test_an_unbound_caller_is_refused_and_no_leg_is_placed(sip_lab: SipLab, sipp_lab: SippLab) -> None:
    app, _a, _b, x = sip_lab.axb()
    stranger = new_users(1)[0]
    callee = sip_lab.callee(sipp_lab, "uas_answer", timeout_s=5)
    result = sip_lab.caller(sipp_lab, "uac_refused", caller=stranger, called=x)
    result.check()
    assert result.final_status() == 404
    assert 183 in result.statuses()  # the no-binding prompt as early media first
    events, cdr = sip_lab.finished(app)
    assert kinds(events) == ["callin", "disconnect"]
    assert events[-1]["statusInfo"]["stateCode"] == 8014 and cdr["ulFailReason"] == 8014
    callee.kill()
    assert not callee.wait(1).received_requests("INVITE")


def test_an_unknown_x_gets_404(sip_lab: SipLab, sipp_lab: SippLab) -> None:
    result = sip_lab.caller(sipp_lab, "uac_refused", caller=new_users(1)[0], called="+8617999999999")
    result.check()
    assert result.final_status() == 404


@pytest.mark.parametrize(("scenario", "code", "a_gets", "state"), [
    ("uas_busy", None, 486, 8102),
    ("uas_reject", 404, 404, 8100),
    ("uas_reject", 603, 603, 7503),
])
def test_the_callee_refusing_is_relayed(sip_lab: SipLab, sipp_lab: SippLab, scenario: str, code: int | None,
                                        a_gets: int, state: int) -> None:
    app, a, _b, x = sip_lab.axb()
    callee = sip_lab.callee(sipp_lab, scenario, **({"code": code} if code else {}))
    result = sip_lab.caller(sipp_lab, "uac_refused", caller=a, called=x).check()
    callee.wait().check()
    assert result.final_status() == a_gets
    events, cdr = sip_lab.finished(app)
    assert kinds(events)[:2] == ["callin", "callout"] and kinds(events)[-1] == "disconnect"
    assert events[-1]["statusInfo"]["stateCode"] == state, events[-1]
    assert cdr["ulFailReason"] == state


def test_no_answer_cancels_the_callee_at_the_connect_timeout(sip_lab: SipLab, sipp_lab: SippLab) -> None:
    app, a, _b, x = sip_lab.axb()
    callee = sip_lab.callee(sipp_lab, "uas_no_answer")
    started = time.monotonic()
    result = sip_lab.caller(sipp_lab, "uac_refused", caller=a, called=x).check()
    assert 2.5 <= time.monotonic() - started <= 8  # the lab's PRIVNUM_CONNECT_TIMEOUT_S is 3
    assert result.final_status() == 480
    assert callee.wait().check().received_requests("CANCEL")
    events, cdr = sip_lab.finished(app)
    assert kinds(events) == ["callin", "callout", "alerting", "disconnect"]
    assert events[-1]["statusInfo"]["stateCode"] == 8035 and cdr["ulFailReason"] == 8035


def test_the_caller_cancelling_while_b_rings_cancels_b(sip_lab: SipLab, sipp_lab: SippLab) -> None:
    app, a, _b, x = sip_lab.axb()
    callee = sip_lab.callee(sipp_lab, "uas_no_answer")
    sip_lab.caller(sipp_lab, "uac_cancel", caller=a, called=x, duration_ms=500).check()
    assert callee.wait().check().received_requests("CANCEL")
    events, cdr = sip_lab.finished(app)
    assert kinds(events) == ["callin", "callout", "alerting", "disconnect"]
    assert events[-1]["statusInfo"]["stateCode"] == 7502 and cdr["ulFailReason"] == 7502


def test_the_callee_hanging_up_first_ends_the_callers_leg(sip_lab: SipLab, sipp_lab: SippLab) -> None:
    app, a, _b, x = sip_lab.axb()
    callee = sip_lab.callee(sipp_lab, "uas_hangs_up", duration_ms=400)
    result = sip_lab.caller(sipp_lab, "uac_callee_hangs_up", caller=a, called=x).check()
    callee.wait().check()
    assert result.received_requests("BYE")
    events, _cdr = sip_lab.finished(app)
    assert kinds(events) == FULL
    assert events[-1]["statusInfo"]["stateCode"] == 0


def test_an_invite_from_an_untrusted_address_gets_403_and_no_push(sip_lab: SipLab, sipp_lab: SippLab) -> None:
    app, a, _b, x = sip_lab.axb()
    result = sip_lab.caller(sipp_lab, "uac_refused", caller=a, called=x, extra_args=["-i", "127.0.0.2"]).check()
    assert result.final_status() == 403
    time.sleep(0.5)
    assert sip_lab.sessions(app) == {}


def test_garbage_and_unknown_methods_never_wedge_the_b2bua(sip_lab: SipLab, sipp_lab: SippLab) -> None:
    host, port = sip_lab.sip
    for junk in (b"", b"\x00" * 64, b"\xff\xfe garbage " * 40, b"INVITE sip:x SIP/2.0\r\n\r\n", b"X" * 65000,
                 b"SIP/2.0 200 OK\r\nVia: nope\r\n\r\n",
                 b"INVITE sip:+8617000000001@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKx\r\n"
                 b"From: <sip:1@127.0.0.1>;tag=1\r\nTo: <sip:2@127.0.0.1>\r\nCall-ID: junk-1\r\nCSeq: 1 INVITE\r\n"
                 b"Content-Length: 9999\r\n\r\nv=0\r\n"):
        send_datagram(host, port, junk)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((HOST, 0))
        s.settimeout(3)
        local = s.getsockname()[1]
        for method in ("OPTIONS", "FROBNICATE"):
            s.sendto((f"{method} sip:{host}:{port} SIP/2.0\r\n"
                      f"Via: SIP/2.0/UDP {HOST}:{local};branch=z9hG4bK{method}\r\n"
                      f"From: <sip:probe@{HOST}>;tag=p1\r\nTo: <sip:{host}>\r\nCall-ID: probe-{method}\r\n"
                      f"CSeq: 1 {method}\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n").encode(), (host, port))
            reply = s.recv(65535).decode()
            status = int(reply.split(" ", 2)[1])
            assert status == (200 if method == "OPTIONS" else 501), reply
    # and the next call works
    app, a, _b, x = sip_lab.axb()
    callee = sip_lab.callee(sipp_lab, "uas_answer", duration_ms=50)
    sip_lab.caller(sipp_lab, "uac_call", caller=a, called=x, duration_ms=200).check()
    callee.wait().check()
    events, _ = sip_lab.finished(app)
    assert kinds(events) == FULL


VARYING = {"sessionId", "timestamp", "caller", "called", "subscriptionId", "icid", "callIdentifier", "calleeNum",
           "callerNum", "fwdDstNum", "fwdDisplayNum", "calleeDisplayNum", "callOutStartTime", "callOutAlertingTime",
           "callOutAnswerTime", "callEndTime", "fwdStartTime", "fwdAlertingTime", "fwdAnswerTime", "callInTime",
           "startTime", "appKey", "spId", "userData", "bindNum", "displayNum", "callDuration", "hostName", "uniqueId",
           "failTime", "recordStartTime"}


def shape(record: dict) -> dict:
    """The fields of an event or CDR, their values where they do not depend on the call's numbers and times."""
    flat = {**record, **record.get("statusInfo", {})}
    flat.pop("statusInfo", None)
    return {k: ("…" if k in VARYING else v) for k, v in flat.items()}


@pytest.mark.parametrize("outcome", ["answered", "busy"])
def test_events_and_cdrs_are_the_sandboxs_field_by_field(sip_lab: SipLab, sipp_lab: SippLab, outcome: str) -> None:
    app, a, _b, x = sip_lab.axb(userData="same-ud")
    if outcome == "answered":
        callee = sip_lab.callee(sipp_lab, "uas_answer", duration_ms=100)
        sip_lab.caller(sipp_lab, "uac_call", caller=a, called=x, duration_ms=1200).check()
    else:
        callee = sip_lab.callee(sipp_lab, "uas_busy")
        sip_lab.caller(sipp_lab, "uac_refused", caller=a, called=x).check()
    callee.wait().check()
    sip_events, sip_cdr = sip_lab.finished(app)

    sandbox_app, sa, _sb, sx = sip_lab.axb(userData="same-ud")
    behaviour = {"answer_after_ms": 150, "talk_ms": 1200} if outcome == "answered" else {"outcome": "busy"}
    session = sip_lab.calls.call(sa, sx, **behaviour)
    sandbox_events, sandbox_cdr = sip_lab.calls.finished(sandbox_app, session)

    assert [shape(e) for e in sip_events] == [shape(e) for e in sandbox_events]
    assert shape(sip_cdr) == shape(sandbox_cdr)


def test_hold_by_re_invite_crosses_and_session_timers_are_tolerated(sip_lab: SipLab, sipp_lab: SippLab) -> None:
    app, a, _b, x = sip_lab.axb()
    callee = sip_lab.callee(sipp_lab, "uas_hold", duration_ms=50)
    sip_lab.caller(sipp_lab, "uac_hold", caller=a, called=x, duration_ms=300,
                   rewrite={"Max-Forwards: 70\n      Content-Type": "Max-Forwards: 70\n      Supported: timer\n"
                            "      Session-Expires: 90;refresher=uac\n      Content-Type",
                            "      s=-\n": "      s=-\n      i=phone of A\n      a=tool:softphone-of-a\n"}).check()
    got = callee.wait().check()
    invites = got.received_requests("INVITE")
    assert len(invites) == 2 and "a=sendonly" in invites[1].body  # the hold reached B
    for invite in invites:  # the SDP allow-list holds for the re-INVITE as for the INVITE
        assert "i=" not in invite.body and "softphone-of-a" not in invite.body, invite.body
    assert invites[1].header("Call-ID") == invites[0].header("Call-ID")
    assert national(a) not in invites[1].raw
    events, _ = sip_lab.finished(app)
    assert kinds(events) == FULL


def test_a_late_offer_is_anchored_both_ways(sip_lab: SipLab, sipp_lab: SippLab) -> None:
    """An INVITE without SDP: the callee's offer (in its 200) and the caller's answer (in the ACK) cross,
    both rewritten to the relay."""
    app, a, _b, x = sip_lab.axb()
    callee = sip_lab.callee(sipp_lab, "uas_answer", duration_ms=50)
    caller = sip_lab.start_caller(sipp_lab, "uac_late_offer", caller=a, called=x, duration_ms=300)
    result = caller.wait().check()
    got = callee.wait().check()
    [invite] = got.received_requests("INVITE")
    assert not invite.body.strip()  # no offer to the callee either
    [answer] = [m for m in result.received_responses("INVITE") if m.status == 200]
    assert "m=audio" in answer.body and f"m=audio {callee.media_port} " not in answer.body
    [ack] = got.received_requests("ACK")
    assert "m=audio" in ack.body and f"m=audio {caller.media_port} " not in ack.body, ack.raw
    assert "o=B " not in answer.body and "o=A " not in ack.body  # each origin is privnum's own
    events, _ = sip_lab.finished(app)
    assert kinds(events) == FULL


@pytest.mark.parametrize(("how", "state"), [("frozen", 7108), ("suspended", 8018)])
def test_a_frozen_number_or_a_suspended_app_is_refused_with_403(sip_lab: SipLab, sipp_lab: SippLab, how: str,
                                                                  state: int) -> None:
    app, a, _b, x = sip_lab.axb()
    if how == "frozen":
        sip_lab.calls.server.cli("numbers", "set-state", x, "frozen")
    else:
        sip_lab.calls.server.cli("app", "update", app.app_key, "--suspend")
        time.sleep(2.5)  # the server caches an app's settings for up to 2 s
    result = sip_lab.caller(sipp_lab, "uac_refused", caller=a, called=x).check()
    assert result.final_status() == 403 and 183 in result.statuses()  # the service-error prompt first
    events, cdr = sip_lab.finished(app)
    assert kinds(events) == ["callin", "disconnect"]
    assert events[-1]["statusInfo"]["stateCode"] == state and cdr["ulFailReason"] == state
