"""Call records (业务详单): CDRs with filters, one call drilled down, its recording, a CSV export."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query
from starlette.responses import Response, StreamingResponse

from privnum.domain.records.windows import BEIJING
from privnum.entrypoints.mgmt.principal import ActorDep, ManagementDep
from privnum.entrypoints.mgmt.records_views import CallDetailView, CdrView, call_detail_view, cdr_view
from privnum.entrypoints.mgmt.views import PageView, page_view
from privnum.service.management.records import CdrQuery
from privnum.service.management.records_ports import CdrRow
from privnum.service.paging import MAX_PER_PAGE, PageRequest

router = APIRouter(prefix="/mgmt/v1", tags=["management: records"])
MAX_ID = 2**31 - 1
MAX_PAGE = 1_000_000
CSV_COLUMNS = ("session_id", "app_name", "mode", "binding_id", "caller", "x", "callee", "started_at", "answered_at",
               "ended_at", "result", "cause", "talk_seconds", "billed_minutes", "recording")


def _cdr_query(from_: str | None = Query(None, alias="from", max_length=40),
               to: str | None = Query(None, max_length=40),
               app_id: int | None = Query(None, ge=1, le=MAX_ID), x: str | None = Query(None, max_length=32),
               caller: str | None = Query(None, max_length=32), callee: str | None = Query(None, max_length=32),
               result: str | None = Query(None, max_length=16),
               session_id: str | None = Query(None, max_length=128)) -> CdrQuery:
    return CdrQuery(from_, to, app_id, x, caller, callee, result, session_id)


CdrQueryDep = Annotated[CdrQuery, Depends(_cdr_query)]


@router.get("/cdrs", response_model=PageView[CdrView])
async def list_cdrs(actor: ActorDep, plane: ManagementDep, query: CdrQueryDep, reveal: bool = Query(False),
                    page: int = Query(1, ge=1, le=MAX_PAGE),
                    per_page: int = Query(50, ge=1, le=MAX_PER_PAGE)) -> dict[str, Any]:
    """Newest first; the last 31 days unless ``from``/``to`` say otherwise (at most 183 days)."""
    found = await plane.records.list(actor, query.where(export=False), PageRequest(page, per_page), reveal=reveal)
    return page_view(found, cdr_view)


def beijing_text(ms: int | None) -> str:
    return datetime.fromtimestamp(ms / 1000, BEIJING).strftime("%Y-%m-%d %H:%M:%S") if ms is not None else ""


def csv_line(values: list[Any]) -> str:
    out = io.StringIO()
    csv.writer(out).writerow(values)
    return out.getvalue()


async def _csv(rows: AsyncIterator[CdrRow]) -> AsyncIterator[bytes]:
    yield ("\ufeff" + csv_line(list(CSV_COLUMNS))).encode()
    async for row in rows:
        view = cdr_view(row)
        yield csv_line([view.session_id, view.app_name, view.mode, view.binding_id or "", view.caller, view.x,
                         view.callee or "", beijing_text(view.started_at_ms), beijing_text(view.answered_at_ms),
                         beijing_text(view.ended_at_ms), view.result, view.cause, view.talk_seconds,
                         view.billed_minutes, "yes" if view.has_recording else ""]).encode()


@router.get("/cdrs.csv", response_class=StreamingResponse)
async def export_cdrs(actor: ActorDep, plane: ManagementDep, query: CdrQueryDep,
                      reveal: bool = Query(False)) -> StreamingResponse:
    """The same filters as ``/cdrs``, at most 31 days; UTF-8 with a BOM (Excel), times in Beijing time."""
    where = query.where(export=True)
    rows = await plane.records.export(actor, where, reveal=reveal)
    name = f"cdrs-{beijing_text(where.window.from_ms)[:10]}-{beijing_text(where.window.to_ms - 1)[:10]}.csv"
    return StreamingResponse(_csv(rows), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": f'attachment; filename="{name}"',
                                      "Cache-Control": "no-store"})


def recording_url(session_id: str) -> str:
    return f"/mgmt/v1/cdrs/{quote(session_id, safe='@')}/recording"


@router.get("/cdrs/{session_id}", response_model=CallDetailView)
async def show_cdr(actor: ActorDep, plane: ManagementDep, session_id: str,
                   reveal: bool = Query(False)) -> CallDetailView:
    """One call: its CDR, binding, events, every push with every delivery attempt, and its recording."""
    detail = await plane.records.detail(actor, session_id, reveal=reveal)
    return call_detail_view(detail, recording_url(session_id))


@router.get("/cdrs/{session_id}/recording", response_class=Response)
async def play_recording(actor: ActorDep, plane: ManagementDep, session_id: str) -> Response:
    """The call's recording as ``audio/wav`` (404 without one or after retention); audited."""
    file_name, audio = await plane.records.recording(actor, session_id)
    return Response(audio, media_type="audio/wav", headers={"Content-Disposition": f'inline; filename="{file_name}"',
                                                            "Cache-Control": "private, no-store"})
