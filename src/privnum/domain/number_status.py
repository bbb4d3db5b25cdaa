"""What an X-number status push says about a number's state (Huawei's numStatus: status and cause)."""

from __future__ import annotations

from dataclasses import dataclass

from privnum.domain.private_numbers import NumberState

STATUS_NORMAL = "5"
STATUS_UNAVAILABLE = "10"

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


def status_change(number: str, old: NumberState, new: NumberState) -> NumberStatus | None:
    """The status to push when a number goes from ``old`` to ``new``; None when nothing changed."""
    if old is new:
        return None
    if new is NumberState.AVAILABLE:
        return NumberStatus(number, STATUS_NORMAL)
    return NumberStatus(number, STATUS_UNAVAILABLE, _UNAVAILABLE_CAUSE[new])
