"""What assigning numbers to an app needs from billing (billing.md R-19, R-24): the month's rent charged at once,
in the assignment's own transaction, or the assignment refused. The management use cases call it; billing
(``service/billing/assignment_rent.py``) implements it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from privnum.service.billing.ports import BillingTx


@dataclass(frozen=True)
class AssignedNumber:
    number: str
    number_type: str | None = None  # "virtual", "carrier"; None: read from the number (meters.number_class_of)


class BilledTx(Protocol):
    def billing(self) -> BillingTx:
        """This transaction's billing side: the same connection, so a charge commits with the assignment."""


class AssignmentBilling(Protocol):
    async def charge_in(self, tx: BillingTx, tenant_id: int | None, app_id: int, numbers: Sequence[AssignedNumber],
                        now_ms: int) -> int:
        """Charge the current month's rent of ``numbers`` just assigned to app ``app_id`` of ``tenant_id`` (the
        amount, in micros); raise a ``Conflict`` (nothing charged) when the tenant may not take them."""


class NoAssignmentBilling:
    """No billing at all: every assignment is free."""

    async def charge_in(self, tx: BillingTx, tenant_id: int | None, app_id: int, numbers: Sequence[AssignedNumber],
                        now_ms: int) -> int:
        return 0
