"""The monthly rent job (billing.md R-20): month M's rent of every number assigned to a billed tenant before M
began and not returned by the 25th's cut-off, one journal ``rent:<tenant>:<M>`` per tenant; each number's charge is
a usage record (source ``rent``, key ``<number>:<M>``) with its rated line, settled under the journal's key."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import tzinfo
from functools import partial

from privnum.domain.billing.ledger import REVENUE_RENT, JournalKind
from privnum.domain.billing.meters import Meter, number_class_of
from privnum.domain.billing.rent import (
    BILLING_ZONE,
    RentAssignment,
    is_due_on_the_first,
    month_start_ms,
    rent_key,
    rent_usage_key,
)
from privnum.service.billing.ports import BillingTx, BillingUnit, NewUsage
from privnum.service.billing.settlement import charge
from privnum.service.billing.standing import Standings


@dataclass(frozen=True)
class RentCharged:
    tenant_id: int
    key: str
    numbers: int
    amount_micros: int


class RentJob:
    def __init__(self, unit: BillingUnit, standings: Standings, zone: tzinfo = BILLING_ZONE) -> None:
        self.unit = unit
        self.standings = standings
        self.zone = zone  # the billing time zone: months begin and the 25th's cut-off falls there

    async def charge_rent(self, month: str, now_ms: int) -> list[RentCharged]:
        """Charge ``month`` ("YYYY-MM") to every tenant that owes it and was not charged it yet."""
        start = month_start_ms(month, self.zone)
        found = await self.unit.run(lambda tx: tx.rent_assignments(start), read_only=True)
        due: dict[int, dict[str, tuple[int, RentAssignment]]] = defaultdict(dict)
        for app_id, assignment in found:
            if is_due_on_the_first(assignment, month, self.zone):
                due[assignment.customer_id].setdefault(assignment.number, (app_id, assignment))
        charged = []
        for tenant_id, numbers in sorted(due.items()):
            done = await self.unit.run(partial(self._charge, tenant_id=tenant_id, month=month,
                                               numbers=list(numbers.values()), now_ms=now_ms))
            if done is not None:
                charged.append(done)
        return charged

    async def _charge(self, tx: BillingTx, tenant_id: int, month: str,
                      numbers: list[tuple[int, RentAssignment]], now_ms: int) -> RentCharged | None:
        key = rent_key(tenant_id, month)
        account = await tx.account(tenant_id, lock=True)
        if account is None or await tx.has_journal(key):
            return None
        plan = await tx.plan(account.price_plan)
        if plan is None:
            return None
        start = month_start_ms(month, self.zone)
        # a number charged this month already (assigned again this month, in another of the tenant's apps) is not
        # charged twice; in the same app the usage record's unique key refuses the second one anyway
        paid = await tx.rent_usage(tenant_id, [rent_usage_key(a.number, month) for _, a in numbers])
        numbers = [(app_id, a) for app_id, a in numbers if rent_usage_key(a.number, month) not in paid]
        await tx.add_usage([NewUsage(tenant_id=tenant_id, app_id=app_id, source="rent",
                                     key=rent_usage_key(a.number, month),
                                     meter=Meter.NUMBER_RENT.value,
                                     number_class=number_class_of(a.number, a.number_class or None).value,
                                     x_number=a.number, quantity=1, units=1, occurred_at_ms=start)
                            for app_id, a in numbers], now_ms)
        records = await tx.unsettled(tenant_id, start + 1, ("rent",))
        if not records:
            return None  # every number due was charged this month already (when it was assigned)
        total = await charge(tx, tenant_id, key, plan, records, REVENUE_RENT, JournalKind.RENT,
                             f"rent {month} of {len(records)} numbers", now_ms)
        await self.standings.follow_balance(tx, tenant_id, now_ms)
        return None if total is None else RentCharged(tenant_id, key, len(records), total)
