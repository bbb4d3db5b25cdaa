"""The billing views' rows: accounts with their tenant's name, usage summed per quarter hour, the wallet's balance
at an instant, a period's journals, the rated lines with the call or text behind each (for the CSV export), and
the credit limit an operator sets. One transaction per ``SqlBillingReportUnit.run``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import and_, case, func, select

from privnum.adapters.db.database import Conn, Database
from privnum.adapters.db.engine import with_retries
from privnum.adapters.db.tables import (
    apps,
    billing_accounts,
    cdrs,
    journals,
    postings,
    rated_lines,
    sms_messages,
    tenants,
    usage_records,
)
from privnum.domain.billing.ledger import Journal, JournalKind, Posting, wallet
from privnum.domain.billing.usage_buckets import QUARTER_HOUR_MS, UsageGroup, UsageSlice
from privnum.service.billing.ports import BillingAccount
from privnum.service.billing.report_ports import AccountSummary, BillingReportTx, LineToExport

T = TypeVar("T")
u = usage_records


def _account(row: Any) -> BillingAccount:
    return BillingAccount(row.tenant_id, row.currency, row.price_plan, row.balance_micros, row.credit_limit_micros,
                          row.standing)


class SqlBillingReportTx:
    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def accounts(self, tenant_id: int | None) -> Sequence[AccountSummary]:
        query = (select(billing_accounts, tenants.c.name.label("tenant_name"))
                 .select_from(billing_accounts.join(tenants, tenants.c.id == billing_accounts.c.tenant_id))
                 .order_by(tenants.c.name))
        if tenant_id is not None:
            query = query.where(billing_accounts.c.tenant_id == tenant_id)
        return [AccountSummary(_account(row), row.tenant_name) for row in await self.conn.execute(query)]

    async def usage_slices(self, tenant_id: int, start_ms: int, end_ms: int, by: UsageGroup) -> Sequence[UsageSlice]:
        group = u.c.app_id if by is UsageGroup.APP else u.c.x_number
        quarter = (u.c.occurred_at_ms // QUARTER_HOUR_MS).label("quarter")
        charged = (select(rated_lines.c.usage_record_id, func.sum(rated_lines.c.amount_micros).label("amount"))
                   .group_by(rated_lines.c.usage_record_id).subquery())
        unsettled = case((u.c.settlement_key.is_(None), u.c.units), else_=0)
        query = (select(quarter, group.label("grp"), u.c.meter, func.sum(u.c.units).label("units"),
                        func.sum(func.coalesce(charged.c.amount, 0)).label("amount"),
                        func.sum(unsettled).label("unsettled"))
                 .select_from(u.outerjoin(charged, charged.c.usage_record_id == u.c.id))
                 .where(u.c.tenant_id == tenant_id, u.c.occurred_at_ms >= start_ms, u.c.occurred_at_ms < end_ms)
                 .group_by(quarter, group, u.c.meter))
        return [UsageSlice(int(row.quarter) * QUARTER_HOUR_MS, str(row.grp), row.meter, int(row.units),
                           int(row.amount), int(row.unsettled))
                for row in await self.conn.execute(query)]

    async def app_names(self, app_ids: Sequence[int]) -> dict[int, str]:
        if not app_ids:
            return {}
        rows = await self.conn.execute(select(apps.c.id, apps.c.name).where(apps.c.id.in_(list(app_ids))))
        return {row.id: row.name for row in rows}

    async def wallet_balance_before(self, tenant_id: int, before_ms: int) -> int:
        query = (select(func.coalesce(func.sum(postings.c.amount_micros), 0))
                 .select_from(postings.join(journals, journals.c.id == postings.c.journal_id))
                 .where(journals.c.tenant_id == tenant_id, journals.c.at_ms < before_ms,
                        postings.c.ledger_account == wallet(tenant_id)))
        return -int((await self.conn.execute(query)).scalar_one())

    async def journals(self, tenant_id: int, start_ms: int, end_ms: int) -> Sequence[tuple[Journal, str | None]]:
        query = (select(journals.c.id, journals.c.key, journals.c.kind, journals.c.at_ms, journals.c.memo,
                        postings.c.ledger_account, postings.c.amount_micros)
                 .select_from(journals.join(postings, postings.c.journal_id == journals.c.id))
                 .where(journals.c.tenant_id == tenant_id, journals.c.at_ms >= start_ms, journals.c.at_ms < end_ms)
                 .order_by(journals.c.at_ms, journals.c.id, postings.c.id))
        found: dict[int, tuple[Any, list[Posting]]] = {}
        for row in await self.conn.execute(query):
            found.setdefault(row.id, (row, []))[1].append(Posting(row.ledger_account, row.amount_micros))
        return [(Journal(head.key, tuple(lines), JournalKind(head.kind), head.at_ms), head.memo)
                for head, lines in found.values()]

    async def lines_after(self, tenant_id: int, start_ms: int, end_ms: int, after_id: int,
                          limit: int) -> Sequence[LineToExport]:
        r = rated_lines
        call = and_(u.c.source == "cdr", cdrs.c.app_id == u.c.app_id, cdrs.c.icid == u.c.key)
        text = and_(u.c.source == "sms", sms_messages.c.app_id == u.c.app_id, sms_messages.c.sms_id == u.c.key)
        query = (select(r.c.id, u.c.occurred_at_ms, u.c.source, u.c.meter, u.c.number_class, u.c.app_id,
                        apps.c.name.label("app_name"), u.c.x_number, u.c.key, u.c.settlement_key, r.c.units,
                        r.c.unit_price_micros, r.c.amount_micros, cdrs.c.caller, cdrs.c.callee,
                        cdrs.c.answered_at_ms, cdrs.c.ended_at_ms, cdrs.c.talk_seconds, sms_messages.c.segments)
                 .select_from(r.join(u, u.c.id == r.c.usage_record_id).outerjoin(apps, apps.c.id == u.c.app_id)
                              .outerjoin(cdrs, call).outerjoin(sms_messages, text))
                 .where(u.c.tenant_id == tenant_id, u.c.occurred_at_ms >= start_ms, u.c.occurred_at_ms < end_ms,
                        r.c.id > after_id)
                 .order_by(r.c.id).limit(limit))
        return [LineToExport(**row._mapping) for row in await self.conn.execute(query)]


class SqlBillingReportUnit:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def run(self, work: Callable[[BillingReportTx], Awaitable[T]], *, read_only: bool = False) -> T:
        async def attempt() -> T:
            opened = self.db.reading() if read_only else self.db.transaction()
            async with opened as conn:
                return await work(SqlBillingReportTx(conn))

        return await with_retries(attempt)
