"""Number orders (号码订购): place, list, detail (lines, review history), edit or resubmit, cancel, nudge, the
号码表 CSV; the operators issue approved orders from stock."""

from __future__ import annotations

import csv
import io
from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from starlette.responses import Response

from privnum.domain.management_errors import Invalid
from privnum.domain.number_orders import NumberOrder, OrderRequest, OrderState, RequestedLine
from privnum.entrypoints.mgmt.principal import ActorDep, ManagementDep
from privnum.entrypoints.mgmt.views import PageView, ReviewView, page_view, review_view
from privnum.service.paging import PageRequest

router = APIRouter(prefix="/mgmt/v1", tags=["management: number orders"])


class LineBody(BaseModel):
    area_code: str = Field(max_length=8)
    city: str | None = Field(None, max_length=32)
    number_type: str = Field(max_length=16)
    quantity: int


class OrderBody(BaseModel):
    enterprise_id: int
    app_id: int
    lines: list[LineBody] = Field(max_length=1000)
    sms_required: bool = False
    note: str = Field("", max_length=2000)


class LineView(BaseModel):
    area_code: str
    city: str | None
    number_type: str
    requested: int
    issued: int


class OrderView(BaseModel):
    id: int
    tenant_id: int | None
    enterprise_id: int
    enterprise_name: str
    app_id: int
    app_name: str
    state: str
    sms_required: bool
    note: str
    lines: list[LineView]
    requested: int
    issued: int
    created_by: str
    created_at_ms: int
    updated_at_ms: int
    completed_at_ms: int | None


class OrderDetailView(OrderView):
    reviews: list[ReviewView]


def order_view(order: NumberOrder) -> OrderView:
    return OrderView(**_order_fields(order))


def _order_fields(order: NumberOrder) -> dict[str, Any]:
    return {"id": order.id, "tenant_id": order.tenant_id, "enterprise_id": order.enterprise_id,
            "enterprise_name": order.enterprise_name, "app_id": order.app_id, "app_name": order.app_name,
            "state": order.state.value, "sms_required": order.sms_required, "note": order.note,
            "lines": [LineView(area_code=line.area_code, city=line.city, number_type=line.number_type.value,
                               requested=line.quantity, issued=line.issued) for line in order.lines],
            "requested": order.requested, "issued": sum(line.issued for line in order.lines),
            "created_by": order.created_by, "created_at_ms": order.created_at_ms,
            "updated_at_ms": order.updated_at_ms, "completed_at_ms": order.completed_at_ms}


def _request(body: OrderBody) -> OrderRequest:
    return OrderRequest(enterprise_id=body.enterprise_id, app_id=body.app_id, sms_required=body.sms_required,
                        note=body.note, lines=[RequestedLine(line.area_code, line.number_type, line.quantity,
                                                             line.city) for line in body.lines])


def _state(value: str | None) -> OrderState | None:
    if value in (None, "", "all"):
        return None
    try:
        return OrderState(value)
    except ValueError:
        raise Invalid("invalid_state", f"an order state is one of {', '.join(OrderState)} or all",
                      field="state") from None


@router.post("/number-orders", response_model=OrderView, status_code=201)
async def place(body: OrderBody, actor: ActorDep, plane: ManagementDep) -> OrderView:
    """Order numbers for one app of an approved enterprise: it waits for review (pending_review)."""
    return order_view(await plane.number_orders.place(actor, _request(body)))


@router.get("/number-orders", response_model=PageView[OrderView])
async def orders(actor: ActorDep, plane: ManagementDep, state: str | None = Query(None), page: int = Query(1),
                 per_page: int = Query(20)) -> dict[str, Any]:
    found = await plane.number_orders.orders(actor, _state(state), PageRequest(page, per_page))
    return page_view(found, order_view)


@router.get("/number-orders/{order_id}", response_model=OrderDetailView)
async def detail(order_id: int, actor: ActorDep, plane: ManagementDep) -> OrderDetailView:
    found = await plane.number_orders.detail(actor, order_id)
    return OrderDetailView(**_order_fields(found.order), reviews=[review_view(r) for r in found.reviews])


@router.put("/number-orders/{order_id}", response_model=OrderView)
async def edit(order_id: int, body: OrderBody, actor: ActorDep, plane: ManagementDep) -> OrderView:
    """Change a pending order, or change and resubmit a rejected one."""
    return order_view(await plane.number_orders.edit(actor, order_id, _request(body)))


@router.post("/number-orders/{order_id}/cancel", response_model=OrderView)
async def cancel(order_id: int, actor: ActorDep, plane: ManagementDep) -> OrderView:
    return order_view(await plane.number_orders.cancel(actor, order_id))


@router.post("/number-orders/{order_id}/nudge", response_model=ReviewView)
async def nudge(order_id: int, actor: ActorDep, plane: ManagementDep) -> ReviewView:
    """Remind the reviewers (催审), at most once an hour."""
    return review_view(await plane.number_orders.nudge(actor, order_id))


@router.get("/number-orders/{order_id}/numbers.csv")
async def order_numbers(order_id: int, actor: ActorDep, plane: ManagementDep) -> Response:
    """The order's numbers (号码表): number, city, city code (the areaCode of binds), type."""
    found = await plane.number_orders.numbers(actor, order_id)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(("number", "city", "area_code", "type"))
    for n in found:
        writer.writerow((n.number, n.city or "", n.area_code, n.number_type or ""))
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="order-{order_id}-numbers.csv"'})


@router.post("/admin/number-orders/{order_id}/issue", response_model=OrderView)
async def issue(order_id: int, actor: ActorDep, plane: ManagementDep) -> OrderView:
    """Issue an approved order from stock: every line in full, or nothing (409 no_stock)."""
    return order_view(await plane.number_orders.issue(actor, order_id))
