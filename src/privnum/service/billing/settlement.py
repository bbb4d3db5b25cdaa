"""Hourly settlement (billing.md R-15…R-18, packages not yet drawn): for every tenant with unsettled call and SMS
usage before the window's end, one journal ``settle:<tenant>:<hour>`` debiting the wallet by the pay-as-you-go
total, its rated lines, and the records marked settled — all in one transaction. A window already settled for a
tenant is left alone (its late records wait for the next window), so re-running a window changes nothing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

from privnum.domain.billing.ledger import REVENUE_USAGE, JournalKind, Posting, journal, settle_key, wallet
from privnum.domain.billing.meters import Meter, NumberClass
from privnum.domain.billing.plans import PricePlan, price_at
from privnum.domain.billing.usage import HOUR_MS
from privnum.service.billing.ingestion import UsageIngestion
from privnum.service.billing.ports import BillingTx, BillingUnit, RatedLine, StoredUsage
from privnum.service.billing.standing import Standings

USAGE_SOURCES = ("cdr", "sms")


@dataclass(frozen=True)
class SettledTenant:
    tenant_id: int
    key: str
    records: int
    amount_micros: int


def rate(plan: PricePlan, records: Sequence[StoredUsage]) -> list[RatedLine]:
    """One pay-as-you-go line per record, at the price in force at its ``occurred_at`` (R-16, R-18)."""
    return [RatedLine(record.id, record.units,
                      price_at(plan, Meter(record.meter), NumberClass(record.number_class),
                               record.occurred_at_ms).unit_price)
            for record in records]


async def charge(tx: BillingTx, tenant_id: int, key: str, plan: PricePlan, records: Sequence[StoredUsage],
                 revenue: str, kind: JournalKind, memo: str, now_ms: int) -> int | None:
    """Rate ``records``, post their total as one journal ``key`` from the tenant's wallet to ``revenue`` (none
    when it is 0) and mark them settled under ``key``; the total, or None when the journal was already posted."""
    lines = rate(plan, records)
    total = sum(line.amount_micros for line in lines)
    if total:
        entry = journal(key, [Posting(wallet(tenant_id), total), Posting(revenue, -total)], kind=kind, at_ms=now_ms)
        if not await tx.post(tenant_id, entry, memo):
            return None
    await tx.mark_settled(lines, key)
    return total


class HourlySettlement:
    def __init__(self, unit: BillingUnit, ingestion: UsageIngestion, standings: Standings) -> None:
        self.unit = unit
        self.ingestion = ingestion
        self.standings = standings

    async def settle_hour(self, window_start_ms: int, now_ms: int) -> list[SettledTenant]:
        """Ingest what is new, then settle window ``[window_start, +1 h)`` for every tenant owing usage in it."""
        if window_start_ms % HOUR_MS:
            raise ValueError("a settlement window starts on a full hour")
        await self.ingestion.ingest(now_ms)
        window_end = window_start_ms + HOUR_MS
        tenants = await self.unit.run(lambda tx: tx.tenants_with_unsettled(window_end, USAGE_SOURCES),
                                      read_only=True)
        settled = []
        for tenant_id in tenants:
            done = await self.unit.run(partial(self._settle, tenant_id=tenant_id, window_start_ms=window_start_ms,
                                               now_ms=now_ms))
            if done is not None:
                settled.append(done)
        return settled

    async def _settle(self, tx: BillingTx, tenant_id: int, window_start_ms: int, now_ms: int) -> SettledTenant | None:
        key = settle_key(tenant_id, window_start_ms)
        account = await tx.account(tenant_id, lock=True)
        if account is None or await tx.has_journal(key):
            return None
        plan = await tx.plan(account.price_plan)
        records = await tx.unsettled(tenant_id, window_start_ms + HOUR_MS, USAGE_SOURCES)
        if plan is None or not records:
            return None
        total = await charge(tx, tenant_id, key, plan, records, REVENUE_USAGE, JournalKind.SETTLEMENT,
                             f"usage of {len(records)} records", now_ms)
        await self.standings.follow_balance(tx, tenant_id, now_ms)
        return None if total is None else SettledTenant(tenant_id, key, len(records), total)
