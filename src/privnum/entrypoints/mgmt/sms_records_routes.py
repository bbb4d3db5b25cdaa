"""SMS records (短信详单): relayed messages with filters, one message, a CSV export."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from starlette.responses import StreamingResponse

from privnum.entrypoints.mgmt.principal import ActorDep, ManagementDep
from privnum.entrypoints.mgmt.records_routes import MAX_ID, MAX_PAGE, beijing_text, csv_line
from privnum.entrypoints.mgmt.sms_records_views import SmsRecordView, sms_record_view
from privnum.entrypoints.mgmt.views import PageView, page_view
from privnum.service.management.sms_records import SmsQuery
from privnum.service.management.sms_records_ports import SmsRow
from privnum.service.paging import MAX_PER_PAGE, PageRequest

router = APIRouter(prefix="/mgmt/v1", tags=["management: records"])
CSV_COLUMNS = ("sms_id", "app_name", "mode", "binding_id", "sender", "x", "receiver", "from_number", "received_at",
               "segments", "direction", "send_result", "send_result_text", "delivery")


def _sms_query(from_: str | None = Query(None, alias="from", max_length=40),
               to: str | None = Query(None, max_length=40),
               app_id: int | None = Query(None, ge=1, le=MAX_ID), x: str | None = Query(None, max_length=32),
               sender: str | None = Query(None, max_length=32), receiver: str | None = Query(None, max_length=32),
               send_result: str | None = Query(None, max_length=8),
               sms_id: str | None = Query(None, max_length=64)) -> SmsQuery:
    return SmsQuery(from_, to, app_id, x, sender, receiver, send_result, sms_id)


SmsQueryDep = Annotated[SmsQuery, Depends(_sms_query)]


@router.get("/records/sms", response_model=PageView[SmsRecordView])
async def list_sms(actor: ActorDep, plane: ManagementDep, query: SmsQueryDep, reveal: bool = Query(False),
                   page: int = Query(1, ge=1, le=MAX_PAGE),
                   per_page: int = Query(50, ge=1, le=MAX_PER_PAGE)) -> dict[str, Any]:
    """Newest first (by arrival); the last 31 days unless ``from``/``to`` say otherwise (at most 183 days)."""
    found = await plane.sms_records.list(actor, query.where(export=False), PageRequest(page, per_page), reveal=reveal)
    return page_view(found, sms_record_view)


async def _csv(rows: AsyncIterator[SmsRow]) -> AsyncIterator[bytes]:
    yield ("\ufeff" + csv_line(list(CSV_COLUMNS))).encode()
    async for row in rows:
        view = sms_record_view(row)
        yield csv_line([view.sms_id, view.app_name or "", view.mode or "", view.binding_id or "", view.sender,
                        view.x, view.receiver or "", view.from_number or "", beijing_text(view.received_at_ms),
                        view.segments, "" if view.direction is None else view.direction,
                        "" if view.send_result is None else view.send_result, view.send_result_text,
                        view.delivery or ""]).encode()


@router.get("/records/sms.csv", response_class=StreamingResponse)
async def export_sms(actor: ActorDep, plane: ManagementDep, query: SmsQueryDep,
                     reveal: bool = Query(False)) -> StreamingResponse:
    """The same filters as ``/records/sms``, at most 31 days; UTF-8 with a BOM (Excel), times in Beijing time."""
    where = query.where(export=True)
    rows = await plane.sms_records.export(actor, where, reveal=reveal)
    name = f"sms-{beijing_text(where.window.from_ms)[:10]}-{beijing_text(where.window.to_ms - 1)[:10]}.csv"
    return StreamingResponse(_csv(rows), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": f'attachment; filename="{name}"',
                                      "Cache-Control": "no-store"})


@router.get("/records/sms/{sms_id}", response_model=SmsRecordView)
async def show_sms(actor: ActorDep, plane: ManagementDep, sms_id: str, reveal: bool = Query(False)) -> SmsRecordView:
    """One message (404 for another tenant's)."""
    return sms_record_view(await plane.sms_records.detail(actor, sms_id, reveal=reveal))
