"""AXB routing (calls.md "AXB", axb.md bind options): A→X reaches B, B→X reaches A, both see X;
callDirection 0 both, 1 only A→X→B, 2 only B→X→A (else 8016); anyone else 8014."""

from __future__ import annotations

import pytest

from builders import A2, B2, A, B, C, X, app, binding, call, private_number
from privnum.domain.calls.causes import Cause
from privnum.domain.calls.routing import Rejection, Route, route_call
from privnum.domain.modes import Mode

AXB = Mode.AXB

FULL = {
    "record": True, "record_hint_tone": "rec.wav", "max_duration": 30, "last_min_voice": "last.wav",
    "user_data": "order-17", "pre_voice": {"caller_hint_tone": "a-calls.wav", "callee_hint_tone": "b-calls.wav"},
}


def route(caller: str, *bindings, recording: bool = False):
    return route_call(call(app(AXB, recording=recording), private_number(X), caller, bindings=bindings))


def test_a_calls_x_reaches_b_with_every_option_of_the_binding() -> None:
    b = binding(AXB, X, A, B, call_direction=0, **FULL)
    assert route(A, b, recording=True) == Route(
        callee=B, display=X, direction=1, binding=b, record=True, record_hint_tone="rec.wav", max_duration_min=30,
        last_min_voice="last.wav", caller_tone="a-calls.wav", user_data="order-17", callback_for=None)


def test_b_calls_x_reaches_a_with_the_callee_hint_tone() -> None:
    b = binding(AXB, X, A, B, **FULL)
    assert route(B, b, recording=True) == Route(
        callee=A, display=X, direction=0, binding=b, record=True, record_hint_tone="rec.wav", max_duration_min=30,
        last_min_voice="last.wav", caller_tone="b-calls.wav", user_data="order-17", callback_for=None)


def test_a_binding_without_options_routes_with_none() -> None:
    b = binding(AXB, X, A, B)
    assert route(A, b) == Route(
        callee=B, display=X, direction=1, binding=b, record=False, record_hint_tone=None, max_duration_min=0,
        last_min_voice=None, caller_tone=None, user_data=None, callback_for=None)


@pytest.mark.parametrize(("record", "app_records", "expected"), [
    (True, True, True), (True, False, False), (False, True, False), (None, True, False)])
def test_record_is_honoured_only_when_the_app_allows_recording(record, app_records, expected) -> None:
    options = {} if record is None else {"record": record}
    b = binding(AXB, X, A, B, **options)
    assert route(A, b, recording=app_records).record is expected


@pytest.mark.parametrize(("direction", "a_allowed", "b_allowed"), [
    (None, True, True), (0, True, True), (1, True, False), (2, False, True)])
def test_call_direction_both_ways(direction, a_allowed, b_allowed) -> None:
    options = {} if direction is None else {"call_direction": direction}
    b = binding(AXB, X, A, B, **options)
    from_a, from_b = route(A, b), route(B, b)
    if a_allowed:
        assert (from_a.callee, from_a.display, from_a.direction, from_a.binding) == (B, X, 1, b)
    else:
        assert from_a == Rejection(Cause(8016), b)
    if b_allowed:
        assert (from_b.callee, from_b.display, from_b.direction, from_b.binding) == (A, X, 0, b)
    else:
        assert from_b == Rejection(Cause(8016), b)


def test_call_direction_given_as_text_counts_as_the_number() -> None:
    """Huawei's Integer fields also arrive as decimal strings (README "Request fields")."""
    b = binding(AXB, X, A, B, call_direction="2")
    assert route(A, b) == Rejection(Cause(8016), b)


def test_someone_else_is_8014_without_binding() -> None:
    b = binding(AXB, X, A, B)
    assert route(C, b) == Rejection(Cause(8014))


def test_x_without_bindings_is_8014() -> None:
    assert route(A) == Rejection(Cause(8014))


def test_with_several_bindings_the_first_matching_one_is_used() -> None:
    first = binding(AXB, X, A, B, user_data="first")
    second = binding(AXB, X, A2, B2, user_data="second")
    decision = route(B2, first, second)
    assert (decision.callee, decision.display, decision.direction, decision.binding, decision.user_data) == (
        A2, X, 0, second, "second")
    same_a = binding(AXB, X, A, B2, user_data="later")
    decision = route(A, first, same_a)
    assert (decision.callee, decision.binding, decision.user_data) == (B, first, "first")


def test_display_is_the_dialled_x_not_another_number_of_the_binding() -> None:
    b = binding(AXB, X, A, B)
    decision = route_call(call(app(AXB), private_number(X), A, bindings=[b]))
    assert decision.display == "+8675500000001"
