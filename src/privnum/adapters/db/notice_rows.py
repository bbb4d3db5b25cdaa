"""The notification rows of a billing transaction (billing.md R-14, R-27): ``billing_notifications`` raised with
the posting or draw that caused them (``INSERT … ON CONFLICT (key) DO NOTHING``: an event is stored once), the
account's low-balance threshold, and the package figures a notice tells."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import String, cast, exists, literal, select, text, update

from privnum.adapters.db.database import Conn
from privnum.adapters.db.tables import (
    billing_accounts,
    billing_notifications,
    package_products,
    package_quotas,
    packages,
    tenants,
)
from privnum.domain.billing.notices import Notice, NoticeKind, QuotaFigures
from privnum.service.billing.notice_ports import ExpiringPackage, LowBalance, StoredNotice

_RAISE = text(
    "INSERT INTO billing_notifications (tenant_id, kind, key, body, created_at_ms, attempts, next_attempt_at_ms) "
    "VALUES (:tenant_id, :kind, :key, :body, :now, 0, :now) ON CONFLICT (key) DO NOTHING")


def notice_body(notice: Notice) -> str:
    """The JSON the webhook receives, compact, keys in the order the domain gives them."""
    return json.dumps(notice.body, ensure_ascii=False, separators=(",", ":"))


def _quota_query() -> Any:
    p, q = packages, package_quotas
    return (select(p.c.id, p.c.tenant_id, p.c.expires_at_ms, package_products.c.name, q.c.meter, q.c.number_class,
                   q.c.units_total, q.c.units_left)
            .select_from(p.join(package_products, package_products.c.id == p.c.product_id)
                         .join(q, q.c.package_id == p.c.id)))


def _figures(row: Any) -> QuotaFigures:
    return QuotaFigures(row.id, row.name, row.meter, row.number_class, row.units_total,
                        row.units_total - row.units_left, row.expires_at_ms)


class SqlNoticeRows:
    conn: Conn

    async def tenant_name(self, tenant_id: int) -> str:
        row = (await self.conn.execute(select(tenants.c.name).where(tenants.c.id == tenant_id))).first()
        return str(row[0]) if row else str(tenant_id)

    async def low_balance(self, tenant_id: int) -> LowBalance:
        a = billing_accounts
        row = (await self.conn.execute(select(a.c.low_balance_micros, a.c.low_since_ms)
                                       .where(a.c.tenant_id == tenant_id))).first()
        return LowBalance(None, None) if row is None else LowBalance(row.low_balance_micros, row.low_since_ms)

    async def set_low_balance(self, tenant_id: int, threshold_micros: int | None) -> None:
        await self.conn.execute(update(billing_accounts).where(billing_accounts.c.tenant_id == tenant_id)
                                .values(low_balance_micros=threshold_micros, low_since_ms=None))

    async def set_low_since(self, tenant_id: int, since_ms: int | None) -> None:
        await self.conn.execute(update(billing_accounts).where(billing_accounts.c.tenant_id == tenant_id)
                                .values(low_since_ms=since_ms))

    async def raise_notice(self, notice: Notice, now_ms: int) -> bool:
        done = await self.conn.execute(_RAISE, {"tenant_id": notice.tenant_id, "kind": notice.kind.value,
                                                "key": notice.key, "body": notice_body(notice), "now": now_ms})
        return bool(done.rowcount)

    async def package_quotas(self, package_ids: Sequence[int]) -> Sequence[QuotaFigures]:
        if not package_ids:
            return []
        query = _quota_query().where(packages.c.id.in_(list(package_ids))).order_by(packages.c.id,
                                                                                   package_quotas.c.id)
        return [_figures(row) for row in await self.conn.execute(query)]

    async def packages_expiring(self, from_ms: int, until_ms: int) -> Sequence[ExpiringPackage]:
        told = exists().where(billing_notifications.c.key == literal(f"{NoticeKind.PACKAGE_EXPIRING.value}:")
                              + cast(packages.c.id, String))
        query = (_quota_query().where(packages.c.expires_at_ms > from_ms, packages.c.expires_at_ms <= until_ms,
                                      ~told)
                 .order_by(packages.c.id, package_quotas.c.id))
        found: dict[int, list[QuotaFigures]] = defaultdict(list)
        owner: dict[int, int] = {}
        for row in await self.conn.execute(query):
            found[row.id].append(_figures(row))
            owner[row.id] = row.tenant_id
        return [ExpiringPackage(owner[package_id], tuple(quotas)) for package_id, quotas in found.items()]

    async def notices(self, tenant_id: int | None, undelivered: bool, limit: int) -> Sequence[StoredNotice]:
        n = billing_notifications
        query = (select(n, tenants.c.name.label("tenant_name"))
                 .select_from(n.join(tenants, tenants.c.id == n.c.tenant_id)))
        if tenant_id is not None:
            query = query.where(n.c.tenant_id == tenant_id)
        if undelivered:
            query = query.where(n.c.delivered_at_ms.is_(None))
        rows = await self.conn.execute(query.order_by(n.c.id.desc()).limit(limit))
        return [StoredNotice(row.id, row.tenant_id, row.tenant_name, row.kind, row.key, row.body, row.created_at_ms,
                             row.delivered_at_ms, row.attempts, row.next_attempt_at_ms, row.last_error)
                for row in rows]
