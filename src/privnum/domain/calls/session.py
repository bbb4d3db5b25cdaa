"""One call's life: incoming → routing → outgoing → alerting → answered → released.

Each transition returns the call events it causes (callin, collectInfo, callout, alerting,
answer, disconnect); an impossible transition (e.g. a late 180 after release) returns none,
so a driver's duplicate or late signals never produce a second disconnect or CDR.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

from privnum.domain.calls.causes import Q850_NORMAL_CLEARING, Cause
from privnum.domain.calls.routing import ABNORMAL, Route
from privnum.domain.modes import Mode


class CallState(StrEnum):
    INCOMING = "incoming"
    ROUTING = "routing"
    OUTGOING = "outgoing"
    ALERTING = "alerting"
    ANSWERED = "answered"
    RELEASED = "released"


class Party(StrEnum):
    CALLER = "caller"
    CALLEE = "callee"
    PLATFORM = "platform"


class EventKind(StrEnum):
    CALLIN = "callin"
    COLLECT_INFO = "collectInfo"
    CALLOUT = "callout"
    ALERTING = "alerting"
    ANSWER = "answer"
    DISCONNECT = "disconnect"


@dataclass(frozen=True)
class CallEvent:
    kind: EventKind
    at_ms: int


@dataclass
class Recording:
    object_name: str
    bucket: str
    domain: str
    started_at_ms: int


@dataclass
class CallSession:
    id: str
    app_id: int
    mode: Mode
    caller: str
    called: str
    started_at_ms: int
    state: CallState = CallState.INCOMING
    digits: str | None = None
    binding_id: str | None = None
    user_data: str | None = None
    callee: str | None = None
    display: str | None = None
    direction: int = ABNORMAL
    record: bool = False
    max_duration_min: int = 0
    last_min_voice: str | None = None
    forwarded_at_ms: int | None = None
    alerting_at_ms: int | None = None
    answered_at_ms: int | None = None
    ended_at_ms: int | None = None
    failed_at_ms: int | None = None
    cause: Cause | None = None
    q850: int = 0
    sip_status: int = 0
    released_by: Party | None = None
    recording: Recording | None = None
    area_code: str | None = None  # the called number's city (X mode CDRs carry it)
    record_hint_tone: str | None = None  # played to both parties before recording starts
    recording_started_at_ms: int | None = None
    teardown: dict[str, Any] | None = None  # the driver's state to end the legs if this process dies

    @property
    def is_released(self) -> bool:
        return self.state is CallState.RELEASED

    def arrive(self) -> list[CallEvent]:
        return [CallEvent(EventKind.CALLIN, self.started_at_ms)]

    def collect(self, digits: str | None, now_ms: int) -> list[CallEvent]:
        """The caller keyed digits (or none); a caller is asked once, so a second report is ignored."""
        if self.state is not CallState.INCOMING:
            return []
        self.digits = digits
        self.state = CallState.ROUTING
        return [CallEvent(EventKind.COLLECT_INFO, now_ms)]

    def bind_to(self, binding_id: str | None, user_data: str | None) -> None:
        """The binding the call belongs to (also when it is refused by that binding's rules)."""
        self.binding_id = binding_id
        if user_data is not None:
            self.user_data = user_data

    def forward(self, route: Route, now_ms: int) -> list[CallEvent]:
        if self.state not in (CallState.INCOMING, CallState.ROUTING):
            return []
        self.bind_to(route.binding.id if route.binding else self.binding_id, route.user_data)
        self.callee = route.callee
        self.display = route.display
        self.direction = route.direction
        self.record = route.record
        self.max_duration_min = route.max_duration_min
        self.last_min_voice = route.last_min_voice
        self.record_hint_tone = route.record_hint_tone
        self.forwarded_at_ms = now_ms
        self.state = CallState.OUTGOING
        return [CallEvent(EventKind.CALLOUT, now_ms)]

    def ringing(self, now_ms: int) -> list[CallEvent]:
        if self.state is not CallState.OUTGOING:
            return []
        self.alerting_at_ms = now_ms
        self.state = CallState.ALERTING
        return [CallEvent(EventKind.ALERTING, now_ms)]

    def answer(self, now_ms: int) -> list[CallEvent]:
        if self.state not in (CallState.OUTGOING, CallState.ALERTING):
            return []
        self.answered_at_ms = now_ms
        self.state = CallState.ANSWERED
        return [CallEvent(EventKind.ANSWER, now_ms)]

    def end(self, now_ms: int, cause: Cause, released_by: Party, *, q850: int | None = None,
            sip_status: int = 0) -> list[CallEvent]:
        """Release the call; the first release wins, later ones are ignored."""
        if self.is_released:
            return []
        answered = self.state is CallState.ANSWERED
        self.cause = cause
        self.released_by = released_by
        self.sip_status = sip_status
        self.q850 = q850 if q850 is not None else (Q850_NORMAL_CLEARING if answered else 0)
        self.ended_at_ms = now_ms
        if not answered:
            self.failed_at_ms = now_ms
        self.state = CallState.RELEASED
        return [CallEvent(EventKind.DISCONNECT, now_ms)]

    def caller_hung_up_cause(self) -> Cause:
        """What a hang-up by the caller means at this point of the call."""
        if self.state is CallState.ANSWERED:
            return Cause.NORMAL
        if self.state is CallState.ALERTING:
            return Cause.CALLER_HUNG_UP_AFTER_RING
        if self.state is CallState.OUTGOING:
            return Cause.CALLER_HUNG_UP_BEFORE_RING
        return Cause.CALLER_HUNG_UP_BEFORE_TRANSFER

    def talk_seconds(self) -> int:
        """Whole seconds between the answer and the end as the CDR shows them (both truncated to the second):
        X mode's ``callDuration``, the records and the bill agree with ``callEndTime − fwdAnswerTime``
        recomputed from the pushed CDR (billing.md R-2)."""
        if self.answered_at_ms is None or self.ended_at_ms is None:
            return 0
        return max(0, self.ended_at_ms // 1000 - self.answered_at_ms // 1000)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CallSession:
        data = dict(data)
        legacy = data.pop("extras", None) or {}  # rows saved before these were fields
        data.setdefault("area_code", legacy.get("area_code"))
        data.setdefault("record_hint_tone", legacy.get("record_hint_tone"))
        data.setdefault("recording_started_at_ms", legacy.get("record_started_at_ms"))
        data["mode"] = Mode(data["mode"])
        data["state"] = CallState(data["state"])
        data["cause"] = Cause(data["cause"]) if data.get("cause") is not None else None
        data["released_by"] = Party(data["released_by"]) if data.get("released_by") else None
        data["recording"] = Recording(**data["recording"]) if data.get("recording") else None
        return cls(**data)
