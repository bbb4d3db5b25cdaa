"""Audit events, written in the transaction of the change they describe, and read back page by page."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, insert, select

from privnum.adapters.db.database import Conn
from privnum.adapters.db.tables import audit_events
from privnum.domain.audit import AuditEvent, AuditRecord
from privnum.service.management.ports import AuditFilter
from privnum.service.paging import Page, PageRequest


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)


def _record(row: Any) -> AuditRecord:
    return AuditRecord(id=row.id, at_ms=row.at_ms, actor_kind=row.actor_kind, actor_login=row.actor_login,
                       tenant_id=row.tenant_id, action=row.action, subject=row.subject,
                       before=json.loads(row.before_json) if row.before_json else None,
                       after=json.loads(row.after_json) if row.after_json else None, ip=row.ip)


class AuditRows:
    conn: Conn

    async def audit(self, event: AuditEvent, now_ms: int) -> None:
        actor = event.actor
        await self.conn.execute(insert(audit_events).values(
            at_ms=now_ms, actor_kind=actor.kind.value, actor_login=actor.login[:64], actor_user_id=actor.user_id,
            tenant_id=event.tenant_id, action=event.action, subject=event.subject[:128],
            before_json=_json(event.before), after_json=_json(event.after),
            details_json=_json(event.details) if event.details else None, ip=actor.ip))

    async def audit_events(self, where: AuditFilter, page: PageRequest) -> Page[AuditRecord]:
        conditions = []
        if where.tenant_id is not None:
            conditions.append(audit_events.c.tenant_id == where.tenant_id)
        if where.action:
            conditions.append(audit_events.c.action.startswith(where.action))
        if where.actor_login:
            conditions.append(audit_events.c.actor_login == where.actor_login)
        if where.subject:
            conditions.append(audit_events.c.subject == where.subject)
        if where.since_ms is not None:
            conditions.append(audit_events.c.at_ms >= where.since_ms)
        if where.until_ms is not None:
            conditions.append(audit_events.c.at_ms < where.until_ms)
        counting = select(func.count()).select_from(audit_events).where(*conditions)
        total = (await self.conn.execute(counting)).scalar_one()
        rows = (await self.conn.execute(select(audit_events).where(*conditions).order_by(audit_events.c.id.desc())
                                        .limit(page.per_page).offset(page.offset))).all()
        return Page([_record(r) for r in rows], total, page.page, page.per_page)
