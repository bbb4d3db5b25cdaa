"""AX routing (calls.md "AX", ax.md): others→X reach A (display X, or the real caller when
calleeNumDisplay="1"); A→X reaches the valid temporary callee, else 8013; callDirection 1 only A calls,
2 only others call (else 8016); turnFlag "off" → 8018 for every caller; X not bound → 8014."""

from __future__ import annotations

import pytest

from builders import MINUTE, NOW, SECOND, A, B, C, D, X, app, binding, call, private_number
from privnum.domain.calls.causes import Cause
from privnum.domain.calls.routing import Rejection, Route, route_call
from privnum.domain.modes import Mode

AX = Mode.AX

FULL = {
    "record": True, "record_hint_tone": "rec.wav", "max_duration": 15, "last_min_voice": "last.wav",
    "user_data": "binding-data", "pre_voice": {"caller_hint_tone": "a-calls.wav", "callee_hint_tone": "others.wav"},
}


def temp(number: str = C, *, expires_at_ms: int = NOW + MINUTE, user_data: str | None = None) -> dict:
    """A temporary callee as the set-temporary-callee use case stores it."""
    value = {"number": number, "expires_at_ms": expires_at_ms}
    if user_data is not None:
        value["user_data"] = user_data
    return value


def route(caller: str, *bindings, recording: bool = False, now_ms: int = NOW):
    return route_call(call(app(AX, recording=recording), private_number(X), caller, bindings=bindings,
                           now_ms=now_ms))


def test_someone_calls_x_reaches_a_showing_x() -> None:
    b = binding(AX, X, A, **FULL)
    assert route(B, b, recording=True) == Route(
        callee=A, display=X, direction=0, binding=b, record=True, record_hint_tone="rec.wav", max_duration_min=15,
        last_min_voice="last.wav", caller_tone="others.wav", user_data="binding-data", callback_for=None)


@pytest.mark.parametrize(("callee_display", "shown"), [(None, X), ("0", X), ("1", B)])
def test_callee_num_display(callee_display, shown) -> None:
    options = {} if callee_display is None else {"callee_display": callee_display}
    b = binding(AX, X, A, **options)
    assert route(B, b) == Route(callee=A, display=shown, direction=0, binding=b)


def test_a_calls_x_reaches_the_temporary_callee() -> None:
    b = binding(AX, X, A, temporary_callee=temp(C), **FULL)
    assert route(A, b, recording=True) == Route(
        callee=C, display=X, direction=1, binding=b, record=True, record_hint_tone="rec.wav", max_duration_min=15,
        last_min_voice="last.wav", caller_tone="a-calls.wav", user_data="binding-data", callback_for=None)


def test_a_sees_x_even_with_callee_num_display_real_caller() -> None:
    """calleeNumDisplay is what A sees when others call; the temporary callee sees X."""
    b = binding(AX, X, A, callee_display="1", temporary_callee=temp(C))
    assert route(A, b).display == X


def test_temporary_callee_user_data_replaces_the_bindings() -> None:
    b = binding(AX, X, A, user_data="binding-data", temporary_callee=temp(C, user_data="temp-data"))
    assert route(A, b).user_data == "temp-data"


def test_temporary_callee_without_user_data_keeps_the_bindings() -> None:
    b = binding(AX, X, A, user_data="binding-data", temporary_callee=temp(C))
    assert route(A, b).user_data == "binding-data"


def test_temporary_callee_user_data_is_only_for_as_calls() -> None:
    b = binding(AX, X, A, user_data="binding-data", temporary_callee=temp(C, user_data="temp-data"))
    assert route(B, b).user_data == "binding-data"


def test_a_calls_x_without_temporary_callee_is_8013() -> None:
    b = binding(AX, X, A)
    assert route(A, b) == Rejection(Cause(8013), b)


def test_expired_temporary_callee_is_8013() -> None:
    b = binding(AX, X, A, temporary_callee=temp(C, expires_at_ms=NOW - SECOND))
    assert route(A, b) == Rejection(Cause(8013), b)


def test_temporary_callee_lasts_until_its_expiry() -> None:
    b = binding(AX, X, A, temporary_callee=temp(D, expires_at_ms=NOW + 60 * SECOND))
    assert route(A, b, now_ms=NOW + 59 * SECOND).callee == D
    assert route(A, b, now_ms=NOW + 61 * SECOND) == Rejection(Cause(8013), b)


def test_a_temporary_callee_does_not_change_where_others_go() -> None:
    b = binding(AX, X, A, temporary_callee=temp(C))
    assert route(B, b) == Route(callee=A, display=X, direction=0, binding=b)


@pytest.mark.parametrize(("direction", "a_allowed", "others_allowed"), [
    (None, True, True), (0, True, True), (1, True, False), (2, False, True)])
def test_call_direction_both_ways(direction, a_allowed, others_allowed) -> None:
    options = {} if direction is None else {"call_direction": direction}
    b = binding(AX, X, A, temporary_callee=temp(C), **options)
    from_a, from_other = route(A, b), route(B, b)
    assert from_a == (Route(callee=C, display=X, direction=1, binding=b) if a_allowed
                      else Rejection(Cause(8016), b))
    assert from_other == (Route(callee=A, display=X, direction=0, binding=b) if others_allowed
                          else Rejection(Cause(8016), b))


@pytest.mark.parametrize("caller", [A, B])
def test_turn_flag_off_is_8018_for_every_caller(caller) -> None:
    b = binding(AX, X, A, turn="off", temporary_callee=temp(C))
    assert route(caller, b) == Rejection(Cause(8018), b)


def test_turn_flag_on_routes() -> None:
    b = binding(AX, X, A, turn="on")
    assert route(B, b) == Route(callee=A, display=X, direction=0, binding=b)


@pytest.mark.parametrize("caller", [A, B])
def test_x_not_bound_is_8014(caller) -> None:
    assert route(caller) == Rejection(Cause(8014))


def test_record_is_honoured_only_when_the_app_allows_recording() -> None:
    b = binding(AX, X, A, record=True, temporary_callee=temp(C))
    assert route(A, b, recording=False).record is False
    assert route(B, b, recording=False).record is False
    assert route(A, b, recording=True).record is True
    assert route(B, b, recording=True).record is True
