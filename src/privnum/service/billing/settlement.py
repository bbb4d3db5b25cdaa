"""Hourly settlement (billing.md R-11…R-18): for every tenant with unsettled call and SMS usage before the window's
end, each record's units are drawn from the tenant's packages in force at its time (R-11/R-12), the rest priced
pay-as-you-go; one journal ``settle:<tenant>:<hour>`` debits the wallet by the pay-as-you-go total, and its rated
lines, the packages' draws and the records marked settled are written in the same transaction. A window already
settled for a tenant is left alone (its late records wait for the next window), so re-running a window changes
nothing — and draws nothing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial

from privnum.domain.billing.ledger import REVENUE_USAGE, ROUNDING, JournalKind, Posting, journal, settle_key, wallet
from privnum.domain.billing.meters import Meter, NumberClass
from privnum.domain.billing.money import truncate_to_cents
from privnum.domain.billing.packages import Draw, Package, after_draws, draw
from privnum.domain.billing.plans import PricePlan, price_at, version_at
from privnum.domain.billing.usage import HOUR_MS
from privnum.service.billing.ingestion import UsageIngestion
from privnum.service.billing.notices import quota_balances
from privnum.service.billing.ports import BillingTx, BillingUnit, RatedLine, StoredUsage
from privnum.service.billing.standing import Standings

USAGE_SOURCES = ("cdr", "sms")


@dataclass(frozen=True)
class SettledTenant:
    tenant_id: int
    key: str
    records: int
    amount_micros: int


@dataclass
class Rating:
    lines: list[RatedLine] = field(default_factory=list)
    draws: list[Draw] = field(default_factory=list)


def rate(plan: PricePlan, records: Sequence[StoredUsage], packages: Sequence[Package] = ()) -> Rating:
    """Each record's units drawn from ``packages`` in force at its ``occurred_at`` (R-11/R-12, records in order,
    each seeing what the ones before it left), one line at price 0 per package drawn; the rest one pay-as-you-go
    line at the price in force at its ``occurred_at`` (R-16, R-18), also when it is 0 units."""
    if not packages:
        return Rating(lines=pay_as_you_go(plan, records))
    rating = Rating()
    left = list(packages)
    for record in records:
        drawn = draw(left, record.meter, record.number_class, record.units, record.occurred_at_ms)
        if drawn.draws:
            left = after_draws(left, drawn.draws)
            rating.draws.extend(drawn.draws)
            rating.lines.extend(RatedLine(record.id, d.units, 0, d.package_id) for d in drawn.draws)
        if drawn.payg_units or not drawn.draws:
            price = price_at(plan, Meter(record.meter), NumberClass(record.number_class), record.occurred_at_ms)
            rating.lines.append(RatedLine(record.id, drawn.payg_units, price.unit_price))
    return rating


def pay_as_you_go(plan: PricePlan, records: Sequence[StoredUsage]) -> list[RatedLine]:
    """One pay-as-you-go line per record (a tenant without packages): the price in force at its ``occurred_at``,
    looked up once per meter, number class and plan version."""
    prices: dict[tuple[str, str, int], int] = {}
    lines = []
    for record in records:
        key = (record.meter, record.number_class, version_at(plan, record.occurred_at_ms).effective_from_ms)
        price = prices.get(key)
        if price is None:
            price = prices[key] = price_at(plan, Meter(record.meter), NumberClass(record.number_class),
                                           record.occurred_at_ms).unit_price
        lines.append(RatedLine(record.id, record.units, price))
    return lines


async def charge(tx: BillingTx, tenant_id: int, key: str, plan: PricePlan, records: Sequence[StoredUsage],
                 revenue: str, kind: JournalKind, memo: str, now_ms: int,
                 packages: Sequence[Package] = ()) -> int | None:
    """Rate ``records`` (drawing ``packages`` first), post their pay-as-you-go total as one journal ``key`` from the
    tenant's wallet to ``revenue`` (none when it is 0), take the draws from the packages and mark the records settled
    under ``key``; the total, or None when the journal was already posted."""
    rating = rate(plan, records, packages)
    rated = sum(line.amount_micros for line in rating.lines)
    total, dropped = (truncate_to_cents(rated) if plan.truncate_to_cents and kind is JournalKind.SETTLEMENT
                      else (rated, 0))
    if rated:
        # revenue is credited what was rated; with truncate_to_cents the cut (抹零, R-18) is a rounding discount
        lines = [Posting(wallet(tenant_id), total), Posting(ROUNDING, dropped), Posting(revenue, -rated)]
        entry = journal(key, [line for line in lines if line.amount_micros], kind=kind, at_ms=now_ms)
        if not await tx.post(tenant_id, entry, memo):
            return None
    await tx.draw(rating.draws)
    await tx.mark_settled(tenant_id, rating.lines, key)
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
        packages = await tx.packages_in_force(tenant_id, min(r.occurred_at_ms for r in records),
                                              window_start_ms + HOUR_MS)
        total = await charge(tx, tenant_id, key, plan, records, REVENUE_USAGE, JournalKind.SETTLEMENT,
                             f"usage of {len(records)} records", now_ms, packages)
        if total is not None:
            await self.standings.notices.after_draws(tx, tenant_id, quota_balances(packages), now_ms)
        await self.standings.follow_balance(tx, tenant_id, now_ms)
        return None if total is None else SettledTenant(tenant_id, key, len(records), total)
