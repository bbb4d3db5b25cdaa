"""The routing decision: where a call to a privacy number goes, per mode. Pure: the facts are passed in.

AXB: A→X reaches B, B→X reaches A (callDirection permitting), both see X; anyone else: 8014.
AX: others→X reach A (display X or the real caller); A→X reaches the valid temporary callee, else 8013.
AXE: X + extension reaches that extension's A; empty extension 8033, unknown 8022; an A calling X
is called back to its last caller, else to callbackNum, else hears callbackTone (8019).
AXYB: B→X reaches A showing B's Y (a Y is allocated first when B has none); A→Y reaches B showing X.
X mode: nothing is stored; the customer's server is asked (Block mode).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from privnum.domain.apps import App
from privnum.domain.binding_options import CallDirection
from privnum.domain.bindings import Binding
from privnum.domain.calls.causes import Cause
from privnum.domain.lifetimes import axe_unit_seconds
from privnum.domain.modes import Mode
from privnum.domain.private_numbers import NumberState, PrivateNumber

A_CALLED_OTHER, OTHER_CALLED_A, ABNORMAL = 1, 0, 2  # CDR direction


@dataclass(frozen=True)
class CallFacts:
    """What the router needs to know, read by the service before deciding."""

    caller: str
    called: str
    digits: str | None
    now_ms: int
    app: App | None
    number: PrivateNumber | None
    bindings: list[Binding] = field(default_factory=list)  # live bindings on the called number
    yb_relations_of_x: dict[str, list[Binding]] = field(default_factory=dict)  # AXYB: AX id -> its YB relations
    x_relations_of_y: dict[str, Binding] = field(default_factory=dict)  # AXYB: AX relations of YB rows on a Y
    digits_asked: bool = False  # AXE: the caller was already asked for an extension


@dataclass(frozen=True)
class Route:
    callee: str
    display: str
    direction: int
    binding: Binding | None = None
    record: bool = False
    record_hint_tone: str | None = None
    max_duration_min: int = 0
    last_min_voice: str | None = None
    caller_tone: str | None = None
    user_data: str | None = None
    callback_for: Binding | None = None  # AXE: the binding whose callback record this call refreshes


@dataclass(frozen=True)
class Rejection:
    cause: Cause
    binding: Binding | None = None
    tone: str | None = None


@dataclass(frozen=True)
class NeedsY:
    """AXYB: B calls X without a YB relation; allocate a Y for B, then route again."""

    ax_relation: Binding


@dataclass(frozen=True)
class AskCustomer:
    """X mode: push a Block ``callin`` and obey the answer."""


@dataclass(frozen=True)
class CollectDigits:
    """AXE: a caller who is not one of X's A; ask for the extension, then route again."""

    max_digits: int


Decision = Route | Rejection | NeedsY | AskCustomer | CollectDigits


def route_call(facts: CallFacts) -> Decision:
    app, number = facts.app, facts.number
    if number is None or app is None or number.app_id != app.id:
        return Rejection(Cause.NUMBER_NOT_EXIST)
    if not app.is_active:
        return Rejection(Cause.NO_PERMISSION)
    if app.arrears.call_refusal is not None:
        return Rejection(app.arrears.call_refusal)
    if number.state is NumberState.FROZEN:
        return Rejection(Cause.USER_FROZEN)
    if number.state is not NumberState.AVAILABLE:
        return Rejection(Cause.NUMBER_UNAVAILABLE)
    if app.mode is Mode.X:
        return AskCustomer()
    router = {Mode.AXB: _axb, Mode.AX: _ax, Mode.AXE: _axe, Mode.AXYB: _axyb}[app.mode]
    return router(facts, app)


def _through(b: Binding, app: App, *, callee: str | None, display: str, direction: int,
             caller_tone: str | None = None, user_data: str | None = None,
             callback_for: Binding | None = None) -> Route:
    """A route through binding ``b``: its recording (when the app allows it), limits, tones and userData."""
    o = b.options
    return Route(callee=callee or "", display=display, direction=direction, binding=b,
                 record=o.wants_recording and app.recording_enabled, record_hint_tone=o.record_hint_tone,
                 max_duration_min=o.max_duration or 0, last_min_voice=o.last_min_voice, caller_tone=caller_tone,
                 user_data=user_data or o.user_data, callback_for=callback_for)


def _axb(facts: CallFacts, app: App) -> Decision:
    for b in facts.bindings:
        direction = b.options.direction
        if facts.caller == b.party_a:
            if direction is CallDirection.ONLY_OTHERS_CALL:
                return Rejection(Cause.DIRECTION_NOT_ALLOWED, b)
            return _through(b, app, callee=b.party_b, display=facts.called, direction=A_CALLED_OTHER,
                            caller_tone=b.options.pre_voice_tone("caller_hint_tone"))
        if facts.caller == b.party_b:
            if direction is CallDirection.ONLY_A_CALLS:
                return Rejection(Cause.DIRECTION_NOT_ALLOWED, b)
            return _through(b, app, callee=b.party_a, display=facts.called, direction=OTHER_CALLED_A,
                            caller_tone=b.options.pre_voice_tone("callee_hint_tone"))
    return Rejection(Cause.NO_BINDING)


def _ax(facts: CallFacts, app: App) -> Decision:
    if not facts.bindings:
        return Rejection(Cause.NO_BINDING)
    b = facts.bindings[0]
    o = b.options
    if o.turn == "off":
        return Rejection(Cause.NO_PERMISSION, b)
    if facts.caller == b.party_a:
        if o.direction is CallDirection.ONLY_OTHERS_CALL:
            return Rejection(Cause.DIRECTION_NOT_ALLOWED, b)
        temp = o.temporary_callee
        if temp is None or temp.expires_at_ms <= facts.now_ms:
            return Rejection(Cause.INVALID_AX_CALL, b)
        return _through(b, app, callee=temp.number, display=facts.called, direction=A_CALLED_OTHER,
                        caller_tone=o.pre_voice_tone("caller_hint_tone"), user_data=temp.user_data)
    if o.direction is CallDirection.ONLY_A_CALLS:
        return Rejection(Cause.DIRECTION_NOT_ALLOWED, b)
    display = facts.caller if o.callee_display == "1" else facts.called
    return _through(b, app, callee=b.party_a, display=display, direction=OTHER_CALLED_A,
                    caller_tone=o.pre_voice_tone("callee_hint_tone"))


def _axe(facts: CallFacts, app: App) -> Decision:
    own = next((b for b in facts.bindings if b.party_a == facts.caller), None)
    if own is not None:
        return _axe_callback(facts, app, own)
    if not facts.digits:
        return Rejection(Cause.EXTENSION_EMPTY) if facts.digits_asked else CollectDigits(app.extension_length)
    b = next((b for b in facts.bindings if b.extension == facts.digits), None)
    if b is None:
        return Rejection(Cause.EXTENSION_INVALID)
    display = facts.caller if b.options.display_num_mode == "1" else facts.called
    return _through(b, app, callee=b.party_a, display=display, direction=OTHER_CALLED_A, callback_for=b)


def _axe_callback(facts: CallFacts, app: App, b: Binding) -> Decision:
    o, last = b.options, b.last_caller
    lifetime_ms = (o.callback_expired_time or 0) * axe_unit_seconds(o.time_unit) * 1000
    if last is not None and (not lifetime_ms or last.at_ms + lifetime_ms > facts.now_ms):
        return _through(b, app, callee=last.number, display=facts.called, direction=A_CALLED_OTHER)
    if o.callback_num:
        return _through(b, app, callee=o.callback_num, display=facts.called, direction=A_CALLED_OTHER)
    return Rejection(Cause.NO_CALLBACK_RECORD, b, tone=o.callback_tone)


def _axyb(facts: CallFacts, app: App) -> Decision:
    ax_rows = [b for b in facts.bindings if not b.is_yb_relation]
    if ax_rows:  # the called number is an X
        ax = ax_rows[0]
        if facts.caller == ax.party_a:
            return Rejection(Cause.DIALLED_OWN_NUMBER, ax)
        if ax.options.direction is CallDirection.ONLY_A_CALLS:
            return Rejection(Cause.DIRECTION_NOT_ALLOWED, ax)
        yb = next((r for r in facts.yb_relations_of_x.get(ax.id, []) if r.party_b == facts.caller), None)
        if yb is None:
            return NeedsY(ax)
        return _through(ax, app, callee=ax.party_a, display=yb.number, direction=OTHER_CALLED_A,
                        caller_tone=ax.options.pre_voice_x)
    for yb in facts.bindings:  # the called number is a Y
        parent = facts.x_relations_of_y.get(yb.parent_id or "")
        if parent is None or facts.caller != yb.party_a:
            continue
        if parent.options.direction is CallDirection.ONLY_OTHERS_CALL:
            return Rejection(Cause.DIRECTION_NOT_ALLOWED, parent)
        return _through(parent, app, callee=yb.party_b, display=parent.number, direction=A_CALLED_OTHER,
                        caller_tone=yb.options.pre_voice_y)
    return Rejection(Cause.AXYB_NO_BINDING)
