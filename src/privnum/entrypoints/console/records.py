"""Call records (业务详单) in the console: the filter form and paged table of CDRs (numbers masked, "reveal" for
roles that may, CSV export link), and one call drilled down: binding card, call timeline, pushes with every
delivery attempt, the recording player."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import HTMLResponse

from privnum.domain.access import Actor, Permission
from privnum.domain.management_errors import Invalid
from privnum.domain.records.results import CallResult
from privnum.domain.records.windows import BEIJING, DAY_MS, Window, beijing_day
from privnum.entrypoints.console.i18n import N_
from privnum.entrypoints.console.pages_base import OverviewCard, overview_cards
from privnum.entrypoints.console.paging import DEFAULT_SIZE, Page
from privnum.entrypoints.console.rendering import render
from privnum.entrypoints.console.session import requires
from privnum.entrypoints.mgmt.principal import management_of
from privnum.entrypoints.mgmt.records_views import call_detail_view, cdr_view
from privnum.service.clock import now_ms
from privnum.service.management.records import CdrQuery
from privnum.service.management.records_ports import CdrFilter, PushFilter
from privnum.service.paging import PageRequest

router = APIRouter()
Reader = Annotated[Actor, Depends(requires(Permission.READ))]
FILTERS = ("from", "to", "app_id", "x", "caller", "callee", "result", "session_id")
RESULT_LABELS = {"answered": N_("Answered"), "not_answered": N_("Not answered"), "failed": N_("Failed")}
EVENT_LABELS = {"callin": N_("Call in"), "callout": N_("Forwarded"), "alerting": N_("Ringing"),
                "answer": N_("Answered"), "disconnect": N_("Hung up"), "fee": N_("Call record")}


def beijing_time(ms: int | None) -> str:
    return datetime.fromtimestamp(ms / 1000, BEIJING).strftime("%Y-%m-%d %H:%M:%S") if ms is not None else "–"


def page_number(request: Request) -> int:
    raw = request.query_params.get("page", "1")
    return max(1, int(raw)) if raw.isascii() and raw.isdigit() and len(raw) < 9 else 1


def _query(values: dict[str, str]) -> CdrQuery:
    app_id = values.get("app_id", "").strip()
    if app_id and not (app_id.isascii() and app_id.isdigit() and len(app_id) <= 9):
        raise Invalid("invalid_app", "an app id is a number", field="app_id")
    return CdrQuery(values.get("from") or None, values.get("to") or None, int(app_id) if app_id else None,
                    values.get("x") or None, values.get("caller") or None, values.get("callee") or None,
                    values.get("result") or None, values.get("session_id") or None)


def page_of(request: Request, number: int, size: int, total: int) -> Page:
    """The pager of a page a use case already cut (its number, size and total)."""
    query = tuple((k, v) for k, v in request.query_params.multi_items() if k != "page")
    return Page(number, size, total, request.url.path, query)


@router.get("/records")
async def records_page(request: Request, actor: Reader) -> HTMLResponse:
    values = {k: request.query_params.get(k, "").strip() for k in FILTERS}
    reveal = request.query_params.get("reveal") == "1" and actor.can(Permission.REVEAL_NUMBERS)
    number = page_number(request)
    errors: dict[str, str] = {}
    rows: list[Any] = []
    page = None
    try:
        found = await management_of(request).records.list(actor, _query(values).where(export=False),
                                                          PageRequest(number, DEFAULT_SIZE), reveal=reveal)
        rows = [cdr_view(r) for r in found.items]
        page = page_of(request, found.page, found.per_page, found.total)
    except Invalid as refused:
        errors[refused.field or "from"] = refused.message
    filters = urlencode([(k, v) for k, v in values.items() if v])
    return render(request, "records/list.html", {
        "values": values, "errors": errors, "rows": rows, "page": page, "reveal": reveal,
        "may_reveal": actor.can(Permission.REVEAL_NUMBERS), "filters": filters, "result_labels": RESULT_LABELS,
        "when": beijing_time}, status=422 if errors else 200)


@router.get("/records/{session_id}")
async def record_page(request: Request, actor: Reader, session_id: str) -> HTMLResponse:
    reveal = request.query_params.get("reveal") == "1" and actor.can(Permission.REVEAL_NUMBERS)
    detail = await management_of(request).records.detail(actor, session_id, reveal=reveal)
    view = call_detail_view(detail, f"/mgmt/v1/cdrs/{session_id}/recording")
    return render(request, "records/detail.html", {
        "call": view, "reveal": reveal, "may_reveal": actor.can(Permission.REVEAL_NUMBERS),
        "result_labels": RESULT_LABELS, "event_labels": EVENT_LABELS, "when": beijing_time})


async def records_card(request: Request, actor: Actor) -> OverviewCard | None:
    """The overview's card: today's calls (Beijing day) and answered ones, and undeliverable pushes."""
    if not actor.can(Permission.READ):
        return None
    plane = management_of(request)
    now = now_ms()
    today = Window(beijing_day(now) * DAY_MS - 8 * 3_600_000, now + 1)
    one = PageRequest(1, 1)
    calls = await plane.records.list(actor, CdrFilter(today), one)
    answered = await plane.records.list(actor, CdrFilter(today, result=CallResult.ANSWERED), one)
    dead = await plane.pushes.list(actor, PushFilter(dead_only=True), one)
    return OverviewCard(N_("Today's calls"), "records/_card.html",
                        {"calls": calls.total, "answered": answered.total, "dead": dead.total})


overview_cards.append(records_card)
