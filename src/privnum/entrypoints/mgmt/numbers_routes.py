"""Numbers: the list (tenants: their apps' numbers; operators: all, stock included) and its CSV, release (退订),
and the operators' lock and unlock."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from starlette.responses import StreamingResponse

from privnum.domain.areas import normalize_area_code
from privnum.domain.management_errors import Invalid
from privnum.domain.number_inventory import NumberType, parse_number_type
from privnum.entrypoints.mgmt.principal import ActorDep, ManagementDep
from privnum.entrypoints.mgmt.views import PageView, page_view
from privnum.service.management.number_ports import NumberFilter
from privnum.service.management.numbers import NumberRow
from privnum.service.paging import PageRequest

router = APIRouter(prefix="/mgmt/v1", tags=["management: numbers"])

CSV_COLUMNS = ("number", "app_id", "app_name", "area_code", "city", "province", "type", "status", "binds_used",
               "binds_remaining", "sms_capable", "issued_at_ms")


class NumberView(BaseModel):
    number: str
    app_id: int | None
    app_name: str | None
    area_code: str
    city: str | None
    province: str | None
    type: str | None
    status: str
    locked: bool
    sms_capable: bool
    binds_used: int
    binds_remaining: int | None
    order_id: int | None
    issued_at_ms: int | None


class ReleaseView(BaseModel):
    number: str
    app_id: int
    released_at_ms: int
    rent_through: str = Field(description="the last month (YYYY-MM) whose rent is owed")


class LockBody(BaseModel):
    reason: str = Field(max_length=200)


def number_view(row: NumberRow) -> NumberView:
    n = row.number
    return NumberView(number=n.number, app_id=n.app_id, app_name=row.listing.app_name, area_code=n.area_code,
                      city=n.city, province=n.province, type=n.number_type, status=n.status, locked=n.locked,
                      sms_capable=n.sms_capable, binds_used=row.used, binds_remaining=row.remaining,
                      order_id=n.order_id, issued_at_ms=n.issued_at_ms)


def number_filter(app_id: int | None, status: str | None, area_code: str | None, number_type: str | None,
                  q: str | None) -> NumberFilter:
    code: str | None = None
    if area_code:
        code = normalize_area_code(area_code)
        if code is None:
            raise Invalid("invalid_area_code", f"{area_code!r} is not a city code such as 0755", field="area_code")
    kind: NumberType | None = None
    if number_type:
        kind = parse_number_type(number_type)
        if kind is None:
            raise Invalid("invalid_number_type", "a number type is carrier or virtual", field="type")
    query = (q or "").strip().lstrip("+") or None
    return NumberFilter(app_id=app_id, status=status or None, area_code=code, number_type=kind, query=query)


@router.get("/numbers", response_model=PageView[NumberView])
async def numbers(actor: ActorDep, plane: ManagementDep, app_id: int | None = Query(None),
                  status: str | None = Query(None), area_code: str | None = Query(None),
                  type: str | None = Query(None), q: str | None = Query(None, max_length=32),
                  page: int = Query(1), per_page: int = Query(20)) -> dict[str, Any]:
    where = number_filter(app_id, status, area_code, type, q)
    return page_view(await plane.numbers.catalog(actor, where, PageRequest(page, per_page)), number_view)


@router.get("/numbers.csv")
async def numbers_csv(actor: ActorDep, plane: ManagementDep, app_id: int | None = Query(None),
                      status: str | None = Query(None), area_code: str | None = Query(None),
                      type: str | None = Query(None), q: str | None = Query(None, max_length=32),
                      ) -> StreamingResponse:
    where = number_filter(app_id, status, area_code, type, q)
    rows = plane.numbers.export(actor, where)
    first = await anext(rows, None)  # refusals (role, filters) surface before the 200 is sent

    async def body() -> AsyncIterator[str]:
        yield _csv_line(CSV_COLUMNS)
        if first is None:
            return
        yield _csv_line(_csv_row(first))
        async for row in rows:
            yield _csv_line(_csv_row(row))

    return StreamingResponse(body(), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": 'attachment; filename="numbers.csv"'})


def _csv_row(row: NumberRow) -> list[object]:
    view = number_view(row)
    return [view.number, view.app_id or "", view.app_name or "", view.area_code, view.city or "",
            view.province or "", view.type or "", view.status, view.binds_used,
            "" if view.binds_remaining is None else view.binds_remaining, "yes" if view.sms_capable else "no",
            view.issued_at_ms or ""]


def _csv_line(cells: Any) -> str:
    out = io.StringIO()
    csv.writer(out).writerow(cells)
    return out.getvalue()


@router.post("/numbers/{number}/release", response_model=ReleaseView)
async def release(number: str, actor: ActorDep, plane: ManagementDep) -> ReleaseView:
    """Release a number of my apps (退订): back to stock; refused while it carries bindings."""
    done = await plane.numbers.release(actor, number)
    return ReleaseView(number=done.number, app_id=done.app_id, released_at_ms=done.released_at_ms,
                       rent_through=done.rent_through)


@router.post("/admin/numbers/{number}/lock", response_model=NumberView)
async def lock(number: str, body: LockBody, actor: ActorDep, plane: ManagementDep) -> NumberView:
    """Quarantine a number from new bindings; existing bindings and calls keep working."""
    return number_view(await plane.numbers.lock(actor, number, body.reason))


@router.post("/admin/numbers/{number}/unlock", response_model=NumberView)
async def unlock(number: str, actor: ActorDep, plane: ManagementDep) -> NumberView:
    return number_view(await plane.numbers.unlock(actor, number))
