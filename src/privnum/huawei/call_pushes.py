"""The JSON bodies Huawei pushes, built from a call session: call events, Block callin, CDRs, and
the merge of several CDR pushes into one message.

Field names and formats are Huawei's (huawei-wire.md §4.2, §4.3): timestamps UTC
``yyyy-MM-dd HH:mm:ss``; ``caller``/``called`` of ``callin`` are the caller and the privacy
number, later events carry the real callee as ``called`` once the call is forwarded.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Sequence
from typing import Any

from privnum.domain.apps import App
from privnum.domain.calls.causes import Cause, description
from privnum.domain.calls.cdr import Cdr
from privnum.domain.calls.session import CallEvent, CallSession, EventKind, Party
from privnum.domain.modes import Mode
from privnum.huawei.times import huawei_time

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


def cdr(record: Cdr, app: App) -> dict[str, Any]:
    """One CDR (an element of ``feeLst``), from the call core's record of the call."""
    recording = record.recording
    fields: dict[str, Any] = {
        "direction": record.direction,
        "spId": app.enterprise_name or str(app.enterprise_id),
        "appKey": app.app_key,
        "icid": record.icid,
        "bindNum": record.called,
        "sessionId": record.session_id,
        "subscriptionId": record.binding_id or "",
        "callerNum": record.caller,
        "calleeNum": record.called,
        "fwdDisplayNum": record.display,
        "fwdDstNum": record.callee,
        "callInTime": _time(record.started_at_ms),
        "fwdStartTime": _time(record.forwarded_at_ms),
        "fwdAlertingTime": _time(record.alerting_at_ms),
        "fwdAnswerTime": _time(record.answered_at_ms),
        "callEndTime": _time(record.ended_at_ms),
        "fwdUnaswRsn": record.q850,
        "failTime": _time(record.failed_at_ms),
        "ulFailReason": int(record.cause),
        "sipStatusCode": record.sip_status,
        "recordFlag": 1 if recording else 0,
        "recordStartTime": _time(recording.started_at_ms) if recording else None,
        "recordObjectName": recording.object_name if recording else None,
        "recordBucketName": recording.bucket if recording else None,
        "recordDomain": recording.domain if recording else None,
        "serviceType": SERVICE_TYPE,
        "hostName": HOST_NAME,
        "userData": record.user_data,
    }
    if record.mode is Mode.AXE:
        fields["extendNum"] = record.extension
    if record.mode is Mode.X:
        fields["notifyMode"] = "Block"
        fields["areaCode"] = record.area_code
        fields["callDuration"] = record.talk_seconds
        if record.released_by in (Party.CALLER, Party.CALLEE):
            fields["callRelDirection"] = 1 if record.released_by is Party.CALLER else 2
    return _compact(fields)


def cdr_body(record: Cdr, app: App) -> dict[str, Any]:
    return {"eventType": "fee", "feeLst": [cdr(record, app)]}


def merge_cdr_bodies(bodies: Sequence[str]) -> str:
    """Member bodies are each {"eventType":"fee","feeLst":[...]}; one message carries all their CDRs."""
    fees: list[Any] = []
    for body in bodies:
        fees.extend(json.loads(body).get("feeLst") or [])
    return json.dumps({"eventType": "fee", "feeLst": fees}, separators=(",", ":"), ensure_ascii=False)


class HuaweiCallPushes:
    """The call engine's PushFormatter: Huawei's call event and CDR bodies."""

    def event_body(self, session: CallSession, event: CallEvent) -> dict[str, Any]:
        return event_body(session, event)

    def cdr_body(self, record: Cdr, app: App) -> dict[str, Any]:
        return cdr_body(record, app)
