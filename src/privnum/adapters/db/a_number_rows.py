"""``a_numbers`` rows (A numbers on file) and ``a_number_photos`` (their live photos), inside a management
transaction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import IntegrityError

from privnum.adapters.db.database import Conn
from privnum.adapters.db.tables import a_number_photos, a_numbers
from privnum.domain.a_numbers import ANumber, NumberType, PhotoFile, Registration, ReportStatus
from privnum.service.management.a_number_ports import ANumberFilter, NewPhoto, PhotoFilter
from privnum.service.paging import Page, PageRequest


def a_number_from_row(row: Any) -> ANumber:
    return ANumber(id=row.id, tenant_id=row.tenant_id, number=row.number, number_type=NumberType(row.number_type),
                   name=row.name, identity_card_masked=row.identity_card_masked,
                   live_face_image=row.live_face_image, operator_number=row.operator_number,
                   report_status=ReportStatus(row.report_status), fail_reason=row.fail_reason,
                   created_at_ms=row.created_at_ms, updated_at_ms=row.updated_at_ms, created_by=row.created_by)


def photo_from_row(row: Any) -> PhotoFile:
    return PhotoFile(name=row.name, content_type=row.content_type, size_bytes=row.size_bytes,
                     created_at_ms=row.created_at_ms)


async def _inserted(conn: Conn, statement: Any, values: Any) -> bool:
    savepoint = await conn.begin_nested()
    try:
        await conn.execute(statement, values)
    except IntegrityError:  # a unique constraint: another request took it a moment ago
        await savepoint.rollback()
        return False
    await savepoint.commit()
    return True


class ANumberRows:
    conn: Conn

    async def insert_a_numbers(self, tenant_id: int, registrations: Sequence[Registration], created_by: str,
                               now_ms: int) -> list[ANumber] | None:
        values = [{"tenant_id": tenant_id, "number": r.number, "number_type": r.number_type.value, "name": r.name,
                   "identity_card_masked": r.identity_card_masked, "live_face_image": r.live_face_image,
                   "operator_number": r.operator_number, "report_status": ReportStatus.REPORTED.value,
                   "fail_reason": None, "created_at_ms": now_ms, "updated_at_ms": now_ms,
                   "created_by": created_by} for r in registrations]
        if not await _inserted(self.conn, insert(a_numbers), values):
            return None
        by_number = {a.number: a for a in await self.a_numbers_of(tenant_id, [r.number for r in registrations])}
        return [by_number[r.number] for r in registrations]

    async def a_number(self, a_number_id: int) -> ANumber | None:
        row = (await self.conn.execute(select(a_numbers).where(a_numbers.c.id == a_number_id))).first()
        return a_number_from_row(row) if row else None

    async def a_numbers_of(self, tenant_id: int, numbers: Sequence[str]) -> list[ANumber]:
        rows = (await self.conn.execute(select(a_numbers).where(
            a_numbers.c.tenant_id == tenant_id, a_numbers.c.number.in_(list(numbers))))).all()
        return [a_number_from_row(r) for r in rows]

    async def delete_a_numbers(self, tenant_id: int, numbers: Sequence[str]) -> int:
        done = await self.conn.execute(delete(a_numbers).where(
            a_numbers.c.tenant_id == tenant_id, a_numbers.c.number.in_(list(numbers))))
        return int(done.rowcount or 0)

    async def a_numbers(self, where: ANumberFilter, page: PageRequest) -> Page[ANumber]:
        conditions = []
        if where.tenant_id is not None:
            conditions.append(a_numbers.c.tenant_id == where.tenant_id)
        if where.numbers:
            conditions.append(a_numbers.c.number.in_(list(where.numbers)))
        if where.report_status is not None:
            conditions.append(a_numbers.c.report_status == where.report_status.value)
        total = (await self.conn.execute(select(func.count()).select_from(a_numbers).where(*conditions))).scalar_one()
        rows = (await self.conn.execute(select(a_numbers).where(*conditions).order_by(a_numbers.c.id.desc())
                                        .limit(page.per_page).offset(page.offset))).all()
        return Page([a_number_from_row(r) for r in rows], total, page.page, page.per_page)

    async def insert_photo(self, tenant_id: int, photo: NewPhoto, created_by: str, now_ms: int) -> bool:
        return await _inserted(self.conn, insert(a_number_photos), {
            "tenant_id": tenant_id, "name": photo.name, "content_type": photo.content_type,
            "size_bytes": len(photo.content), "sha256": photo.sha256, "data": photo.content,
            "created_at_ms": now_ms, "created_by": created_by})

    async def photo_names(self, tenant_id: int, names: Sequence[str]) -> set[str]:
        rows = (await self.conn.execute(select(a_number_photos.c.name).where(
            a_number_photos.c.tenant_id == tenant_id, a_number_photos.c.name.in_(list(names))))).all()
        return {r.name for r in rows}

    async def photos(self, where: PhotoFilter, page: PageRequest) -> Page[PhotoFile]:
        conditions = [a_number_photos.c.tenant_id == where.tenant_id]
        if where.name is not None:
            conditions.append(a_number_photos.c.name == where.name)
        if where.since_ms is not None:
            conditions.append(a_number_photos.c.created_at_ms >= where.since_ms)
        if where.until_ms is not None:
            conditions.append(a_number_photos.c.created_at_ms <= where.until_ms)
        columns = [a_number_photos.c[c] for c in ("name", "content_type", "size_bytes", "created_at_ms")]
        total = (await self.conn.execute(select(func.count()).select_from(a_number_photos)
                                         .where(*conditions))).scalar_one()
        rows = (await self.conn.execute(select(*columns).where(*conditions)
                                        .order_by(a_number_photos.c.id.desc())
                                        .limit(page.per_page).offset(page.offset))).all()
        return Page([photo_from_row(r) for r in rows], total, page.page, page.per_page)
