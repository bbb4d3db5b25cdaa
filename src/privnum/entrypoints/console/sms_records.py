"""SMS records (短信详单) in the console: the filter form and paged table of the texts the relay handled (real
numbers masked, "reveal" for roles that may, CSV export link), beside the call records in the records area.
Registered before the call records' router: ``/records/sms`` is not a call's session id."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import HTMLResponse

from privnum.domain.access import Permission
from privnum.domain.management_errors import Invalid
from privnum.domain.sms.results import SendResult
from privnum.entrypoints.console.i18n import N_
from privnum.entrypoints.console.paging import DEFAULT_SIZE
from privnum.entrypoints.console.records import Reader, beijing_time, page_number, page_of
from privnum.entrypoints.console.rendering import render
from privnum.entrypoints.mgmt.principal import management_of
from privnum.entrypoints.mgmt.sms_records_views import sms_record_view
from privnum.service.management.sms_records import SmsQuery
from privnum.service.paging import PageRequest

router = APIRouter()
FILTERS = ("from", "to", "app_id", "x", "sender", "receiver", "send_result")
PENDING = N_("Pending")
SEND_RESULT_LABELS = {
    SendResult.SENT: N_("Sent"),
    SendResult.ACCOUNT_FROZEN: N_("Failed: account frozen"),
    SendResult.NO_BINDING: N_("Failed: no binding"),
    SendResult.NUMBER_SUSPENDED: N_("Failed: privacy number suspended"),
    SendResult.APP_NOT_COMMERCIAL: N_("Failed: app not in service"),
    SendResult.INTERNAL_ERROR: N_("Failed: internal error"),
    SendResult.CUSTOMER_DISCARDED: N_("Failed: the customer discarded it"),
    SendResult.CUSTOMER_TIMED_OUT: N_("Failed: no valid answer from the customer in time"),
    SendResult.BLACKLISTED: N_("Failed: blacklist"),
    SendResult.PARTLY_SENT: N_("Partly sent"),
    SendResult.NOT_SENT: N_("Failed: the carrier did not take it"),
    SendResult.NO_SMS_CAPABILITY: N_("Failed: no SMS on this privacy number"),
    SendResult.MISSING_KEYWORD: N_("Failed: a required keyword is missing"),
    SendResult.FORBIDDEN_WORDS: N_("Failed: forbidden words"),
}
DELIVERY_LABELS = {"buffered": N_("Buffered"), "accepted": N_("Accepted by the carrier"),
                   "delivered": N_("Delivered"), "undelivered": N_("Undelivered"),
                   "rejected": N_("Rejected by the carrier")}


def result_label(code: int | None) -> str:
    """The msgid of a sendResult (Pending while the message is not settled)."""
    if code is None:
        return PENDING
    try:
        return SEND_RESULT_LABELS[SendResult(code)]
    except ValueError:
        return PENDING


def _query(values: dict[str, str]) -> SmsQuery:
    app_id = values.get("app_id", "").strip()
    if app_id and not (app_id.isascii() and app_id.isdigit() and len(app_id) <= 9):
        raise Invalid("invalid_app", "an app id is a number", field="app_id")
    return SmsQuery(values.get("from") or None, values.get("to") or None, int(app_id) if app_id else None,
                    values.get("x") or None, values.get("sender") or None, values.get("receiver") or None,
                    values.get("send_result") or None)


@router.get("/records/sms")
async def sms_records_page(request: Request, actor: Reader) -> HTMLResponse:
    values = {k: request.query_params.get(k, "").strip() for k in FILTERS}
    reveal = request.query_params.get("reveal") == "1" and actor.can(Permission.REVEAL_NUMBERS)
    errors: dict[str, str] = {}
    rows: list[Any] = []
    page = None
    try:
        found = await management_of(request).sms_records.list(actor, _query(values).where(export=False),
                                                              PageRequest(page_number(request), DEFAULT_SIZE),
                                                              reveal=reveal)
        rows = [sms_record_view(r) for r in found.items]
        page = page_of(request, found.page, found.per_page, found.total)
    except Invalid as refused:
        errors[refused.field or "from"] = refused.message
    filters = urlencode([(k, v) for k, v in values.items() if v])
    return render(request, "records/sms_list.html", {
        "values": values, "errors": errors, "rows": rows, "page": page, "reveal": reveal,
        "may_reveal": actor.can(Permission.REVEAL_NUMBERS), "filters": filters,
        "result_labels": {int(code): label for code, label in SEND_RESULT_LABELS.items()},
        "result_label": result_label, "delivery_labels": DELIVERY_LABELS, "when": beijing_time},
        status=422 if errors else 200)
