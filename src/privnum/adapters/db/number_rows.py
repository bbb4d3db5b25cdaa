"""Number rows for the management plane: stock (numbers without an app), the filtered list, release back to
stock, locks, and taking stock for an order — each race settled by one conditional UPDATE."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from privnum.adapters.db.database import Conn
from privnum.adapters.db.provisioning_store import number_from_row
from privnum.adapters.db.tables import apps, enterprises, number_releases, numbers
from privnum.domain.modes import Mode
from privnum.domain.number_inventory import NumberType, StockCount, StockNumber
from privnum.domain.number_releases import NumberRelease
from privnum.domain.private_numbers import NumberState, PrivateNumber
from privnum.service.management.number_ports import NumberFilter, NumberListing
from privnum.service.paging import Page, PageRequest

_AVAILABLE = numbers.c.state == NumberState.AVAILABLE.value
_STATUS: dict[str, Any] = {
    "in_stock": and_(numbers.c.app_id.is_(None), _AVAILABLE, numbers.c.locked.is_(False)),
    "locked": and_(_AVAILABLE, numbers.c.locked.is_(True)),
    "idle": and_(numbers.c.app_id.is_not(None), _AVAILABLE, numbers.c.locked.is_(False), numbers.c.load == 0),
    "bound": and_(numbers.c.app_id.is_not(None), _AVAILABLE, numbers.c.locked.is_(False), numbers.c.load > 0),
    **{s.value: numbers.c.state == s.value for s in NumberState if s is not NumberState.AVAILABLE},
}
_LISTING = (select(numbers, apps.c.name.label("app_name"), apps.c.mode.label("app_mode"),
                   apps.c.extension_length.label("app_extension_length"), enterprises.c.tenant_id.label("tenant_id"))
            .select_from(numbers.outerjoin(apps, apps.c.id == numbers.c.app_id)
                         .outerjoin(enterprises, enterprises.c.id == apps.c.enterprise_id)))


def _listing_from_row(row: Any) -> NumberListing:
    return NumberListing(number=number_from_row(row), tenant_id=row.tenant_id, app_name=row.app_name,
                         app_mode=Mode(row.app_mode) if row.app_mode else None,
                         extension_length=row.app_extension_length or 4)


def _conditions(where: NumberFilter) -> list[Any]:
    conditions: list[Any] = []
    if where.tenant_id is not None:
        conditions.append(enterprises.c.tenant_id == where.tenant_id)
    if where.app_id is not None:
        conditions.append(numbers.c.app_id == where.app_id)
    if where.status is not None:
        conditions.append(_STATUS[where.status])
    if where.area_code is not None:
        conditions.append(numbers.c.area_code == where.area_code)
    if where.number_type is not None:
        conditions.append(numbers.c.number_type == where.number_type.value)
    if where.query:
        conditions.append(numbers.c.number.contains(where.query, autoescape=True))
    return conditions


def _stock(area_code: str, number_type: NumberType, sms_required: bool) -> list[Any]:
    conditions = [numbers.c.app_id.is_(None), numbers.c.area_code == area_code,
                  numbers.c.number_type == number_type.value, _AVAILABLE, numbers.c.locked.is_(False)]
    if sms_required:
        conditions.append(numbers.c.sms_capable.is_(True))
    return conditions


class NumberRows:
    conn: Conn

    async def known_numbers(self, wanted: Sequence[str]) -> set[str]:
        known: set[str] = set()
        for start in range(0, len(wanted), 500):
            chunk = list(wanted[start:start + 500])
            known.update((await self.conn.execute(select(numbers.c.number).where(numbers.c.number.in_(chunk))))
                         .scalars())
        return known

    async def insert_stock(self, stock: Sequence[StockNumber], now_ms: int) -> bool:
        values = [{"number": s.number, "app_id": None, "area_code": s.area_code, "province": s.province,
                   "state": NumberState.AVAILABLE.value, "load": 0, "sms_capable": s.sms_capable,
                   "number_type": s.number_type.value, "city": s.city, "locked": False,
                   "created_at_ms": now_ms, "updated_at_ms": now_ms} for s in stock]
        savepoint = await self.conn.begin_nested()
        try:
            for start in range(0, len(values), 1000):
                await self.conn.execute(insert(numbers), values[start:start + 1000])
        except IntegrityError:
            await savepoint.rollback()
            return False
        await savepoint.commit()
        return True

    async def stock_counts(self) -> list[StockCount]:
        rows = (await self.conn.execute(
            select(numbers.c.area_code, func.coalesce(numbers.c.city, ""), numbers.c.number_type, func.count())
            .where(_STATUS["in_stock"], numbers.c.number_type.is_not(None))
            .group_by(numbers.c.area_code, numbers.c.city, numbers.c.number_type)
            .order_by(numbers.c.area_code, numbers.c.number_type))).all()
        return [StockCount(r[0], r[1], NumberType(r[2]), int(r[3])) for r in rows]

    async def listing(self, where: NumberFilter, page: PageRequest) -> Page[NumberListing]:
        conditions = _conditions(where)
        counted = (select(func.count()).select_from(numbers.outerjoin(apps, apps.c.id == numbers.c.app_id)
                                                    .outerjoin(enterprises, enterprises.c.id == apps.c.enterprise_id))
                   .where(*conditions))
        total = (await self.conn.execute(counted)).scalar_one()
        rows = (await self.conn.execute(_LISTING.where(*conditions).order_by(numbers.c.number)
                                        .limit(page.per_page).offset(page.offset))).all()
        return Page([_listing_from_row(r) for r in rows], total, page.page, page.per_page)

    async def listing_after(self, where: NumberFilter, after: str | None, limit: int) -> list[NumberListing]:
        conditions = _conditions(where)
        if after is not None:
            conditions.append(numbers.c.number > after)
        rows = (await self.conn.execute(_LISTING.where(*conditions).order_by(numbers.c.number).limit(limit))).all()
        return [_listing_from_row(r) for r in rows]

    async def number_listing(self, number: str) -> NumberListing | None:
        row = (await self.conn.execute(_LISTING.where(numbers.c.number == number))).first()
        return _listing_from_row(row) if row else None

    async def return_to_stock(self, number: str, app_id: int, now_ms: int) -> bool:
        done = await self.conn.execute(
            update(numbers).where(numbers.c.number == number, numbers.c.app_id == app_id, numbers.c.load == 0)
            .values(app_id=None, role=None, order_id=None, issued_at_ms=None, released_at_ms=now_ms,
                    updated_at_ms=now_ms))
        return bool(done.rowcount == 1)

    async def insert_release(self, release: NumberRelease, order_id: int | None, released_by: str) -> None:
        await self.conn.execute(insert(number_releases).values(
            number=release.number, app_id=release.app_id, tenant_id=release.tenant_id, order_id=order_id,
            released_at_ms=release.released_at_ms, rent_through=release.rent_through, released_by=released_by))

    async def set_lock(self, number: str, locked: bool, reason: str | None, now_ms: int) -> None:
        await self.conn.execute(update(numbers).where(numbers.c.number == number)
                                .values(locked=locked, lock_reason=reason, updated_at_ms=now_ms))

    async def stock_in(self, area_code: str, number_type: NumberType, sms_required: bool) -> int:
        query = select(func.count()).select_from(numbers).where(*_stock(area_code, number_type, sms_required))
        return int((await self.conn.execute(query)).scalar_one())

    async def stock_candidates(self, area_code: str, number_type: NumberType, sms_required: bool,
                               limit: int) -> list[str]:
        query = (select(numbers.c.number).where(*_stock(area_code, number_type, sms_required))
                 .order_by(numbers.c.number).limit(limit))
        return list((await self.conn.execute(query)).scalars())

    async def take_from_stock(self, number: str, app_id: int, order_id: int, now_ms: int) -> bool:
        done = await self.conn.execute(
            update(numbers).where(numbers.c.number == number, numbers.c.app_id.is_(None),
                                  numbers.c.locked.is_(False), _AVAILABLE)
            .values(app_id=app_id, order_id=order_id, issued_at_ms=now_ms, released_at_ms=None,
                    updated_at_ms=now_ms))
        return bool(done.rowcount == 1)

    async def order_numbers(self, order_id: int) -> list[PrivateNumber]:
        rows = (await self.conn.execute(select(numbers).where(numbers.c.order_id == order_id)
                                        .order_by(numbers.c.area_code, numbers.c.number))).all()
        return [number_from_row(r) for r in rows]
