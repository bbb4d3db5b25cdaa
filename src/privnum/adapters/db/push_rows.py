"""The push outbox as people see it (management API, console, ``privnum pushes``): pushes with their app and
tenant, one push with its body and every delivery attempt, and the replay of a dead-lettered push with the
same push id. A row mixin of the management transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update

from privnum.adapters.db.database import Conn
from privnum.adapters.db.tables import apps, enterprises, push_attempts, pushes
from privnum.domain.pushes import PushState
from privnum.service.management.records_ports import PushFilter, PushRecord
from privnum.service.paging import Page, PageRequest
from privnum.service.ports import PushAttempt, PushRow

_FROM = pushes.outerjoin(apps, apps.c.id == pushes.c.app_id).outerjoin(
    enterprises, enterprises.c.id == apps.c.enterprise_id)
_COLUMNS = (pushes.c.id, pushes.c.push_id, apps.c.app_key, pushes.c.kind, pushes.c.url, pushes.c.state,
            pushes.c.attempts, pushes.c.next_attempt_at_ms, pushes.c.lease_until_ms, pushes.c.batch_id,
            pushes.c.created_at_ms, pushes.c.delivered_at_ms, pushes.c.last_error)


def push_record(row: Any, *, with_body: bool = False) -> PushRecord:
    return PushRecord(PushRow(*(row[i] for i in range(len(_COLUMNS)))), int(row.app_id), row.tenant_id,
                      row.body if with_body else None)


def push_select(*, with_body: bool = False) -> Any:
    extra = (pushes.c.app_id, enterprises.c.tenant_id) + ((pushes.c.body,) if with_body else ())
    return select(*_COLUMNS, *extra).select_from(_FROM)


class PushRows:
    conn: Conn

    async def pushes(self, where: PushFilter, page: PageRequest) -> Page[PushRecord]:
        conditions = []
        if where.tenant_id is not None:
            conditions.append(enterprises.c.tenant_id == where.tenant_id)
        if where.dead_only:
            conditions.append(pushes.c.state == PushState.DEAD.value)
        if where.app_id is not None:
            conditions.append(pushes.c.app_id == where.app_id)
        if where.app_key is not None:
            conditions.append(apps.c.app_key == where.app_key)
        if where.kind is not None:
            conditions.append(pushes.c.kind == where.kind)
        total = (await self.conn.execute(select(func.count()).select_from(_FROM).where(*conditions))).scalar_one()
        rows = (await self.conn.execute(push_select().where(*conditions).order_by(pushes.c.id.desc())
                                        .limit(page.per_page).offset(page.offset))).all()
        return Page([push_record(r) for r in rows], total, page.page, page.per_page)

    async def push(self, ref: str) -> PushRecord | None:
        row = None
        if ref.isdigit() and len(ref) < 18:
            row = (await self.conn.execute(push_select(with_body=True).where(pushes.c.id == int(ref)))).first()
        if row is None:
            row = (await self.conn.execute(push_select(with_body=True).where(pushes.c.push_id == ref))).first()
        return push_record(row, with_body=True) if row is not None else None

    async def push_attempts(self, row_ids: list[int]) -> dict[int, list[PushAttempt]]:
        found: dict[int, list[PushAttempt]] = {i: [] for i in row_ids}
        if not row_ids:
            return found
        rows = (await self.conn.execute(select(push_attempts).where(push_attempts.c.push_row_id.in_(row_ids))
                                        .order_by(push_attempts.c.id))).all()
        for r in rows:
            found[int(r.push_row_id)].append(PushAttempt(int(r.at_ms), int(r.http_status), r.error,
                                                         int(r.elapsed_ms)))
        return found

    async def replay_push(self, row_id: int, now_ms: int) -> bool:
        replayed = await self.conn.execute(
            update(pushes).where(pushes.c.id == row_id, pushes.c.state == PushState.DEAD.value)
            .values(state=PushState.PENDING.value, attempts=0, next_attempt_at_ms=now_ms, lease_until_ms=None))
        return bool(replayed.rowcount)
