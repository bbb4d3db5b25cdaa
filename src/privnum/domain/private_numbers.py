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


NUMBER_STATUSES = ("idle", "bound", "locked", "in_stock",
                   *(s.value for s in NumberState if s is not NumberState.AVAILABLE))


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
    locked: bool = False  # quarantined by an operator: no new bindings; existing ones and calls keep working
    number_type: str | None = None  # carrier or virtual (numbers from the inventory)
    city: str | None = None
    order_id: int | None = None
    issued_at_ms: int | None = None

    @property
    def status(self) -> str:
        """The status people see: frozen, blacklisted or unavailable (its state), else locked, in stock (no app),
        bound or idle."""
        if self.state is not NumberState.AVAILABLE:
            return self.state.value
        if self.locked:
            return "locked"
        if self.app_id is None:
            return "in_stock"
        return "bound" if self.load else "idle"
