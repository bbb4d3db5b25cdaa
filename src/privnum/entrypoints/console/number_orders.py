"""Number-order pages (号码订购): the list with states, the new-order form (a line per city code and type, more
lines added by htmx, at most 100), the detail (lines, review reasons, cancel, nudge, 号码表 download) and, for
operators, issuing an approved order from stock."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from privnum.domain.access import Actor, Permission
from privnum.domain.management_errors import Invalid, ManagementError
from privnum.domain.number_orders import MAX_LINES, OrderRequest, OrderState, RequestedLine
from privnum.entrypoints.console.i18n import N_
from privnum.entrypoints.console.number_labels import REFUSALS
from privnum.entrypoints.console.paging import Page
from privnum.entrypoints.console.rendering import conflict_status, redirect_with_notice, render
from privnum.entrypoints.console.session import requires
from privnum.entrypoints.mgmt.principal import management_of
from privnum.service.paging import PageRequest

router = APIRouter()
Reader = Annotated[Actor, Depends(requires(Permission.READ))]
Orderer = Annotated[Actor, Depends(requires(Permission.ORDER_NUMBERS))]
Issuer = Annotated[Actor, Depends(requires(Permission.ISSUE_ORDERS))]
EMPTY_LINE = {"area_code": "", "city": "", "number_type": "virtual", "quantity": "1"}


def _state(raw: str | None) -> OrderState | None:
    try:
        return OrderState(raw) if raw else None
    except ValueError:
        return None


async def _list(request: Request, actor: Actor, template_path: str) -> Response:
    plane = management_of(request)
    state = _state(request.query_params.get("state"))
    first = await plane.number_orders.orders(actor, state, PageRequest(1, 1))
    page = Page.of(request, first.total)
    found = await plane.number_orders.orders(actor, state, PageRequest(page.number, page.size))
    can_order = actor.can(Permission.ORDER_NUMBERS) and not actor.is_operator
    return render(request, "orders/list.html", {"orders": found.items, "page": page,
                                                "state": state.value if state else "", "states": list(OrderState),
                                                "base": template_path,
                                                "can_order": can_order})


@router.get("/orders")
async def orders(request: Request, actor: Reader) -> Response:
    return await _list(request, actor, "/console/orders")


@router.get("/admin/orders")
async def admin_orders(request: Request, actor: Issuer) -> Response:
    return await _list(request, actor, "/console/admin/orders")


def _form_page(request: Request, apps: list[Any], values: dict[str, Any], status: int = 200,
               errors: dict[str, str] | None = None, alert: str | None = None) -> Response:
    return render(request, "orders/new.html", {"apps": apps, "values": values, "errors": errors or {},
                                               "alert": alert, "max_lines": MAX_LINES}, status=status)


@router.get("/orders/new")
async def new_order(request: Request, actor: Orderer) -> Response:
    apps = await management_of(request).number_orders.orderable_apps(actor)
    return _form_page(request, apps, {"app_id": "", "sms_required": False, "note": "", "lines": [EMPTY_LINE]})


@router.get("/orders/new/line")
async def new_line(request: Request, actor: Orderer) -> Response:
    """One more line for the form (htmx); none past the 100th."""
    count = len(request.query_params.getlist("quantity"))
    if count >= MAX_LINES:
        return render(request, "orders/_line_limit.html", {"max_lines": MAX_LINES})
    return render(request, "orders/_line.html", {"line": EMPTY_LINE, "index": count, "errors": {}})


def _values(form: FormData) -> dict[str, Any]:
    fields = ("area_code", "city", "number_type", "quantity")
    columns = [[str(v) for v in form.getlist(name)] for name in fields]
    lines = [dict(zip(fields, row, strict=True)) for row in zip(*columns, strict=False)]
    return {"app_id": str(form.get("app_id") or ""), "sms_required": form.get("sms_required") == "1",
            "note": str(form.get("note") or ""), "lines": lines}


def _quantity(raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        return 0


@router.post("/orders/new")
async def place_order(request: Request, actor: Orderer) -> Response:
    plane = management_of(request)
    apps = await plane.number_orders.orderable_apps(actor)
    values = _values(await request.form())
    chosen = next((a for a in apps if str(a.app_id) == values["app_id"]), None)
    if chosen is None:
        return _form_page(request, apps, values, 422, {"app_id": N_("Choose the app the numbers are for.")})
    lines = [RequestedLine(line["area_code"], line["number_type"], _quantity(line["quantity"]), line["city"])
             for line in values["lines"] if line["area_code"].strip() or line["city"].strip()]  # blank rows left out
    try:
        placed = await plane.number_orders.place(actor, OrderRequest(chosen.enterprise_id, chosen.app_id, lines,
                                                                     values["sms_required"], values["note"]))
    except Invalid as refused:
        field = refused.field or "form"
        message = REFUSALS.get(refused.code, refused.message)
        return _form_page(request, apps, values, 422, {field: message}, None if refused.field else message)
    return redirect_with_notice(f"/console/orders/{placed.id}", N_("Your order was submitted for review."))


async def _detail(request: Request, actor: Actor, order_id: int, status: int = 200,
                  alert: str | None = None) -> Response:
    found = await management_of(request).number_orders.detail(actor, order_id)
    return render(request, "orders/detail.html", {"order": found.order, "reviews": found.reviews, "alert": alert,
                                                  "can_issue": actor.can(Permission.ISSUE_ORDERS),
                                                  "can_order": actor.can(Permission.ORDER_NUMBERS)}, status=status)


@router.get("/orders/{order_id}")
async def order_detail(request: Request, order_id: int, actor: Reader) -> Response:
    return await _detail(request, actor, order_id)


async def _act(request: Request, actor: Actor, order_id: int, action: str, notice: str) -> Response:
    orders_ = management_of(request).number_orders
    try:
        await getattr(orders_, action)(actor, order_id)
    except ManagementError as refused:
        if refused.code == "not_found":
            raise
        return await _detail(request, actor, order_id, conflict_status(request),
                             REFUSALS.get(refused.code, refused.message))
    return redirect_with_notice(f"/console/orders/{order_id}", notice)


@router.post("/orders/{order_id}/cancel")
async def cancel_order(request: Request, order_id: int, actor: Orderer) -> Response:
    return await _act(request, actor, order_id, "cancel", N_("The order was cancelled."))


@router.post("/orders/{order_id}/nudge")
async def nudge_order(request: Request, order_id: int, actor: Orderer) -> Response:
    return await _act(request, actor, order_id, "nudge", N_("The reviewers were reminded."))


@router.post("/orders/{order_id}/issue")
async def issue_order(request: Request, order_id: int, actor: Issuer) -> Response:
    return await _act(request, actor, order_id, "issue", N_("The numbers were issued."))
