"""Hourly settlement (billing.md R-15…R-18, packages not yet drawn): for every tenant with unsettled call and SMS
usage before the window's end, one journal ``settle:<tenant>:<hour>`` debiting the wallet by the pay-as-you-go
total, its rated lines, and the records marked settled — all in one transaction. A window already settled for a
tenant is left alone (its late records wait for the next window), so re-running a window changes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from privnum.domain.billing.ledger import REVENUE_USAGE, JournalKind, Posting, journal, settle_key, wallet
from privnum.domain.billing.meters import Meter, NumberClass
from privnum.domain.billing.plans import PricePlan, price_at
from privnum.domain.billing.usage import HOUR_MS
from privnum.service.billing.ingestion import UsageIngestion
from privnum.service.billing.ports import BillingTx, BillingUnit, RatedLine, StoredUsage

USAGE_SOURCES = ("cdr", "sms")


@dataclass(frozen=True)
class SettledTenant:
    tenant_id: int
    key: str
    records: int
    amount_micros: int


def rate(plan: PricePlan, records: list[StoredUsage] | tuple[StoredUsage, ...]) -> list[RatedLine]:
    """One pay-as-you-go line per record, at the price in force at its ``occurred_at`` (R-16, R-18)."""
    return [RatedLine(record.id, record.units,
                      price_at(plan, Meter(record.meter), NumberClass(record.number_class),
                               record.occurred_at_ms).unit_price)
            for record in records]


class HourlySettlement:
    def __init__(self, unit: BillingUnit, ingestion: UsageIngestion) -> None:
        self.unit = unit
        self.ingestion = ingestion

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
        lines = rate(plan, list(records))
        total = sum(line.amount_micros for line in lines)
        if total:
            entry = journal(key, [Posting(wallet(tenant_id), total), Posting(REVENUE_USAGE, -total)],
                            kind=JournalKind.SETTLEMENT, at_ms=now_ms)
            if not await tx.post(tenant_id, entry, f"usage of {len(records)} records"):
                return None
        await tx.mark_settled(lines, key)
        return SettledTenant(tenant_id, key, len(records), total)
