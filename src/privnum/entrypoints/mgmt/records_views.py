"""JSON shapes of the records area: CDRs, a call drilled down, pushes with their attempts, statistics buckets."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from privnum.domain.calls.causes import Cause, description
from privnum.domain.records.results import result_of
from privnum.domain.records.statistics import BucketStats, billed_minutes
from privnum.service.management.pushes import PushDetail
from privnum.service.management.records import CallDetail
from privnum.service.management.records_ports import BindingRow, CdrRow, PushRecord
from privnum.service.ports import PushAttempt


class CdrView(BaseModel):
    session_id: str
    app_id: int
    app_name: str
    mode: str
    binding_id: str | None
    direction: int
    caller: str
    x: str  # the privacy number dialled
    callee: str | None
    display: str | None
    extension: str | None
    area_code: str | None
    started_at_ms: int
    forwarded_at_ms: int | None
    alerting_at_ms: int | None
    answered_at_ms: int | None
    ended_at_ms: int
    result: str
    cause: int
    cause_text: str
    q850: int
    sip_status: int
    released_by: str | None
    talk_seconds: int
    billed_minutes: int
    has_recording: bool
    user_data: str | None


def cause_text(code: int) -> str:
    try:
        return description(Cause(code))
    except ValueError:
        return "The call ended."


def cdr_view(row: CdrRow) -> CdrView:
    return CdrView(session_id=row.session_id, app_id=row.app_id, app_name=row.app_name, mode=row.mode,
                   binding_id=row.binding_id, direction=row.direction, caller=row.caller, x=row.called,
                   callee=row.callee, display=row.display, extension=row.extension, area_code=row.area_code,
                   started_at_ms=row.started_at_ms, forwarded_at_ms=row.forwarded_at_ms,
                   alerting_at_ms=row.alerting_at_ms, answered_at_ms=row.answered_at_ms, ended_at_ms=row.ended_at_ms,
                   result=result_of(row.answered_at_ms, row.forwarded_at_ms).value, cause=row.cause,
                   cause_text=cause_text(row.cause), q850=row.q850, sip_status=row.sip_status,
                   released_by=row.released_by, talk_seconds=row.talk_seconds,
                   billed_minutes=billed_minutes(row.talk_seconds), has_recording=bool(row.recording_object_name),
                   user_data=row.user_data)


class AttemptView(BaseModel):
    at_ms: int
    http_status: int
    error: str | None
    elapsed_ms: int


class PushView(BaseModel):
    id: int
    push_id: str
    app_id: int
    app_key: str | None
    kind: str
    event: str | None = None  # a call event push's eventType
    url: str
    state: str
    attempts: int
    next_attempt_at_ms: int
    created_at_ms: int
    delivered_at_ms: int | None
    last_error: str | None


class PushDetailView(PushView):
    body: Any
    attempt_log: list[AttemptView]


def _attempt(a: PushAttempt) -> AttemptView:
    return AttemptView(at_ms=a.at_ms, http_status=a.http_status, error=a.error, elapsed_ms=a.elapsed_ms)


def _push_fields(record: PushRecord) -> dict[str, Any]:
    r = record.row
    return {"id": r.id, "push_id": r.push_id, "app_id": record.app_id, "app_key": r.app_key, "kind": r.kind,
            "url": r.url, "state": r.state, "attempts": r.attempts, "next_attempt_at_ms": r.next_attempt_at_ms,
            "created_at_ms": r.created_at_ms, "delivered_at_ms": r.delivered_at_ms, "last_error": r.last_error}


def push_view(record: PushRecord) -> PushView:
    return PushView(**_push_fields(record))


def push_detail_view(detail: PushDetail) -> PushDetailView:
    event = detail.body.get("eventType") if isinstance(detail.body, dict) else None
    return PushDetailView(**_push_fields(detail.push), event=event, body=detail.body,
                          attempt_log=[_attempt(a) for a in detail.attempts])


class BindingView(BaseModel):
    id: str
    live: bool  # False: unbound or expired since; the fields are what the CDR knows
    mode: str
    x: str | None
    party_a: str | None
    party_b: str | None
    extension: str | None
    created_at_ms: int | None
    expires_at_ms: int | None


class StepView(BaseModel):
    event: str
    at_ms: int


class RecordingView(BaseModel):
    file_name: str
    size_bytes: int
    kept_until_ms: int
    url: str  # the console's playback address (same session or bearer token)


class CallDetailView(BaseModel):
    cdr: CdrView
    binding: BindingView | None
    events: list[StepView]
    pushes: list[PushDetailView]
    recording: RecordingView | None


def _binding(detail: CallDetail) -> BindingView | None:
    b: BindingRow | None = detail.binding
    if b is not None:
        return BindingView(id=b.id, live=True, mode=b.mode, x=b.number, party_a=b.party_a, party_b=b.party_b,
                           extension=b.extension, created_at_ms=b.created_at_ms, expires_at_ms=b.expires_at_ms)
    cdr = detail.cdr
    if not cdr.binding_id:
        return None
    return BindingView(id=cdr.binding_id, live=False, mode=cdr.mode, x=cdr.called, party_a=None, party_b=None,
                       extension=cdr.extension, created_at_ms=None, expires_at_ms=None)


def call_detail_view(detail: CallDetail, recording_url: str) -> CallDetailView:
    recording = detail.recording
    return CallDetailView(
        cdr=cdr_view(detail.cdr), binding=_binding(detail),
        events=[StepView(event=s.event, at_ms=s.at_ms) for s in detail.steps],
        pushes=[push_detail_view(p) for p in detail.pushes],
        recording=RecordingView(file_name=recording.file_name, size_bytes=recording.size_bytes,
                                kept_until_ms=recording.kept_until_ms, url=recording_url) if recording else None)


class BucketView(BaseModel):
    bucket: str
    app_id: int | None = None
    app_name: str | None = None
    city: str | None = None
    calls: int
    answered: int
    connect_rate: float
    minutes: int
    binds: int
    unbinds: int
    sms: int  # messages relayed with sendResult 0
    sms_segments: int  # their segments (splitNum), as Huawei bills them


def bucket_view(row: BucketStats, by: str | None, app_names: dict[str, str] | None = None) -> BucketView:
    by_app = by == "app" and bool(row.group)
    return BucketView(bucket=row.bucket, app_id=int(row.group) if by_app else None,
                      app_name=(app_names or {}).get(row.group) if by_app else None,
                      city=row.group if by == "city" else None, calls=row.calls, answered=row.answered,
                      connect_rate=row.connect_rate, minutes=row.minutes, binds=row.binds, unbinds=row.unbinds,
                      sms=row.sms, sms_segments=row.sms_segments)


class StatsView(BaseModel):
    from_ms: int
    to_ms: int
    bucket: str
    by: str | None
    timezone: str
    rows: list[BucketView]
