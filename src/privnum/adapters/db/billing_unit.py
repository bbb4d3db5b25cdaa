"""The billing unit of work: one transaction per billing action, whose ``SqlBillingTx`` reads calls, texts and
numbers and writes usage records, rated lines, journals, postings and the cached balance on one connection."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, and_, exists, func, insert, or_, select, text, update

from privnum.adapters.db.database import Conn, Database
from privnum.adapters.db.engine import with_retries
from privnum.adapters.db.notice_rows import SqlNoticeRows
from privnum.adapters.db.outbox_enqueue import enqueue
from privnum.adapters.db.package_rows import SqlPackageRows
from privnum.adapters.db.provisioning_store import number_from_row
from privnum.adapters.db.tables import (
    apps,
    billing_accounts,
    cdrs,
    enterprises,
    journals,
    number_releases,
    numbers,
    postings,
    price_plans,
    rated_lines,
    sms_messages,
    tenants,
    usage_records,
)
from privnum.domain.billing.arrears import AccountStanding, BalanceSide
from privnum.domain.billing.ledger import Journal, wallet
from privnum.domain.billing.plans import PlanVersion, PricePlan
from privnum.domain.billing.rent import RentAssignment
from privnum.domain.billing.usage import BILLED_SEND_RESULTS
from privnum.domain.pushes import OutboundPush
from privnum.service.billing.ports import (
    BillingAccount,
    BillingTx,
    CallToRate,
    NewUsage,
    RatedLine,
    StoredUsage,
    TenantNumber,
    TextToRate,
)
from privnum.service.billing.rates_json import rates_from_json, rates_to_json

T = TypeVar("T")

_INSERT_USAGE = text(
    "INSERT INTO usage_records (tenant_id, app_id, source, key, meter, number_class, x_number, quantity, units, "
    "occurred_at_ms, created_at_ms) VALUES (:tenant_id, :app_id, :source, :key, :meter, :number_class, :x_number, "
    ":quantity, :units, :occurred_at_ms, :created_at_ms) ON CONFLICT (app_id, source, key, meter) DO NOTHING")

# One set-based UPDATE marks what was just rated: the tenant's unsettled records in the rated id range that have a
# rated line. Not "every unsettled record up to the highest id read": on PostgreSQL an ingestion that took a lower
# id and committed after the records were read would be marked settled unrated.
_MARK_RATED = text(
    "UPDATE usage_records SET settlement_key = :key WHERE tenant_id = :tenant_id AND settlement_key IS NULL "
    "AND id BETWEEN :low AND :high "
    "AND EXISTS (SELECT 1 FROM rated_lines r WHERE r.usage_record_id = usage_records.id)")

# a release owes at most the month after the one it was requested in (number_releases.rent_through): releases
# from the month before a rent month on can still owe it, older ones cannot (32 days: the longest month, and slack
# for the billing zone)
RELEASES_OWING_MS = 32 * 24 * 3_600_000

_BILLED_APPS = (apps.join(enterprises, enterprises.c.id == apps.c.enterprise_id)
                .join(billing_accounts, billing_accounts.c.tenant_id == enterprises.c.tenant_id))


def _not_ingested(source: str, app_id: Any, key: Any) -> ColumnElement[bool]:
    return ~exists().where(and_(usage_records.c.app_id == app_id, usage_records.c.source == source,
                                usage_records.c.key == key))


class SqlBillingTx(SqlPackageRows, SqlNoticeRows):
    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def tenant_id(self, name: str) -> int | None:
        row = (await self.conn.execute(select(tenants.c.id).where(tenants.c.name == name))).first()
        return row[0] if row else None

    async def account(self, tenant_id: int, *, lock: bool = False) -> BillingAccount | None:
        query = select(billing_accounts).where(billing_accounts.c.tenant_id == tenant_id)
        row = (await self.conn.execute(query.with_for_update() if lock else query)).first()
        if row is None:
            return None
        return BillingAccount(row.tenant_id, row.currency, row.price_plan, row.balance_micros,
                              row.credit_limit_micros, row.standing, row.short_since_ms, row.covered_since_ms)

    async def open_account(self, tenant_id: int, currency: str, price_plan: str, now_ms: int) -> None:
        moved = await self.conn.execute(update(billing_accounts).where(billing_accounts.c.tenant_id == tenant_id)
                                        .values(price_plan=price_plan))
        if moved.rowcount == 0:
            await self.conn.execute(insert(billing_accounts).values(
                tenant_id=tenant_id, currency=currency, price_plan=price_plan, created_at_ms=now_ms))

    async def plan(self, name: str) -> PricePlan | None:
        rows = (await self.conn.execute(select(price_plans).where(price_plans.c.name == name)
                                        .order_by(price_plans.c.version))).all()
        if not rows:
            return None
        versions = tuple(PlanVersion(row.effective_from_ms, rates_from_json(row.rates)) for row in rows)
        return PricePlan(name, rows[-1].currency, versions, truncate_to_cents=bool(rows[-1].truncate_to_cents))

    async def add_plan_version(self, plan: PricePlan, now_ms: int) -> int:
        newest = plan.versions[-1]
        version = len(plan.versions)
        await self.conn.execute(insert(price_plans).values(
            name=plan.name, version=version, currency=plan.currency, effective_from_ms=newest.effective_from_ms,
            rates=rates_to_json(newest.rates), truncate_to_cents=plan.truncate_to_cents, created_at_ms=now_ms))
        return version

    async def calls_to_rate(self, limit: int) -> Sequence[CallToRate]:
        query = (select(cdrs.c.app_id, cdrs.c.icid, cdrs.c.called, cdrs.c.answered_at_ms, cdrs.c.ended_at_ms,
                        cdrs.c.recording_object_name, numbers.c.number_type, billing_accounts.c.tenant_id,
                        billing_accounts.c.price_plan)
                 .select_from(cdrs.join(_BILLED_APPS, apps.c.id == cdrs.c.app_id)
                              .outerjoin(numbers, numbers.c.number == cdrs.c.called))
                 .where(cdrs.c.answered_at_ms.is_not(None), _not_ingested("cdr", cdrs.c.app_id, cdrs.c.icid))
                 .order_by(cdrs.c.ended_at_ms).limit(limit))
        return [CallToRate(tenant_id=row.tenant_id, price_plan=row.price_plan, app_id=row.app_id, icid=row.icid,
                           privacy_number=row.called, number_type=row.number_type,
                           answered_at_ms=row.answered_at_ms, ended_at_ms=row.ended_at_ms,
                           recorded=row.recording_object_name is not None)
                for row in await self.conn.execute(query)]

    async def texts_to_rate(self, limit: int) -> Sequence[TextToRate]:
        m = sms_messages
        query = (select(m.c.app_id, m.c.sms_id, m.c.x_number, m.c.segments, m.c.send_result, m.c.received_at_ms,
                        numbers.c.number_type, billing_accounts.c.tenant_id)
                 .select_from(m.join(_BILLED_APPS, apps.c.id == m.c.app_id)
                              .outerjoin(numbers, numbers.c.number == m.c.x_number))
                 .where(m.c.finished_at_ms.is_not(None), m.c.segments > 0,
                        m.c.send_result.in_([int(result) for result in BILLED_SEND_RESULTS]),
                        _not_ingested("sms", m.c.app_id, m.c.sms_id))
                 .order_by(m.c.received_at_ms).limit(limit))
        return [TextToRate(tenant_id=row.tenant_id, app_id=row.app_id, sms_id=row.sms_id,
                           privacy_number=row.x_number, number_type=row.number_type, segments=row.segments,
                           send_result=row.send_result, received_at_ms=row.received_at_ms)
                for row in await self.conn.execute(query)]

    async def add_usage(self, records: Sequence[NewUsage], now_ms: int) -> int:
        if not records:
            return 0
        before = await self._usage_count()
        await self.conn.execute(_INSERT_USAGE, [{**record.__dict__, "created_at_ms": now_ms} for record in records])
        return await self._usage_count() - before

    async def _usage_count(self) -> int:
        return int((await self.conn.execute(select(func.count()).select_from(usage_records))).scalar_one())

    async def tenants_with_unsettled(self, before_ms: int, sources: Sequence[str]) -> Sequence[int]:
        u = usage_records
        query = (select(u.c.tenant_id).distinct()
                 .where(u.c.settlement_key.is_(None), u.c.occurred_at_ms < before_ms, u.c.source.in_(sources))
                 .order_by(u.c.tenant_id))
        return [row[0] for row in await self.conn.execute(query)]

    async def oldest_unsettled(self, sources: Sequence[str]) -> int | None:
        u = usage_records
        query = select(func.min(u.c.occurred_at_ms)).where(u.c.settlement_key.is_(None), u.c.source.in_(sources))
        return (await self.conn.execute(query)).scalar()

    async def unsettled(self, tenant_id: int, before_ms: int, sources: Sequence[str]) -> Sequence[StoredUsage]:
        u = usage_records
        query = (select(u.c.id, u.c.meter, u.c.number_class, u.c.units, u.c.occurred_at_ms)
                 .where(u.c.tenant_id == tenant_id, u.c.settlement_key.is_(None), u.c.occurred_at_ms < before_ms,
                        u.c.source.in_(sources))
                 .order_by(u.c.id))
        return [StoredUsage(row.id, row.meter, row.number_class, row.units, row.occurred_at_ms)
                for row in await self.conn.execute(query)]

    async def mark_settled(self, tenant_id: int, lines: Sequence[RatedLine], settlement_key: str) -> None:
        if not lines:
            return
        await self.conn.execute(insert(rated_lines), [
            {"usage_record_id": line.usage_record_id, "package_id": line.package_id, "units": line.units,
             "unit_price_micros": line.unit_price_micros, "amount_micros": line.amount_micros} for line in lines])
        ids = {line.usage_record_id for line in lines}
        marked = await self.conn.execute(_MARK_RATED, {"key": settlement_key, "tenant_id": tenant_id,
                                                       "low": min(ids), "high": max(ids)})
        if marked.rowcount != len(ids):
            raise RuntimeError(f"{settlement_key}: {marked.rowcount} usage records marked for {len(ids)} rated")

    async def has_journal(self, key: str) -> bool:
        return (await self.conn.execute(select(journals.c.id).where(journals.c.key == key))).first() is not None

    async def post(self, tenant_id: int, entry: Journal, memo: str | None) -> bool:
        if await self.has_journal(entry.key):
            return False
        done = await self.conn.execute(insert(journals).values(key=entry.key, kind=entry.kind.value,
                                                               tenant_id=tenant_id, at_ms=entry.at_ms, memo=memo))
        journal_id = done.inserted_primary_key[0]
        await self.conn.execute(insert(postings), [
            {"journal_id": journal_id, "ledger_account": line.account, "amount_micros": line.amount_micros}
            for line in entry.postings])
        wallet_account = wallet(tenant_id)
        change = -sum(line.amount_micros for line in entry.postings if line.account == wallet_account)
        await self.conn.execute(update(billing_accounts).where(billing_accounts.c.tenant_id == tenant_id)
                                .values(balance_micros=billing_accounts.c.balance_micros + change))
        return True

    async def set_credit_limit(self, tenant_id: int, credit_limit_micros: int) -> None:
        await self.conn.execute(update(billing_accounts).where(billing_accounts.c.tenant_id == tenant_id)
                                .values(credit_limit_micros=credit_limit_micros))

    async def set_standing(self, tenant_id: int, standing: AccountStanding, side: BalanceSide,
                           changed_at_ms: int | None) -> None:
        values: dict[str, Any] = {"standing": standing.value, "short_since_ms": side.short_since_ms,
                                  "covered_since_ms": side.covered_since_ms}
        if changed_at_ms is not None:
            values["standing_since_ms"] = changed_at_ms
        await self.conn.execute(update(billing_accounts).where(billing_accounts.c.tenant_id == tenant_id)
                                .values(**values))

    async def tenants_to_watch(self) -> Sequence[int]:
        a = billing_accounts
        query = (select(a.c.tenant_id).where(or_(a.c.standing != AccountStanding.ACTIVE.value,
                                                 a.c.short_since_ms.is_not(None)))
                 .order_by(a.c.tenant_id))
        return [row[0] for row in await self.conn.execute(query)]

    async def tenant_numbers(self, tenant_id: int) -> Sequence[TenantNumber]:
        query = (select(numbers, apps.c.push_number_status, apps.c.number_status_url, apps.c.call_status_url)
                 .select_from(numbers.join(apps, apps.c.id == numbers.c.app_id)
                              .join(enterprises, enterprises.c.id == apps.c.enterprise_id))
                 .where(enterprises.c.tenant_id == tenant_id).order_by(numbers.c.number))
        return [TenantNumber(row.app_id, number_from_row(row),
                             (row.number_status_url or row.call_status_url) if row.push_number_status else None)
                for row in await self.conn.execute(query)]

    async def enqueue(self, pushes: Sequence[OutboundPush], now_ms: int) -> None:
        await enqueue(self.conn, pushes, now_ms)

    async def rent_assignments(self, month_start_ms: int) -> Sequence[tuple[int, RentAssignment]]:
        held = (select(numbers.c.number, numbers.c.app_id, numbers.c.number_type, numbers.c.issued_at_ms,
                       numbers.c.created_at_ms, billing_accounts.c.tenant_id)
                .select_from(numbers.join(_BILLED_APPS, apps.c.id == numbers.c.app_id)))
        found = [(row.app_id, RentAssignment(row.tenant_id, row.number, row.number_type or "",
                                             row.issued_at_ms or row.created_at_ms))
                 for row in await self.conn.execute(held)]
        r = number_releases
        released = (select(r.c.number, r.c.app_id, r.c.released_at_ms, r.c.tenant_id, numbers.c.number_type)
                    .select_from(r.join(billing_accounts, billing_accounts.c.tenant_id == r.c.tenant_id)
                                 .outerjoin(numbers, numbers.c.number == r.c.number))
                    .where(r.c.released_at_ms >= month_start_ms - RELEASES_OWING_MS))
        found += [(row.app_id, RentAssignment(row.tenant_id, row.number, row.number_type or "", 0,
                                              row.released_at_ms))
                  for row in await self.conn.execute(released)]
        return found

    async def rent_usage(self, tenant_id: int, keys: Sequence[str]) -> Mapping[str, StoredUsage | None]:
        if not keys:
            return {}
        u = usage_records
        query = (select(u.c.id, u.c.key, u.c.meter, u.c.number_class, u.c.units, u.c.occurred_at_ms,
                        u.c.settlement_key)
                 .where(u.c.tenant_id == tenant_id, u.c.source == "rent", u.c.key.in_(list(keys)))
                 .order_by(u.c.id))
        found: dict[str, StoredUsage | None] = {}
        for row in await self.conn.execute(query):
            unsettled = StoredUsage(row.id, row.meter, row.number_class, row.units, row.occurred_at_ms)
            found.setdefault(row.key, None if row.settlement_key is not None else unsettled)
        return found


class SqlBillingUnit:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def run(self, work: Callable[[BillingTx], Awaitable[T]], *, read_only: bool = False) -> T:
        async def attempt() -> T:
            opened = self.db.reading() if read_only else self.db.transaction()
            async with opened as conn:
                return await work(SqlBillingTx(conn))

        return await with_retries(attempt)
