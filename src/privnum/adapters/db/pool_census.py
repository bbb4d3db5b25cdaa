"""The pool headroom's census: numbers per app and area grouped by open / role / load, and the last hour's
binds and unbinds per app and area (binding_events joined to the number's area)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import and_, case, func, select

from privnum.adapters.db.database import Database
from privnum.adapters.db.tables import apps, binding_events, numbers
from privnum.domain.modes import Mode
from privnum.domain.pool_headroom import AreaPool, PoolSlice
from privnum.domain.private_numbers import NumberRole, NumberState

_OPEN = case((and_(numbers.c.state == NumberState.AVAILABLE.value, numbers.c.locked.is_(False)), 1), else_=0)


def _filters(app_key: str | None, area_code: str | None) -> list[Any]:
    conditions: list[Any] = []
    if app_key is not None:
        conditions.append(apps.c.app_key == app_key)
    if area_code is not None:
        conditions.append(numbers.c.area_code == area_code)
    return conditions


class SqlPoolCensus:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def pools(self, since_ms: int, app_key: str | None, area_code: str | None) -> list[AreaPool]:
        where = _filters(app_key, area_code)
        slices = (select(apps.c.app_key, apps.c.name, apps.c.mode, apps.c.extension_length, numbers.c.area_code,
                         _OPEN.label("open"), numbers.c.role, numbers.c.load, func.count().label("n"))
                  .select_from(numbers.join(apps, apps.c.id == numbers.c.app_id)).where(*where)
                  .group_by(apps.c.app_key, apps.c.name, apps.c.mode, apps.c.extension_length, numbers.c.area_code,
                            _OPEN, numbers.c.role, numbers.c.load))
        events = (select(apps.c.app_key, numbers.c.area_code, binding_events.c.kind, func.count().label("n"))
                  .select_from(binding_events.join(apps, apps.c.id == binding_events.c.app_id)
                               .join(numbers, numbers.c.number == binding_events.c.number))
                  .where(binding_events.c.at_ms >= since_ms, *where)
                  .group_by(apps.c.app_key, numbers.c.area_code, binding_events.c.kind))
        async with self.db.reading() as conn:
            slice_rows = (await conn.execute(slices)).all()
            event_rows = (await conn.execute(events)).all()
        counts: dict[tuple[str, str, str], int] = {(r.app_key, r.area_code, r.kind): int(r.n) for r in event_rows}
        grouped: dict[tuple[str, str], list[Any]] = defaultdict(list)
        for r in slice_rows:
            grouped[(r.app_key, r.area_code)].append(r)
        return [AreaPool(app_key=key, app_name=rows[0].name, mode=Mode(rows[0].mode),
                         extension_length=rows[0].extension_length, area_code=area,
                         slices=tuple(PoolSlice(open=bool(r.open), role=NumberRole(r.role) if r.role else None,
                                                load=int(r.load), count=int(r.n)) for r in rows),
                         binds_last_hour=counts.get((key, area, "bind"), 0),
                         unbinds_last_hour=counts.get((key, area, "unbind"), 0))
                for (key, area), rows in grouped.items()]
