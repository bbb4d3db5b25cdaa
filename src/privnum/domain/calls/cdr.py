"""A call detail record: what happened on one call, built by the call core when the call ends.

It is stored (the ``cdrs`` table) in the same transaction as the CDR push that carries it, so
billing and the console read calls from here, never from push bodies. Times are UTC ms; the
customer's wire form (Huawei's ``feeLst`` element) is made from it in ``privnum.huawei``.
"""

from __future__ import annotations

from dataclasses import dataclass

from privnum.domain.calls.causes import Cause
from privnum.domain.calls.session import CallSession, Party, Recording
from privnum.domain.modes import Mode


def icid_of(session_id: str) -> str:
    """The call's charging id: its session id without the ``@host`` part."""
    return session_id.partition("@")[0]


@dataclass(frozen=True)
class Cdr:
    app_id: int
    session_id: str
    icid: str
    mode: Mode
    binding_id: str | None
    direction: int  # A_CALLED_OTHER, OTHER_CALLED_A or ABNORMAL (domain/calls/routing.py)
    caller: str
    called: str  # the privacy number dialled (X, or Y)
    callee: str | None  # the real number the call was forwarded to
    display: str | None  # what the callee saw
    extension: str | None  # AXE: the digits keyed in
    area_code: str | None  # the called number's city
    started_at_ms: int
    forwarded_at_ms: int | None
    alerting_at_ms: int | None
    answered_at_ms: int | None
    ended_at_ms: int
    cause: Cause
    q850: int  # the forward's Q.850 cause when it was not answered, else 0
    sip_status: int
    released_by: Party | None
    talk_seconds: int
    recording: Recording | None
    user_data: str | None

    @property
    def answered(self) -> bool:
        return self.answered_at_ms is not None

    @property
    def failed_at_ms(self) -> int | None:
        return None if self.answered else self.ended_at_ms

    @classmethod
    def from_session(cls, session: CallSession) -> Cdr:
        """The record of a released call."""
        answered = session.answered_at_ms is not None
        ended = session.ended_at_ms if session.ended_at_ms is not None else session.started_at_ms
        return cls(
            app_id=session.app_id,
            session_id=session.id,
            icid=icid_of(session.id),
            mode=session.mode,
            binding_id=session.binding_id,
            direction=session.direction,
            caller=session.caller,
            called=session.called,
            callee=session.callee,
            display=session.display,
            extension=session.digits if session.mode is Mode.AXE else None,
            area_code=session.area_code,
            started_at_ms=session.started_at_ms,
            forwarded_at_ms=session.forwarded_at_ms,
            alerting_at_ms=session.alerting_at_ms,
            answered_at_ms=session.answered_at_ms,
            ended_at_ms=ended,
            cause=session.cause if session.cause is not None else Cause.NORMAL,
            q850=0 if answered else session.q850,
            sip_status=session.sip_status,
            released_by=session.released_by,
            talk_seconds=session.talk_seconds(),
            recording=session.recording,
            user_data=session.user_data,
        )
