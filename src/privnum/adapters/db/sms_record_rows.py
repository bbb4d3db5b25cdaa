"""Relayed SMS for the records pages (短信详单) and the per-day counts of sent ones behind statistics. A row
mixin of the management transaction. A message whose X was nobody's number has no app: only operators see
it. Days are Beijing (UTC+8) days of arrival, counted as record_rows counts calls."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, func, or_, select

from privnum.adapters.db.database import Conn
from privnum.adapters.db.record_rows import beijing_day_of, group_column, grouped, stats_scope
from privnum.adapters.db.tables import apps, enterprises, numbers, sms_messages
from privnum.domain.records.statistics import DayCount
from privnum.domain.sms.results import SendResult
from privnum.service.management.records_ports import StatsFilter
from privnum.service.management.sms_records_ports import SmsFilter, SmsRow
from privnum.service.paging import Page, PageRequest

m = sms_messages
_SMS_FROM = m.outerjoin(apps, apps.c.id == m.c.app_id).outerjoin(enterprises, enterprises.c.id == apps.c.enterprise_id)
_SMS_COLUMNS = (m.c.sms_id, m.c.app_id, apps.c.name.label("app_name"), enterprises.c.tenant_id, m.c.mode,
                m.c.binding_id, m.c.sender, m.c.x_number.label("x"), m.c.receiver, m.c.from_number, m.c.segments,
                m.c.direction, m.c.state, m.c.send_result, m.c.notification_mode, m.c.delivery, m.c.delivery_at_ms,
                m.c.received_at_ms, m.c.finished_at_ms)
_NEWEST_FIRST = (m.c.received_at_ms.desc(), m.c.sms_id.desc())


def _sms(row: Any) -> SmsRow:
    return SmsRow(**row._mapping)


def _conditions(where: SmsFilter) -> list[Any]:
    conditions = [m.c.received_at_ms >= where.window.from_ms, m.c.received_at_ms < where.window.to_ms]
    if where.tenant_id is not None:
        conditions.append(enterprises.c.tenant_id == where.tenant_id)
    if where.app_id is not None:
        conditions.append(m.c.app_id == where.app_id)
    if where.x:
        conditions.append(m.c.x_number == where.x)
    if where.sender:
        conditions.append(m.c.sender == where.sender)
    if where.receiver:
        conditions.append(m.c.receiver == where.receiver)
    if where.send_result is not None:
        conditions.append(m.c.send_result == int(where.send_result))
    if where.sms_id:
        conditions.append(m.c.sms_id == where.sms_id)
    return conditions


class SmsRecordRows:
    conn: Conn

    async def sms_records(self, where: SmsFilter, page: PageRequest) -> Page[SmsRow]:
        conditions = _conditions(where)
        total = (await self.conn.execute(select(func.count()).select_from(_SMS_FROM).where(*conditions))).scalar_one()
        rows = (await self.conn.execute(select(*_SMS_COLUMNS).select_from(_SMS_FROM).where(*conditions)
                                        .order_by(*_NEWEST_FIRST).limit(page.per_page).offset(page.offset))).all()
        return Page([_sms(r) for r in rows], total, page.page, page.per_page)

    async def sms_records_after(self, where: SmsFilter, after: tuple[int, str] | None, limit: int) -> list[SmsRow]:
        conditions = _conditions(where)
        if after is not None:
            received, sms_id = after
            conditions.append(or_(m.c.received_at_ms < received,
                                  and_(m.c.received_at_ms == received, m.c.sms_id < sms_id)))
        rows = (await self.conn.execute(select(*_SMS_COLUMNS).select_from(_SMS_FROM).where(*conditions)
                                        .order_by(*_NEWEST_FIRST).limit(limit))).all()
        return [_sms(r) for r in rows]

    async def sms_record(self, sms_id: str) -> SmsRow | None:
        row = (await self.conn.execute(select(*_SMS_COLUMNS).select_from(_SMS_FROM)
                                       .where(m.c.sms_id == sms_id))).first()
        return _sms(row) if row is not None else None

    async def sms_days(self, where: StatsFilter) -> list[DayCount]:
        source = (m.join(apps, apps.c.id == m.c.app_id).join(enterprises, enterprises.c.id == apps.c.enterprise_id)
                  .outerjoin(numbers, numbers.c.number == m.c.x_number))
        group = group_column(where.by, m.c.app_id, numbers.c.area_code)
        day = beijing_day_of(m.c.received_at_ms).label("day")
        query = (select(day, group, func.count().label("sms"), func.sum(m.c.segments).label("segments"))
                 .select_from(source)
                 .where(m.c.received_at_ms >= where.window.from_ms, m.c.received_at_ms < where.window.to_ms,
                        m.c.send_result == int(SendResult.SENT), *stats_scope(where, m.c.app_id))
                 .group_by(day, *grouped(where.by, group)))
        return [DayCount(int(r.day), r.grp or "", sms=int(r.sms), sms_segments=int(r.segments or 0))
                for r in (await self.conn.execute(query)).all()]
