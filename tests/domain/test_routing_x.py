"""X mode routing (calls.md "X mode"): nothing is stored; every call asks the customer (Block callin)."""

from __future__ import annotations

import pytest

from builders import A, B, X, app, binding, call, private_number
from privnum.domain.calls.causes import Cause
from privnum.domain.calls.routing import AskCustomer, Rejection, route_call
from privnum.domain.modes import Mode
from privnum.domain.private_numbers import NumberState


@pytest.mark.parametrize("caller", [A, B])
def test_every_call_asks_the_customer(caller) -> None:
    assert route_call(call(app(Mode.X), private_number(X, load=0, role=None), caller)) == AskCustomer()


def test_bindings_do_not_matter_in_x_mode() -> None:
    stray = binding(Mode.X, X, A, B, call_direction=1)
    assert route_call(call(app(Mode.X), private_number(X), B, bindings=[stray])) == AskCustomer()


def test_the_common_checks_come_first() -> None:
    assert route_call(call(app(Mode.X, suspended=True), private_number(X), A)) == Rejection(Cause(8018))
    frozen = private_number(X, state=NumberState.FROZEN)
    assert route_call(call(app(Mode.X), frozen, A)) == Rejection(Cause(7108))
