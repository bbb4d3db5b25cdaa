"""Number-order rows: an order and its lines (one per city code and type), its state moved by conditional
UPDATEs so two people acting at once cannot both move it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, insert, select, update

from privnum.adapters.db.database import Conn
from privnum.adapters.db.tables import apps, enterprises, number_order_lines, number_orders
from privnum.domain.apps import AppStatus
from privnum.domain.enterprises import EnterpriseStatus
from privnum.domain.modes import Mode
from privnum.domain.number_inventory import NumberType
from privnum.domain.number_orders import NumberOrder, OrderLine, OrderState
from privnum.service.management.number_ports import NewOrder, OrderableApp
from privnum.service.paging import Page, PageRequest

_ORDERS = (select(number_orders, apps.c.name.label("app_name"), enterprises.c.name.label("enterprise_name"))
           .select_from(number_orders.join(apps, apps.c.id == number_orders.c.app_id)
                        .join(enterprises, enterprises.c.id == number_orders.c.enterprise_id)))


def _line_from_row(row: Any) -> OrderLine:
    return OrderLine(area_code=row.area_code, number_type=NumberType(row.number_type), quantity=row.quantity,
                     city=row.city, issued=row.issued)


def _order_from_row(row: Any, lines: Sequence[OrderLine]) -> NumberOrder:
    return NumberOrder(id=row.id, tenant_id=row.tenant_id, enterprise_id=row.enterprise_id, app_id=row.app_id,
                       state=OrderState(row.state), sms_required=bool(row.sms_required), note=row.note,
                       lines=tuple(lines), created_by=row.created_by, created_at_ms=row.created_at_ms,
                       updated_at_ms=row.updated_at_ms, completed_at_ms=row.completed_at_ms,
                       app_name=row.app_name, enterprise_name=row.enterprise_name)


class OrderRows:
    conn: Conn

    async def orderable_apps(self, tenant_id: int | None) -> list[OrderableApp]:
        tenant = enterprises.c.tenant_id.is_(None) if tenant_id is None else enterprises.c.tenant_id == tenant_id
        rows = (await self.conn.execute(
            select(apps.c.id, apps.c.name, apps.c.mode, apps.c.sms_enabled, enterprises.c.id.label("enterprise_id"),
                   enterprises.c.name.label("enterprise_name"))
            .select_from(apps.join(enterprises, enterprises.c.id == apps.c.enterprise_id))
            .where(tenant, enterprises.c.status == EnterpriseStatus.APPROVED.value,
                   apps.c.status == AppStatus.ACTIVE.value)
            .order_by(enterprises.c.name, apps.c.name))).all()
        return [OrderableApp(r.id, r.name, r.enterprise_id, r.enterprise_name, Mode(r.mode), bool(r.sms_enabled))
                for r in rows]

    async def insert_order(self, order: NewOrder, now_ms: int) -> int:
        inserted = await self.conn.execute(insert(number_orders).values(
            tenant_id=order.tenant_id, enterprise_id=order.enterprise_id, app_id=order.app_id,
            state=OrderState.PENDING_REVIEW.value, sms_required=order.sms_required, note=order.note,
            created_by=order.created_by, created_at_ms=now_ms, updated_at_ms=now_ms)
            .returning(number_orders.c.id))
        order_id = int(inserted.scalar_one())
        await self._insert_lines(order_id, order.lines)
        return order_id

    async def _insert_lines(self, order_id: int, lines: tuple[OrderLine, ...]) -> None:
        await self.conn.execute(insert(number_order_lines), [
            {"order_id": order_id, "position": i, "area_code": line.area_code, "city": line.city,
             "number_type": line.number_type.value, "quantity": line.quantity, "issued": 0}
            for i, line in enumerate(lines)])

    async def _lines(self, order_ids: Sequence[int]) -> dict[int, list[OrderLine]]:
        found: dict[int, list[OrderLine]] = {i: [] for i in order_ids}
        if not order_ids:
            return found
        rows = (await self.conn.execute(select(number_order_lines)
                                        .where(number_order_lines.c.order_id.in_(list(order_ids)))
                                        .order_by(number_order_lines.c.order_id, number_order_lines.c.position))).all()
        for row in rows:
            found[row.order_id].append(_line_from_row(row))
        return found

    async def order(self, order_id: int) -> NumberOrder | None:
        row = (await self.conn.execute(_ORDERS.where(number_orders.c.id == order_id))).first()
        if row is None:
            return None
        return _order_from_row(row, (await self._lines([order_id]))[order_id])

    async def orders(self, tenant_id: int | None, state: OrderState | None, page: PageRequest) -> Page[NumberOrder]:
        conditions = []
        if tenant_id is not None:
            conditions.append(number_orders.c.tenant_id == tenant_id)
        if state is not None:
            conditions.append(number_orders.c.state == state.value)
        total = (await self.conn.execute(select(func.count()).select_from(number_orders)
                                         .where(*conditions))).scalar_one()
        rows = (await self.conn.execute(_ORDERS.where(*conditions).order_by(number_orders.c.id.desc())
                                        .limit(page.per_page).offset(page.offset))).all()
        lines = await self._lines([r.id for r in rows])
        return Page([_order_from_row(r, lines[r.id]) for r in rows], total, page.page, page.per_page)

    async def rewrite_order(self, order_id: int, lines: tuple[OrderLine, ...], sms_required: bool, note: str,
                            now_ms: int) -> None:
        await self.conn.execute(update(number_orders).where(number_orders.c.id == order_id)
                                .values(sms_required=sms_required, note=note, updated_at_ms=now_ms))
        await self.conn.execute(delete(number_order_lines).where(number_order_lines.c.order_id == order_id))
        await self._insert_lines(order_id, lines)

    async def move_order(self, order_id: int, from_states: Sequence[OrderState], to: OrderState, now_ms: int) -> bool:
        values: dict[str, Any] = {"state": to.value, "updated_at_ms": now_ms}
        if to is OrderState.COMPLETED:
            values["completed_at_ms"] = now_ms
        done = await self.conn.execute(
            update(number_orders)
            .where(number_orders.c.id == order_id, number_orders.c.state.in_([s.value for s in from_states]))
            .values(**values))
        return bool(done.rowcount == 1)

    async def set_issued(self, order_id: int, area_code: str, number_type: NumberType, issued: int) -> None:
        await self.conn.execute(update(number_order_lines).where(
            number_order_lines.c.order_id == order_id, number_order_lines.c.area_code == area_code,
            number_order_lines.c.number_type == number_type.value).values(issued=issued))
