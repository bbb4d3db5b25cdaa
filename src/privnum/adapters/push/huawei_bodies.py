"""The JSON bodies Huawei pushes, built from a call session: call events, Block callin, CDRs.

Field names and formats are Huawei's (huawei-wire.md §4.2, §4.3): timestamps UTC
``yyyy-MM-dd HH:mm:ss``; ``caller``/``called`` of ``callin`` are the caller and the privacy
number, later events carry the real callee as ``called`` once the call is forwarded.
"""

from __future__ import annotations

import socket
from typing import Any

from privnum.domain.apps import App
from privnum.domain.calls.causes import Cause, description
from privnum.domain.calls.session import CallEvent, CallSession, EventKind, Party
from privnum.domain.modes import Mode
from privnum.service.clock import huawei_time

HOST_NAME = socket.gethostname()
SERVICE_TYPE = "003"


def _time(ms: int | None) -> str | None:
    return huawei_time(ms) if ms is not None else None


def _compact(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in fields.items() if v is not None}


def event_body(session: CallSession, event: CallEvent) -> dict[str, Any]:
    x_mode = session.mode is Mode.X
    info: dict[str, Any] = {"timestamp": huawei_time(event.at_ms), "sessionId": session.id}
    if event.kind is EventKind.COLLECT_INFO:
        info["digitInfo"] = session.digits or ""
        return {"eventType": event.kind.value, "statusInfo": info}
    forwarded = session.callee is not None and event.kind is not EventKind.CALLIN
    info["caller"] = session.caller
    info["called"] = session.callee if forwarded else session.called
    if not x_mode and not (event.kind is EventKind.CALLIN and session.mode is Mode.AXE):
        info["subscriptionId"] = session.binding_id or ""
    if event.kind is EventKind.CALLIN and x_mode:
        info["notifyMode"] = "Block"
    if session.user_data and (event.kind is EventKind.CALLIN or x_mode):
        info["userData"] = session.user_data
    if event.kind is EventKind.DISCONNECT:
        cause = session.cause if session.cause is not None else Cause.NORMAL
        info["stateCode"] = int(cause)
        info["stateDesc"] = description(cause)
        if x_mode and session.released_by in (Party.CALLER, Party.CALLEE):
            info["callRelDirection"] = 1 if session.released_by is Party.CALLER else 2
    return {"eventType": event.kind.value, "statusInfo": info}


def cdr(session: CallSession, app: App) -> dict[str, Any]:
    """One CDR (an element of ``feeLst``)."""
    answered = session.answered_at_ms is not None
    record = session.recording
    fields: dict[str, Any] = {
        "direction": session.direction,
        "spId": app.enterprise_name or str(app.enterprise_id),
        "appKey": app.app_key,
        "icid": session.extras.get("icid") or session.id.partition("@")[0],
        "bindNum": session.called,
        "sessionId": session.id,
        "subscriptionId": session.binding_id or "",
        "callerNum": session.caller,
        "calleeNum": session.called,
        "fwdDisplayNum": session.display,
        "fwdDstNum": session.callee,
        "callInTime": _time(session.started_at_ms),
        "fwdStartTime": _time(session.forwarded_at_ms),
        "fwdAlertingTime": _time(session.alerting_at_ms),
        "fwdAnswerTime": _time(session.answered_at_ms),
        "callEndTime": _time(session.ended_at_ms),
        "fwdUnaswRsn": 0 if answered else session.q850,
        "failTime": None if answered else _time(session.failed_at_ms),
        "ulFailReason": int(session.cause) if session.cause is not None else 0,
        "sipStatusCode": session.sip_status,
        "recordFlag": 1 if record else 0,
        "recordStartTime": _time(record.started_at_ms) if record else None,
        "recordObjectName": record.object_name if record else None,
        "recordBucketName": record.bucket if record else None,
        "recordDomain": record.domain if record else None,
        "serviceType": SERVICE_TYPE,
        "hostName": HOST_NAME,
        "userData": session.user_data,
    }
    if session.mode is Mode.AXE:
        fields["extendNum"] = session.digits
    if session.mode is Mode.X:
        fields["notifyMode"] = "Block"
        fields["areaCode"] = session.extras.get("area_code")
        fields["callDuration"] = session.talk_seconds()
        if session.released_by in (Party.CALLER, Party.CALLEE):
            fields["callRelDirection"] = 1 if session.released_by is Party.CALLER else 2
    return _compact(fields)


def cdr_body(session: CallSession, app: App) -> dict[str, Any]:
    return {"eventType": "fee", "feeLst": [cdr(session, app)]}
