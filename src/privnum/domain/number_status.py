"""What an X-number status push says about a number's state (Huawei's numStatus: status and cause)."""

from __future__ import annotations

from dataclasses import dataclass

from privnum.domain.private_numbers import NumberState

STATUS_NORMAL = "5"
STATUS_UNAVAILABLE = "10"
STATUS_BINDING_FROZEN = "11"  # 冻结绑定: no new bindings, existing ones keep working (an operator's lock)

# cause of unavailability: 2 arrears, 3 stopped, 5 call-restricted by the carrier, 6 restriction lifted
_UNAVAILABLE_CAUSE = {
    NumberState.FROZEN: "2",
    NumberState.UNAVAILABLE: "3",
    NumberState.BLACKLISTED: "5",
}


@dataclass(frozen=True)
class NumberStatus:
    number: str
    status: str
    cause: str | None = None


def status_of(number: str, state: NumberState, locked: bool = False) -> NumberStatus:
    """What numStatus says of a number in ``state`` (locked or not): its state first, then the lock."""
    if state is not NumberState.AVAILABLE:
        return NumberStatus(number, STATUS_UNAVAILABLE, _UNAVAILABLE_CAUSE[state])
    return NumberStatus(number, STATUS_BINDING_FROZEN if locked else STATUS_NORMAL)


def status_change(number: str, old: NumberState, new: NumberState, *, was_locked: bool = False,
                  locked: bool = False) -> NumberStatus | None:
    """The status to push when a number goes from ``old`` to ``new`` (or is locked or unlocked); None when the
    pushed status stays the same."""
    before, after = status_of(number, old, was_locked), status_of(number, new, locked)
    return None if before == after else after
