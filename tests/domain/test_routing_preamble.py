"""route_call before mode routing (calls.md "Life of a call"): for every mode, number/app mismatch → 8025,
app not active → 8018, number frozen → 7108, number blacklisted/unavailable → 8055."""

from __future__ import annotations

import pytest

from builders import APP_ID, OTHER_APP_ID, A, B, X, app, binding, call, private_number
from privnum.domain.calls.causes import Cause
from privnum.domain.calls.routing import Rejection, route_call
from privnum.domain.modes import Mode
from privnum.domain.private_numbers import NumberState

MODES = [Mode.AXB, Mode.AX, Mode.AXE, Mode.AXYB, Mode.X]


def _routable(mode: Mode) -> list:
    """A binding that would route A's call to X, so a refusal below cannot come from mode routing."""
    if mode is Mode.X:
        return []
    if mode is Mode.AXE:
        return [binding(mode, X, A, extension="1234", callback_num=B)]
    return [binding(mode, X, A, B)]


def refused(code: int) -> Rejection:
    return Rejection(Cause(code))


@pytest.mark.parametrize("mode", MODES)
def test_unknown_number_is_8025(mode: Mode) -> None:
    assert route_call(call(app(mode), None, A, called=X, bindings=_routable(mode))) == refused(8025)


@pytest.mark.parametrize("mode", MODES)
def test_number_of_another_app_is_8025(mode: Mode) -> None:
    number = private_number(X, app_id=OTHER_APP_ID)
    assert route_call(call(app(mode, app_id=APP_ID), number, A, bindings=_routable(mode))) == refused(8025)


@pytest.mark.parametrize("mode", MODES)
def test_number_in_no_app_is_8025(mode: Mode) -> None:
    number = private_number(X, app_id=None, role=None, load=0)
    assert route_call(call(app(mode), number, A, bindings=_routable(mode))) == refused(8025)


@pytest.mark.parametrize("mode", MODES)
def test_no_app_is_8025(mode: Mode) -> None:
    assert route_call(call(None, private_number(X), A, bindings=_routable(mode))) == refused(8025)


@pytest.mark.parametrize("mode", MODES)
def test_suspended_app_is_8018(mode: Mode) -> None:
    decision = route_call(call(app(mode, suspended=True), private_number(X), A, bindings=_routable(mode)))
    assert decision == refused(8018)


@pytest.mark.parametrize("mode", MODES)
def test_frozen_number_is_7108(mode: Mode) -> None:
    number = private_number(X, state=NumberState.FROZEN)
    assert route_call(call(app(mode), number, A, bindings=_routable(mode))) == refused(7108)


@pytest.mark.parametrize("state", [NumberState.BLACKLISTED, NumberState.UNAVAILABLE])
@pytest.mark.parametrize("mode", MODES)
def test_blacklisted_or_unavailable_number_is_8055(mode: Mode, state: NumberState) -> None:
    number = private_number(X, state=state)
    assert route_call(call(app(mode), number, A, bindings=_routable(mode))) == refused(8055)


@pytest.mark.parametrize("mode", MODES)
def test_checks_apply_in_the_listed_order(mode: Mode) -> None:
    """mismatch before app state before number state, as calls.md lists them."""
    frozen_elsewhere = private_number(X, app_id=OTHER_APP_ID, state=NumberState.FROZEN)
    assert route_call(call(app(mode, suspended=True), frozen_elsewhere, A)) == refused(8025)
    frozen = private_number(X, state=NumberState.FROZEN)
    assert route_call(call(app(mode, suspended=True), frozen, A)) == refused(8018)
