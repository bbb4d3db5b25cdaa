"""The numbers page (号码管理): filters, the paged table (binds used and remaining), the CSV export, and release
(退订) with a confirmation; the table is swapped by htmx."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import Response

from privnum.domain.access import Actor, Permission
from privnum.domain.management_errors import Invalid, ManagementError
from privnum.domain.private_numbers import NUMBER_STATUSES
from privnum.entrypoints.console.i18n import N_
from privnum.entrypoints.console.number_labels import REFUSALS
from privnum.entrypoints.console.paging import Page
from privnum.entrypoints.console.rendering import redirect_with_notice, render
from privnum.entrypoints.console.session import requires
from privnum.entrypoints.mgmt.numbers_routes import number_filter
from privnum.entrypoints.mgmt.principal import management_of
from privnum.service.paging import PageRequest

router = APIRouter()
Reader = Annotated[Actor, Depends(requires(Permission.READ))]
Releaser = Annotated[Actor, Depends(requires(Permission.RELEASE_NUMBERS))]
FILTERS = ("app_id", "status", "area_code", "type", "q")


def _filters(request: Request) -> dict[str, str]:
    return {name: request.query_params.get(name, "").strip() for name in FILTERS}


async def _table(request: Request, actor: Actor, alert: str | None = None, notice: str | None = None) -> dict[str, Any]:
    plane = management_of(request)
    chosen = _filters(request)
    error: str | None = None
    try:
        app_id = int(chosen["app_id"]) if chosen["app_id"] else None
        where = number_filter(app_id, chosen["status"] or None, chosen["area_code"] or None, chosen["type"] or None,
                              chosen["q"] or None)
        first = await plane.numbers.catalog(actor, where, PageRequest(1, 1))
    except (Invalid, ValueError):
        error = N_("Check the filters: a city code such as 0755, a status and a type from the lists.")
        where, first = None, None
    page = Page.of(request, first.total if first else 0)
    if request.method != "GET":  # the table after a release: the list's first page, not the release's URL
        page = Page(1, page.size, page.total, "/console/numbers")
    rows = (await plane.numbers.catalog(actor, where, PageRequest(page.number, page.size))).items if where else []
    export = "/mgmt/v1/numbers.csv?" + urlencode([(k, v) for k, v in chosen.items() if v])
    return {"rows": rows, "page": page, "filters": chosen, "statuses": NUMBER_STATUSES, "filter_error": error,
            "export_url": export, "alert": alert, "notice": notice,
            "can_release": actor.can(Permission.RELEASE_NUMBERS)}


@router.get("/numbers")
async def numbers(request: Request, actor: Reader) -> Response:
    return render(request, "numbers/list.html", await _table(request, actor))


@router.post("/numbers/{number}/release")
async def release(request: Request, number: str, actor: Releaser) -> Response:
    plane = management_of(request)
    try:
        done = await plane.numbers.release(actor, number)
    except ManagementError as refused:
        if refused.code == "not_found":
            raise
        alert = REFUSALS.get(refused.code, refused.message)
        if request.headers.get("hx-request"):
            return render(request, "numbers/_table.html", await _table(request, actor, alert=alert))
        return render(request, "numbers/list.html", await _table(request, actor, alert=alert), status=409)
    if request.headers.get("hx-request"):
        return render(request, "numbers/_table.html", await _table(request, actor, notice=done.number))
    return redirect_with_notice("/console/numbers", N_("The number was released."))
