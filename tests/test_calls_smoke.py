"""One AXB call through the sandbox: the customer receives every event in order and one CDR."""

from __future__ import annotations

from calls_support import CallLab, kinds
from conftest import new_users


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
