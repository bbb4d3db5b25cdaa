"""AXE routing (calls.md "AXE", axe.md): X + extension E reaches E's A (display X, or the real caller when
displayNumMode="1"); no digits 8033, unknown E 8022. An A calling X is called back to the last caller of its
extension while within callbackExpiredTime (in timeUnit: "0"/absent hours, "1" minutes; 0/absent no limit),
else to callbackNum, else 8019 with callbackTone."""

from __future__ import annotations

import pytest

from builders import A2, DAY, HOUR, MINUTE, NOW, SECOND, A, B, C, D, X, app, binding, call, private_number
from privnum.domain.calls.causes import Cause
from privnum.domain.calls.routing import CollectDigits, Rejection, Route, route_call
from privnum.domain.modes import Mode

AXE = Mode.AXE

FULL = {"record": True, "record_hint_tone": "rec.wav", "max_duration": 10, "last_min_voice": "last.wav",
        "user_data": "shop-3"}


def route(caller: str, *bindings, digits: str | None = None, recording: bool = False, now_ms: int = NOW,
          digits_asked: bool = True):
    return route_call(call(app(AXE, recording=recording), private_number(X), caller, digits=digits,
                           bindings=bindings, now_ms=now_ms, digits_asked=digits_asked))


def last_caller(number: str, ago_ms: int) -> dict:
    """The callback record the call engine stores after a routed extension call."""
    return {"number": number, "at_ms": NOW - ago_ms}


# --- other callers key an extension -----------------------------------------------------------------------------

def test_extension_reaches_its_a_showing_x() -> None:
    e = binding(AXE, X, A, extension="1234", **FULL)
    assert route(B, e, digits="1234", recording=True) == Route(
        callee=A, display=X, direction=0, binding=e, record=True, record_hint_tone="rec.wav", max_duration_min=10,
        last_min_voice="last.wav", caller_tone=None, user_data="shop-3", callback_for=e)


@pytest.mark.parametrize(("mode", "shown"), [(None, X), ("0", X), ("1", B)])
def test_display_num_mode(mode, shown) -> None:
    options = {} if mode is None else {"display_num_mode": mode}
    e = binding(AXE, X, A, extension="1234", **options)
    assert route(B, e, digits="1234") == Route(callee=A, display=shown, direction=0, binding=e, callback_for=e)


def test_the_keyed_extension_picks_among_several() -> None:
    e1 = binding(AXE, X, A, extension="0001")
    e2 = binding(AXE, X, A2, extension="0002")
    assert route(B, e1, e2, digits="0002") == Route(callee=A2, display=X, direction=0, binding=e2, callback_for=e2)


@pytest.mark.parametrize("digits", [None, ""])
def test_no_digits_after_asking_is_8033(digits) -> None:
    e = binding(AXE, X, A, extension="1234")
    assert route(B, e, digits=digits) == Rejection(Cause(8033))


def test_a_caller_who_is_no_a_is_first_asked_for_the_extension() -> None:
    e = binding(AXE, X, A, extension="1234")
    assert route(B, e, digits_asked=False) == CollectDigits(max_digits=4)
    assert route(A, e, digits_asked=False) == Rejection(Cause(8019), e)  # an A is never asked


def test_unknown_extension_is_8022() -> None:
    e = binding(AXE, X, A, extension="1234")
    assert route(B, e, digits="4321") == Rejection(Cause(8022))


def test_extension_on_an_unbound_x_is_8022() -> None:
    assert route(B, digits="1234") == Rejection(Cause(8022))


def test_record_is_honoured_only_when_the_app_allows_recording() -> None:
    e = binding(AXE, X, A, extension="1234", record=True)
    assert route(B, e, digits="1234", recording=False).record is False
    assert route(B, e, digits="1234", recording=True).record is True


# --- A calls X: the callback --------------------------------------------------------------------------------------

def test_a_is_called_back_to_the_last_caller_showing_x() -> None:
    e = binding(AXE, X, A, extension="1234", last_caller=last_caller(B, MINUTE), display_num_mode="1", **FULL)
    assert route(A, e, recording=True) == Route(
        callee=B, display=X, direction=1, binding=e, record=True, record_hint_tone="rec.wav", max_duration_min=10,
        last_min_voice="last.wav", caller_tone=None, user_data="shop-3", callback_for=None)


def test_a_is_not_asked_for_an_extension() -> None:
    """A's own binding decides even when digits were keyed (A is never prompted)."""
    own = binding(AXE, X, A, extension="0001", last_caller=last_caller(B, MINUTE))
    other = binding(AXE, X, A2, extension="0002")
    assert route(A, own, other, digits="0002") == Route(callee=B, display=X, direction=1, binding=own)


def test_last_caller_wins_over_callback_num() -> None:
    e = binding(AXE, X, A, extension="1234", last_caller=last_caller(B, MINUTE), callback_num=C)
    assert route(A, e).callee == B


@pytest.mark.parametrize("lifetime", [{}, {"callback_expired_time": 0}, {"callback_expired_time": None}])
def test_callback_record_without_lifetime_never_expires(lifetime) -> None:
    e = binding(AXE, X, A, extension="1234", last_caller=last_caller(B, 400 * DAY), time_unit="1", **lifetime)
    assert route(A, e) == Route(callee=B, display=X, direction=1, binding=e)


@pytest.mark.parametrize("unit", [{}, {"time_unit": "0"}, {"time_unit": None}])
def test_callback_expired_time_in_hours(unit) -> None:
    def bound(ago_ms: int):
        return binding(AXE, X, A, extension="1234", callback_expired_time=2, callback_num=C,
                       last_caller=last_caller(B, ago_ms), **unit)

    assert route(A, bound(2 * HOUR - SECOND)).callee == B
    assert route(A, bound(2 * HOUR + SECOND)).callee == C


def test_callback_expired_time_in_minutes() -> None:
    def bound(ago_ms: int):
        return binding(AXE, X, A, extension="1234", callback_expired_time=2, time_unit="1", callback_num=C,
                       last_caller=last_caller(B, ago_ms))

    assert route(A, bound(2 * MINUTE - SECOND)).callee == B
    assert route(A, bound(2 * MINUTE + SECOND)).callee == C  # would still be valid in hours


def test_expired_callback_record_goes_to_callback_num() -> None:
    e = binding(AXE, X, A, extension="1234", callback_expired_time=1, last_caller=last_caller(B, 2 * HOUR),
                callback_num=D, user_data="shop-3")
    assert route(A, e) == Route(callee=D, display=X, direction=1, binding=e, user_data="shop-3")


def test_no_callback_record_goes_to_callback_num() -> None:
    e = binding(AXE, X, A, extension="1234", callback_num=D, callback_tone=None)
    assert route(A, e) == Route(callee=D, display=X, direction=1, binding=e)


def test_neither_record_nor_callback_num_is_8019_with_the_callback_tone() -> None:
    e = binding(AXE, X, A, extension="1234", callback_num=None, callback_tone="sorry.wav")
    assert route(A, e) == Rejection(Cause(8019), e, tone="sorry.wav")


def test_expired_record_and_no_callback_num_is_8019() -> None:
    e = binding(AXE, X, A, extension="1234", callback_expired_time=1, time_unit="1",
                last_caller=last_caller(B, 5 * MINUTE))
    assert route(A, e) == Rejection(Cause(8019), e, tone=None)
