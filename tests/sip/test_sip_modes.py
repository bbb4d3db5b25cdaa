"""The other modes and controls over real SIP: X mode (Block) connect and close with ringback while the
customer decides, AX with its temporary callee, callStop from the API, and the maximum duration."""

from __future__ import annotations

import time

import pytest

from call_lab import kinds
from servers import new_users
from sip_lab import SipLab
from sipp import SippLab

STOP_URI = "/rest/httpsessions/callStop/v2.0"


def test_x_mode_connect_rings_the_caller_while_the_customer_decides(sip_lab: SipLab, sipp_lab: SippLab) -> None:
    app = sip_lab.app("X")
    a, b = new_users(2)
    sip_lab.calls.receiver.control(path=app.events_path, mode="slow", delay_ms=600, times=1,
                                   block_answer={"operation": "connect", "connectInfo": {"calleeNum": b}})
    callee = sip_lab.callee(sipp_lab, "uas_answer", duration_ms=50)
    result = sip_lab.caller(sipp_lab, "uac_call", caller=a, called=app.pool[0], duration_ms=300).check()
    [invite] = callee.wait().check().received_requests("INVITE")
    assert f"sip:{b}@" in (invite.header("To") or "") and f"sip:{app.pool[0]}@" in (invite.header("From") or "")
    statuses = result.statuses()
    assert 180 in statuses and statuses.index(180) < statuses.index(200), statuses  # ringback first
    events, cdr = sip_lab.finished(app)
    assert kinds(events) == ["callin", "callout", "alerting", "answer", "disconnect"]
    assert cdr["notifyMode"] == "Block" and cdr["ulFailReason"] == 0


def test_x_mode_close_plays_the_customers_tone_then_refuses(sip_lab: SipLab, sipp_lab: SippLab) -> None:
    app = sip_lab.app("X")
    sip_lab.calls.voice(app, "bye.wav", seconds=0.5)
    sip_lab.calls.receiver.control(path=app.events_path,
                                   block_answer={"operation": "close", "closeInfo": {"closeHintTone": "bye.wav"}})
    result = sip_lab.caller(sipp_lab, "uac_refused", caller=new_users(1)[0], called=app.pool[0]).check()
    assert 183 in result.statuses() and result.final_status() == 603, result.statuses()
    events, cdr = sip_lab.finished(app)
    assert kinds(events) == ["callin", "disconnect"]
    assert events[-1]["statusInfo"]["stateCode"] == 8017 and cdr["ulFailReason"] == 8017


def test_ax_a_reaches_the_temporary_callee_and_anyone_reaches_a(sip_lab: SipLab, sipp_lab: SippLab) -> None:
    app = sip_lab.app("AX")
    a, t, c = new_users(3)
    x = app.pool[0]
    r = app.client.ax_bind(origNum=a, privateNum=x)
    assert r.ok, r
    assert app.client.ax_set_callee(subscriptionId=r.body["subscriptionId"], calleeNum=t).ok
    callee = sip_lab.callee(sipp_lab, "uas_answer", duration_ms=50)
    sip_lab.caller(sipp_lab, "uac_call", caller=a, called=x, duration_ms=200).check()
    [invite] = callee.wait().check().received_requests("INVITE")
    assert f"sip:{t}@" in (invite.header("To") or "") and f"sip:{x}@" in (invite.header("From") or "")
    callee = sip_lab.callee(sipp_lab, "uas_answer", duration_ms=50)
    sip_lab.caller(sipp_lab, "uac_call", caller=c, called=x, duration_ms=200).check()
    [invite] = callee.wait().check().received_requests("INVITE")
    assert f"sip:{a}@" in (invite.header("To") or "") and c.lstrip("+")[2:] not in invite.raw
    assert len(sip_lab.sessions(app)) == 2


def test_call_stop_sends_bye_to_both_legs(sip_lab: SipLab, sipp_lab: SippLab) -> None:
    app, a, _b, x = sip_lab.axb()
    callee = sip_lab.callee(sipp_lab, "uas_answer", duration_ms=50, timeout_s=30)
    caller = sip_lab.start_caller(sipp_lab, "uac_callee_hangs_up", caller=a, called=x, timeout_s=30)
    session = sip_lab.answered(app)
    stopped = app.client.request("POST", STOP_URI, body={"sessionid": session, "signal": "call_stop"})
    assert stopped.ok, stopped
    assert caller.wait().check().received_requests("BYE")
    assert callee.wait().check().received_requests("BYE")
    events, cdr = sip_lab.finished(app)
    assert kinds(events)[-1] == "disconnect" and cdr["ulFailReason"] == 0


@pytest.mark.slow
def test_max_duration_ends_both_legs(sip_lab: SipLab, sipp_lab: SippLab) -> None:
    app, a, _b, x = sip_lab.axb(maxDuration=1)  # minutes
    callee = sip_lab.callee(sipp_lab, "uas_answer", duration_ms=50, timeout_s=90)
    started = time.monotonic()
    caller = sip_lab.start_caller(sipp_lab, "uac_callee_hangs_up", caller=a, called=x, timeout_s=90)
    assert caller.wait().check().received_requests("BYE")
    assert 59 <= time.monotonic() - started <= 66
    assert callee.wait().check().received_requests("BYE")
    events, cdr = sip_lab.finished(app)
    assert events[-1]["statusInfo"]["stateCode"] == 8010 and cdr["ulFailReason"] == 8010
