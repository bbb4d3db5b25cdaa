"""X-number status pushes (pushes.md "X-number status (numStatus)"): available → status "5" without cause;
frozen → "10" cause "2"; unavailable → "10" cause "3"; blacklisted → "10" cause "5"; the same state → nothing."""

from __future__ import annotations

import pytest

from builders import X, private_number
from privnum.domain.number_status import NumberStatus, status_change
from privnum.domain.private_numbers import NumberState

AVAILABLE, FROZEN, BLACKLISTED, UNAVAILABLE = (NumberState(s) for s in
                                               ("available", "frozen", "blacklisted", "unavailable"))


@pytest.mark.parametrize("old", [FROZEN, BLACKLISTED, UNAVAILABLE])
def test_back_to_available_is_normal_without_cause(old) -> None:
    assert status_change(X, old, AVAILABLE) == NumberStatus(X, "5", None)


@pytest.mark.parametrize(("new", "cause"), [(FROZEN, "2"), (UNAVAILABLE, "3"), (BLACKLISTED, "5")])
def test_available_to_unusable_is_unavailable_with_its_cause(new, cause) -> None:
    assert status_change(X, AVAILABLE, new) == NumberStatus(X, "10", cause)


@pytest.mark.parametrize(("old", "new", "cause"), [
    (FROZEN, UNAVAILABLE, "3"), (FROZEN, BLACKLISTED, "5"), (UNAVAILABLE, FROZEN, "2"),
    (UNAVAILABLE, BLACKLISTED, "5"), (BLACKLISTED, FROZEN, "2"), (BLACKLISTED, UNAVAILABLE, "3")])
def test_a_change_of_cause_is_pushed(old, new, cause) -> None:
    """huawei-wire §4.5: triggers include a change of cause."""
    assert status_change(X, old, new) == NumberStatus(X, "10", cause)


@pytest.mark.parametrize("state", [AVAILABLE, FROZEN, BLACKLISTED, UNAVAILABLE])
def test_the_same_state_pushes_nothing(state) -> None:
    assert status_change(X, state, state) is None


def test_the_push_names_the_number() -> None:
    assert status_change("+8602000000009", AVAILABLE, FROZEN).number == "+8602000000009"


# README "Number states": idle, bound, frozen, blacklisted, unavailable — what an operator sees.
@pytest.mark.parametrize(("state", "load", "shown"), [
    (AVAILABLE, 0, "idle"), (AVAILABLE, 3, "bound"), (FROZEN, 0, "frozen"), (FROZEN, 2, "frozen"),
    (BLACKLISTED, 1, "blacklisted"), (UNAVAILABLE, 0, "unavailable")])
def test_operator_status_of_a_number(state, load, shown) -> None:
    assert private_number(X, state=state, load=load).status == shown
