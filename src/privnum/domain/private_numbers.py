"""Privacy numbers (X, and Y in AXYB): who owns them, where they are, what state they are in."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class NumberState(StrEnum):
    """The operator-controlled state. Whether an available number is idle or bound follows from its load."""

    AVAILABLE = "available"
    FROZEN = "frozen"
    BLACKLISTED = "blacklisted"
    UNAVAILABLE = "unavailable"


class NumberRole(StrEnum):
    """What a number carries while it has bindings: an X, or (AXYB only) a Y."""

    X = "x"
    Y = "y"


@dataclass
class PrivateNumber:
    number: str
    app_id: int | None
    area_code: str
    province: str | None
    state: NumberState
    load: int = 0
    role: NumberRole | None = None
    sms_capable: bool = True

    @property
    def status(self) -> str:
        """The status an operator sees: idle, bound, frozen, blacklisted or unavailable."""
        if self.state is NumberState.AVAILABLE:
            return "bound" if self.load else "idle"
        return self.state.value
