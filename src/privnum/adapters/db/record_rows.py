"""CDRs, their bindings and pushes, and the per-day counts behind statistics, for the records pages. A row mixin
of the management transaction. Days are Beijing (UTC+8) days, computed the same way on SQLite and PostgreSQL:
integer division of the shifted millisecond time."""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, and_, case, cast, func, literal, or_, select

from privnum.adapters.db.database import Conn
from privnum.adapters.db.push_rows import push_record, push_select
from privnum.adapters.db.tables import apps, binding_events, bindings, cdrs, enterprises, numbers, pushes
from privnum.domain.calls.causes import Cause
from privnum.domain.pushes import PushKind
from privnum.domain.records.results import CallResult
from privnum.domain.records.statistics import DayCount
from privnum.domain.records.windows import DAY_MS
from privnum.service.management.records_ports import BindingRow, CdrFilter, CdrRow, PushRecord, StatsFilter
from privnum.service.paging import Page, PageRequest

BEIJING_SHIFT_MS = 8 * 3_600_000
_CDR_FROM = cdrs.join(apps, apps.c.id == cdrs.c.app_id).join(enterprises, enterprises.c.id == apps.c.enterprise_id)
_CDR_COLUMNS = (cdrs.c.session_id, cdrs.c.app_id, apps.c.app_key, apps.c.name.label("app_name"),
                enterprises.c.tenant_id, cdrs.c.mode, cdrs.c.binding_id, cdrs.c.direction, cdrs.c.caller,
                cdrs.c.called, cdrs.c.callee, cdrs.c.display, cdrs.c.extension, cdrs.c.area_code,
                cdrs.c.started_at_ms, cdrs.c.forwarded_at_ms, cdrs.c.alerting_at_ms, cdrs.c.answered_at_ms,
                cdrs.c.ended_at_ms, cdrs.c.cause, cdrs.c.q850, cdrs.c.sip_status, cdrs.c.released_by,
                cdrs.c.talk_seconds, cdrs.c.recording_object_name, cdrs.c.user_data, cdrs.c.created_at_ms)
# a CDR push is written in the transaction that stores the CDR: same app, same instant, the session in its body
_CDR_PUSH_SLACK_MS = 1000


def _cdr(row: Any) -> CdrRow:
    return CdrRow(**row._mapping)


def _result_condition(result: CallResult | Cause) -> Any:
    if isinstance(result, CallResult):
        return {CallResult.ANSWERED: cdrs.c.answered_at_ms.is_not(None),
                CallResult.NOT_ANSWERED: and_(cdrs.c.answered_at_ms.is_(None), cdrs.c.forwarded_at_ms.is_not(None)),
                CallResult.FAILED: and_(cdrs.c.answered_at_ms.is_(None), cdrs.c.forwarded_at_ms.is_(None))}[result]
    return cdrs.c.cause == int(result)


def _cdr_conditions(where: CdrFilter) -> list[Any]:
    conditions = [cdrs.c.started_at_ms >= where.window.from_ms, cdrs.c.started_at_ms < where.window.to_ms]
    if where.tenant_id is not None:
        conditions.append(enterprises.c.tenant_id == where.tenant_id)
    if where.app_id is not None:
        conditions.append(cdrs.c.app_id == where.app_id)
    if where.x:
        conditions.append(cdrs.c.called == where.x)
    if where.caller:
        conditions.append(cdrs.c.caller == where.caller)
    if where.callee:
        conditions.append(cdrs.c.callee == where.callee)
    if where.session_id:
        conditions.append(cdrs.c.session_id == where.session_id)
    if where.result is not None:
        conditions.append(_result_condition(where.result))
    return conditions


def beijing_day_of(column: Any) -> Any:
    return (column + BEIJING_SHIFT_MS) // DAY_MS


def stats_scope(where: StatsFilter, app_column: Any) -> list[Any]:
    conditions = []
    if where.tenant_id is not None:
        conditions.append(enterprises.c.tenant_id == where.tenant_id)
    if where.app_id is not None:
        conditions.append(app_column == where.app_id)
    return conditions


class RecordRows:
    conn: Conn

    async def cdrs(self, where: CdrFilter, page: PageRequest) -> Page[CdrRow]:
        conditions = _cdr_conditions(where)
        total = (await self.conn.execute(select(func.count()).select_from(_CDR_FROM).where(*conditions))).scalar_one()
        rows = (await self.conn.execute(select(*_CDR_COLUMNS).select_from(_CDR_FROM).where(*conditions)
                                        .order_by(cdrs.c.started_at_ms.desc(), cdrs.c.session_id.desc())
                                        .limit(page.per_page).offset(page.offset))).all()
        return Page([_cdr(r) for r in rows], total, page.page, page.per_page)

    async def cdrs_after(self, where: CdrFilter, after: tuple[int, str] | None, limit: int) -> list[CdrRow]:
        conditions = _cdr_conditions(where)
        if after is not None:
            started, session = after
            conditions.append(or_(cdrs.c.started_at_ms < started,
                                  and_(cdrs.c.started_at_ms == started, cdrs.c.session_id < session)))
        rows = (await self.conn.execute(select(*_CDR_COLUMNS).select_from(_CDR_FROM).where(*conditions)
                                        .order_by(cdrs.c.started_at_ms.desc(), cdrs.c.session_id.desc())
                                        .limit(limit))).all()
        return [_cdr(r) for r in rows]

    async def cdr(self, session_id: str) -> CdrRow | None:
        row = (await self.conn.execute(select(*_CDR_COLUMNS).select_from(_CDR_FROM)
                                       .where(cdrs.c.session_id == session_id))).first()
        return _cdr(row) if row is not None else None

    async def binding_row(self, binding_id: str) -> BindingRow | None:
        row = (await self.conn.execute(select(bindings).where(bindings.c.id == binding_id))).first()
        if row is None:
            return None
        return BindingRow(row.id, row.mode, row.number, row.party_a, row.party_b, row.extension, row.created_at_ms,
                          row.expires_at_ms)

    async def pushes_of_call(self, cdr: CdrRow) -> list[PushRecord]:
        events = pushes.c.order_key == cdr.session_id
        cdr_push = and_(pushes.c.app_id == cdr.app_id, pushes.c.kind == PushKind.CDR.value,
                        pushes.c.created_at_ms.between(cdr.created_at_ms - _CDR_PUSH_SLACK_MS,
                                                       cdr.created_at_ms + _CDR_PUSH_SLACK_MS),
                        pushes.c.body.contains(f'"sessionId":"{cdr.session_id}"', autoescape=True))
        rows = (await self.conn.execute(push_select(with_body=True).where(or_(events, cdr_push))
                                        .order_by(pushes.c.id))).all()
        found = [push_record(r, with_body=True) for r in rows]
        # a CDR merged into a batch was sent (and retried) as the batch row: show that row too
        batches = {r.row.batch_id for r in found if r.row.batch_id is not None} - {r.row.id for r in found}
        if batches:
            sent = (await self.conn.execute(push_select(with_body=True)
                                            .where(pushes.c.id.in_(batches), pushes.c.app_id == cdr.app_id)
                                            .order_by(pushes.c.id))).all()
            found += [push_record(r, with_body=True) for r in sent]
        return found

    async def call_days(self, where: StatsFilter) -> list[DayCount]:
        group = group_column(where.by, cdrs.c.app_id, cdrs.c.area_code)
        day = beijing_day_of(cdrs.c.started_at_ms).label("day")
        answered = func.count(cdrs.c.answered_at_ms)
        minutes = func.sum((cdrs.c.talk_seconds + 59) // 60)
        query = (select(day, group, func.count().label("calls"), answered.label("answered"), minutes.label("minutes"))
                 .select_from(_CDR_FROM)
                 .where(cdrs.c.started_at_ms >= where.window.from_ms, cdrs.c.started_at_ms < where.window.to_ms,
                        *stats_scope(where, cdrs.c.app_id))
                 .group_by(day, *grouped(where.by, group)))
        return [DayCount(int(r.day), r.grp or "", calls=int(r.calls), answered=int(r.answered or 0),
                         minutes=int(r.minutes or 0)) for r in (await self.conn.execute(query)).all()]

    async def bind_days(self, where: StatsFilter) -> list[DayCount]:
        source = (binding_events.join(apps, apps.c.id == binding_events.c.app_id)
                  .join(enterprises, enterprises.c.id == apps.c.enterprise_id)
                  .outerjoin(numbers, numbers.c.number == binding_events.c.number))
        group = group_column(where.by, binding_events.c.app_id, numbers.c.area_code)
        day = beijing_day_of(binding_events.c.at_ms).label("day")
        binds = func.sum(case((binding_events.c.kind == "bind", 1), else_=0)).label("binds")
        unbinds = func.sum(case((binding_events.c.kind == "unbind", 1), else_=0)).label("unbinds")
        query = (select(day, group, binds, unbinds).select_from(source)
                 .where(binding_events.c.at_ms >= where.window.from_ms, binding_events.c.at_ms < where.window.to_ms,
                        *stats_scope(where, binding_events.c.app_id))
                 .group_by(day, *grouped(where.by, group)))
        return [DayCount(int(r.day), r.grp or "", binds=int(r.binds or 0), unbinds=int(r.unbinds or 0))
                for r in (await self.conn.execute(query)).all()]


def group_column(by: str | None, app_column: Any, city_column: Any) -> Any:
    if by == "app":
        return cast(app_column, String).label("grp")
    if by == "city":
        return func.coalesce(city_column, "").label("grp")
    return literal("").label("grp")


def grouped(by: str | None, group: Any) -> tuple[Any, ...]:
    """The group column to GROUP BY, none when not grouped (PostgreSQL refuses a constant there)."""
    return (group,) if by else ()
