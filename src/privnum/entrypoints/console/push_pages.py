"""Push records in the console: the pushes of the tenant's apps (dead letters on a filter), each with its
attempts, and the replay of a dead one (the answer replaces the row's action cell)."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from privnum.domain.access import Permission
from privnum.domain.management_errors import ManagementError
from privnum.entrypoints.console.i18n import N_
from privnum.entrypoints.console.paging import DEFAULT_SIZE
from privnum.entrypoints.console.records import EVENT_LABELS, Reader, beijing_time, page_number, page_of
from privnum.entrypoints.console.rendering import redirect_with_notice, render
from privnum.entrypoints.mgmt.principal import management_of
from privnum.entrypoints.mgmt.records_views import push_view
from privnum.service.management.records_ports import PushFilter
from privnum.service.paging import PageRequest

router = APIRouter()
REPLAYED = N_("Sent again from the first attempt.")
KIND_LABELS = {"call_event": N_("Call event"), "cdr": N_("Call record"), "block_callin": N_("Call-in decision"),
               "number_status": N_("Number status"), "sms_event": N_("SMS notification"),
               "block_sms": N_("SMS decision")}


@router.get("/pushes")
async def pushes_page(request: Request, actor: Reader) -> HTMLResponse:
    dead = request.query_params.get("dead") == "1"
    found = await management_of(request).pushes.list(actor, PushFilter(dead_only=dead),
                                                      PageRequest(page_number(request), DEFAULT_SIZE))
    return render(request, "pushes/list.html", {
        "rows": [push_view(r) for r in found.items], "page": page_of(request, found.page, found.per_page, found.total),
        "dead": dead, "may_replay": actor.can(Permission.REPLAY_PUSHES), "kinds": KIND_LABELS, "when": beijing_time,
        "event_labels": EVENT_LABELS})


@router.post("/pushes/{ref}/replay")
async def replay(request: Request, actor: Reader, ref: str) -> Response:
    """htmx: the row's action cell with the outcome; a plain form post: back to the list with a notice."""
    partial = request.headers.get("hx-request") == "true"
    try:
        replayed = await management_of(request).pushes.replay(actor, ref)
    except ManagementError as refused:
        if not partial:
            raise
        return render(request, "pushes/_action.html", {"push_id": ref, "error": refused.message})
    if not partial:
        return redirect_with_notice("/console/pushes", REPLAYED)
    return render(request, "pushes/_action.html", {"push_id": str(replayed.row.id), "replayed": True,
                                                    "notice": REPLAYED})
