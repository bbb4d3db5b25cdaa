"""AXYB routing (calls.md "AXYB", axyb.md): B→X reaches A showing B's Y (NeedsY when B has none yet);
A→Y reaches B showing X; A→X 8032; callDirection 1 only A→Y→B, 2 only B→X→A (else 8016); anything else
on a Y 8030. Caller tones preVoiceX (B→X) and preVoiceY (A→Y); recording, maxDuration, lastMinVoice and
userData come from the AX relation."""

from __future__ import annotations

import pytest

from builders import A2, B2, X2, A, B, C, X, Y, app, binding, call, private_number
from privnum.domain.calls.causes import Cause
from privnum.domain.calls.routing import NeedsY, Rejection, Route, route_call
from privnum.domain.modes import Mode
from privnum.domain.private_numbers import NumberRole

AXYB = Mode.AXYB

AX_FULL = {"record": True, "record_hint_tone": "rec.wav", "max_duration": 20, "last_min_voice": "last.wav",
           "user_data": "ax-data", "pre_voice_x": "via-x.wav"}


def ax_relation(x: str = X, a: str = A, **options):
    return binding(AXYB, x, a, **options)


def yb_relation(ax, b: str = B, y: str = Y, **options):
    return binding(AXYB, y, ax.party_a, b, parent_id=ax.id, **options)


def call_x(caller: str, ax=None, ybs=(), *, recording: bool = False):
    """``caller`` dials the X of ``ax``; ``ybs`` are the YB relations under it that the service found."""
    bindings = [ax] if ax is not None else []
    related = {ax.id: list(ybs)} if ax is not None else {}
    return route_call(call(app(AXYB, recording=recording), private_number(X), caller, bindings=bindings,
                           related=related))


def call_y(caller: str, ybs=(), parents=(), *, recording: bool = False):
    """``caller`` dials Y; ``ybs`` are YB relations on Y, ``parents`` their AX relations."""
    return route_call(call(app(AXYB, recording=recording), private_number(Y, role=NumberRole.Y), caller,
                           bindings=ybs, parents={p.id: p for p in parents}))


# --- X called -----------------------------------------------------------------------------------------------------

def test_b_with_a_y_calls_x_reaches_a_showing_its_y() -> None:
    ax = ax_relation(**AX_FULL)
    yb = yb_relation(ax, pre_voice_y="via-y.wav", user_data="yb-data", max_duration=99)
    assert call_x(B, ax, [yb], recording=True) == Route(
        callee=A, display=Y, direction=0, binding=ax, record=True, record_hint_tone="rec.wav", max_duration_min=20,
        last_min_voice="last.wav", caller_tone="via-x.wav", user_data="ax-data", callback_for=None)


def test_b_is_matched_among_the_relations_it_is_given() -> None:
    ax = ax_relation()
    other = yb_relation(ax, B2, "+8675500000102")
    mine = yb_relation(ax, B, Y)
    assert call_x(B, ax, [other, mine]) == Route(callee=A, display=Y, direction=0, binding=ax)


def test_b_without_a_y_needs_one() -> None:
    ax = ax_relation()
    assert call_x(B, ax) == NeedsY(ax)
    assert call_x(B, ax, [yb_relation(ax, B2)]) == NeedsY(ax)


def test_a_dialling_its_own_x_is_8032() -> None:
    ax = ax_relation()
    assert call_x(A, ax, [yb_relation(ax)]) == Rejection(Cause(8032), ax)


def test_a_dialling_its_own_x_is_8032_whatever_the_direction() -> None:
    ax = ax_relation(call_direction=1)
    assert call_x(A, ax) == Rejection(Cause(8032), ax)


def test_unbound_x_is_8030() -> None:
    assert call_x(B) == Rejection(Cause(8030))


# --- Y called -----------------------------------------------------------------------------------------------------

def test_a_calls_y_reaches_b_showing_x() -> None:
    ax = ax_relation(**AX_FULL)
    yb = yb_relation(ax, pre_voice_y="via-y.wav", user_data="yb-data", record=False, max_duration=99)
    assert call_y(A, [yb], [ax], recording=True) == Route(
        callee=B, display=X, direction=1, binding=ax, record=True, record_hint_tone="rec.wav", max_duration_min=20,
        last_min_voice="last.wav", caller_tone="via-y.wav", user_data="ax-data", callback_for=None)


def test_a_y_shared_by_several_ax_relations_reaches_the_callers_b() -> None:
    ax1 = ax_relation(X, A)
    ax2 = ax_relation(X2, A2)
    yb1 = yb_relation(ax1, B)
    yb2 = yb_relation(ax2, B2)
    assert call_y(A2, [yb1, yb2], [ax1, ax2]) == Route(callee=B2, display=X2, direction=1, binding=ax2)


@pytest.mark.parametrize("caller", [B, C])
def test_anyone_but_the_a_calling_y_is_8030(caller) -> None:
    ax = ax_relation()
    assert call_y(caller, [yb_relation(ax)], [ax]) == Rejection(Cause(8030))


def test_y_relation_whose_ax_is_gone_is_8030() -> None:
    ax = ax_relation()
    assert call_y(A, [yb_relation(ax)], []) == Rejection(Cause(8030))


def test_y_without_relations_is_8030() -> None:
    assert call_y(A) == Rejection(Cause(8030))


# --- callDirection, both ways ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("direction", "a_to_y", "b_to_x"), [
    (None, True, True), (0, True, True), (1, True, False), (2, False, True)])
def test_call_direction_both_ways(direction, a_to_y, b_to_x) -> None:
    options = {} if direction is None else {"call_direction": direction}
    ax = ax_relation(**options)
    yb = yb_relation(ax)
    assert call_y(A, [yb], [ax]) == (Route(callee=B, display=X, direction=1, binding=ax) if a_to_y
                                     else Rejection(Cause(8016), ax))
    assert call_x(B, ax, [yb]) == (Route(callee=A, display=Y, direction=0, binding=ax) if b_to_x
                                   else Rejection(Cause(8016), ax))


def test_only_a_calls_refuses_b_before_a_y_is_allocated() -> None:
    ax = ax_relation(call_direction=1)
    assert call_x(B, ax) == Rejection(Cause(8016), ax)


def test_record_is_honoured_only_when_the_app_allows_recording() -> None:
    ax = ax_relation(record=True)
    yb = yb_relation(ax)
    assert call_x(B, ax, [yb], recording=False).record is False
    assert call_y(A, [yb], [ax], recording=False).record is False
    assert call_x(B, ax, [yb], recording=True).record is True
    assert call_y(A, [yb], [ax], recording=True).record is True
