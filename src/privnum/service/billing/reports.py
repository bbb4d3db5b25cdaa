"""Billing as people see it (issue 15 item 4): accounts (currency, plan, balance, credit limit, standing), usage per
app or per X number per day or month in the billing time zone, a month's statement (opening + top-ups − charges
± adjustments = closing, with the month's journals), and the rated lines of a month for a CSV export.

Operators (and support) see every tenant's; a tenant's account admin and billing users see their own tenant's
only: another tenant's account is NotFound, as if it did not exist. Real numbers in the export are masked."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import tzinfo
from typing import TypeVar

from privnum.domain.access import Actor, Permission
from privnum.domain.billing.ledger import Statement, statement, wallet_change
from privnum.domain.billing.rent import BILLING_ZONE, month_of, month_start_ms, next_month
from privnum.domain.billing.usage_buckets import MonthSpan, UsageBucket, UsageGroup, UsageRow, month_span, roll_up
from privnum.domain.management_errors import Invalid, NotFound
from privnum.domain.records.masking import mask_number
from privnum.service.billing.report_ports import (
    AccountSummary,
    BillingReportTx,
    BillingReportUnit,
    JournalLine,
    LineToExport,
)
from privnum.service.clock import now_ms

EXPORT_BATCH = 500
E = TypeVar("E", UsageBucket, UsageGroup)


@dataclass(frozen=True)
class UsageReport:
    summary: AccountSummary
    span: MonthSpan
    bucket: UsageBucket
    by: UsageGroup
    rows: list[UsageRow]
    app_names: dict[str, str] = field(default_factory=dict)  # by app: the group (app id) → the app's name


@dataclass(frozen=True)
class MonthStatement:
    summary: AccountSummary
    month: str
    statement: Statement
    journals: list[JournalLine]


@dataclass(frozen=True)
class LinesExport:
    summary: AccountSummary
    month: str
    lines: AsyncIterator[LineToExport]


def checked_month(month: str | None, zone: tzinfo, name: str = "month") -> str:
    """``month`` ("YYYY-MM"), the current month in ``zone`` when empty; Invalid (its field) when malformed."""
    if not month:
        return month_of(now_ms(), zone)
    try:
        month_start_ms(next_month(month), zone)  # the month's end exists too (not after 9999-12)
    except (ValueError, OverflowError):
        raise Invalid("invalid_month", f"{name} is a month, YYYY-MM (e.g. 2026-12)", field=name) from None
    return month


class BillingReports:
    def __init__(self, unit: BillingReportUnit, zone: tzinfo = BILLING_ZONE) -> None:
        self.unit = unit
        self.zone = zone

    async def accounts(self, actor: Actor) -> list[AccountSummary]:
        """Every billing account an operator sees; a tenant user's own (if its tenant has one)."""
        actor.require(Permission.READ_BILLING)
        return list(await self.unit.run(lambda tx: tx.accounts(actor.tenant_scope()), read_only=True))

    async def account(self, actor: Actor, tenant_id: int) -> AccountSummary:
        actor.require(Permission.READ_BILLING)
        return await self.unit.run(lambda tx: visible_account(tx, actor, tenant_id), read_only=True)

    async def usage(self, actor: Actor, tenant_id: int, first: str | None = None, last: str | None = None, *,
                    bucket: str | None = None, by: str | None = None) -> UsageReport:
        """Usage from month ``first`` to ``last`` (both included, at most 12; the current month by default), per
        day (the default) or month, per app (the default) or X number, per meter."""
        actor.require(Permission.READ_BILLING)
        chosen_bucket = _choice(UsageBucket, bucket or "day", "bucket")
        chosen_by = _choice(UsageGroup, by or "app", "by")
        first = checked_month(first, self.zone, "from")
        last = checked_month(last or first, self.zone, "to")
        try:
            span = month_span(first, last, self.zone)
        except ValueError as error:
            raise Invalid("invalid_window", str(error), field="from") from None

        async def work(tx: BillingReportTx) -> UsageReport:
            summary = await visible_account(tx, actor, tenant_id)
            slices = await tx.usage_slices(tenant_id, span.start_ms, span.end_ms, chosen_by)
            rows = roll_up(slices, chosen_bucket, self.zone)
            names: dict[str, str] = {}
            if chosen_by is UsageGroup.APP:
                found = await tx.app_names(sorted({int(row.group) for row in rows}))
                names = {str(app_id): name for app_id, name in found.items()}
            return UsageReport(summary, span, chosen_bucket, chosen_by, rows, names)

        return await self.unit.run(work, read_only=True)

    async def statement(self, actor: Actor, tenant_id: int, month: str | None = None) -> MonthStatement:
        """The statement of ``month`` (the current one by default) in the billing time zone."""
        actor.require(Permission.READ_BILLING)
        month = checked_month(month, self.zone)
        start, end = month_start_ms(month, self.zone), month_start_ms(next_month(month), self.zone)

        async def work(tx: BillingReportTx) -> MonthStatement:
            summary = await visible_account(tx, actor, tenant_id)
            opening = await tx.wallet_balance_before(tenant_id, start)
            found = await tx.journals(tenant_id, start, end)
            period = statement(tenant_id, [entry for entry, _ in found], start, end)
            whole = replace(period, opening_micros=opening + period.opening_micros,
                            closing_micros=opening + period.closing_micros)
            lines = [JournalLine(entry.key, entry.kind.value, entry.at_ms, memo, wallet_change(entry, tenant_id))
                     for entry, memo in found]
            return MonthStatement(summary, month, whole, lines)

        return await self.unit.run(work, read_only=True)

    async def export_lines(self, actor: Actor, tenant_id: int, month: str | None = None) -> LinesExport:
        """Every rated line of usage in ``month``, oldest line first, real numbers masked; the permission and the
        account's visibility are checked before the first line (await this, then iterate ``lines``)."""
        actor.require(Permission.READ_BILLING)
        month = checked_month(month, self.zone)
        summary = await self.account(actor, tenant_id)
        start, end = month_start_ms(month, self.zone), month_start_ms(next_month(month), self.zone)
        return LinesExport(summary, month, self._lines(tenant_id, start, end))

    async def _lines(self, tenant_id: int, start_ms: int, end_ms: int) -> AsyncIterator[LineToExport]:
        async def next_batch(after: int) -> Sequence[LineToExport]:
            return await self.unit.run(lambda tx: tx.lines_after(tenant_id, start_ms, end_ms, after, EXPORT_BATCH),
                                       read_only=True)

        after = 0
        while True:
            batch = await next_batch(after)
            for line in batch:
                yield replace(line, caller=mask_number(line.caller), callee=mask_number(line.callee))
            if len(batch) < EXPORT_BATCH:
                return
            after = batch[-1].id


async def visible_account(tx: BillingReportTx, actor: Actor, tenant_id: int) -> AccountSummary:
    """The tenant's account, or NotFound when it has none or ``actor`` may not see that tenant."""
    found = await tx.accounts(tenant_id) if actor.sees(tenant_id) else []
    if not found:
        raise NotFound("billing account", f"no billing account of tenant {tenant_id}")
    return found[0]


def _choice(kind: type[E], value: str, name: str) -> E:
    try:
        return kind(value)
    except ValueError:
        raise Invalid(f"invalid_{name}", f"{name} is one of {', '.join(kind)}", field=name) from None
