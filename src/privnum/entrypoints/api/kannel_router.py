"""Kannel's calls into privnum (docs/contract/sms.md, "Kannel"): ``POST /internal/kannel/mo`` (its
``post-url``: a text arrived) and ``GET /internal/kannel/dlr`` (the ``dlr-url`` privnum gave with each text).

Kannel cannot sign: these answer only callers in ``PRIVNUM_KANNEL_ALLOW`` with ``token=PRIVNUM_KANNEL_TOKEN``
(404 when no token is set), never AKSK. A text is recorded before the 200 (Kannel retries anything else, and
drops the text after its last retry); everything else happens later, in the relay's worker.
"""

from __future__ import annotations

import email.message
import hmac
import logging
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import Receive, Scope, Send

from privnum.domain.ip_ranges import ip_in_ranges
from privnum.domain.sms.addressing import global_number
from privnum.domain.sms.message import Delivery
from privnum.entrypoints.api.deps import runtime_of

log = logging.getLogger("privnum.sms")
router = APIRouter(prefix="/internal/kannel", include_in_schema=False)

MAX_BODY = 64 * 1024
DLR_TYPES = {1: Delivery.DELIVERED, 2: Delivery.UNDELIVERED, 4: Delivery.BUFFERED, 8: Delivery.ACCEPTED,
             16: Delivery.REJECTED}
CHARSETS = {"UTF-16BE": "utf-16-be", "UCS-2": "utf-16-be", "UTF-8": "utf-8", "ISO-8859-1": "latin-1",
            "8-BIT": "latin-1", "WINDOWS-1252": "cp1252"}


def _refusal(request: Request) -> Response | None:
    settings = runtime_of(request).settings
    if not settings.kannel_token:
        return PlainTextResponse("not found\n", 404)
    token = request.query_params.get("token", "")
    host = request.client.host if request.client else ""
    allowed = ip_in_ranges(host, (entry.strip() for entry in settings.kannel_allow))
    if not allowed or not hmac.compare_digest(token, settings.kannel_token):
        log.warning("Kannel endpoint refused for %s (address not in PRIVNUM_KANNEL_ALLOW, or wrong token)", host)
        return PlainTextResponse("forbidden: wrong token or address\n", 403)
    return None


def _charset(request: Request) -> str:
    header = request.headers.get("content-type")
    if header:
        parsed = email.message.Message()
        parsed["content-type"] = header  # charset="UTF-8" comes quoted (research pitfall 11)
        found = parsed.get_content_charset()
        if found:
            return found
    return request.query_params.get("charset") or "UTF-8"


@router.post("/mo")
async def mo(request: Request) -> Response:
    refused = _refusal(request)
    if refused is not None:
        return refused
    q = request.query_params
    reference, sender, x = q.get("id", "").strip(), q.get("from", "").strip(), q.get("to", "").strip()
    missing = [name for name, value in (("id", reference), ("from", sender), ("to", x)) if not value]
    if missing:
        return PlainTextResponse(f"missing {', '.join(missing)}: set post-url as in deploy/kannel/kannel.conf\n", 400)
    raw = await request.body()
    if len(raw) > MAX_BODY:
        return PlainTextResponse("text too long\n", 413)
    charset = _charset(request)
    try:
        text = raw.decode(CHARSETS.get(charset.upper(), charset))
    except (LookupError, UnicodeDecodeError):
        return PlainTextResponse(f"the text does not decode as {charset}; set mo-recode = true in smsbox\n", 400)
    if any("\x00" in value for value in (reference, sender, x, text)):  # PostgreSQL cannot keep U+0000
        return PlainTextResponse("id, from, to and the text must not contain U+0000 (NUL)\n", 400)
    await runtime_of(request).sms.arrived("kannel", reference[:128], _global(sender), _global(x), text)
    return Response(status_code=200)


@router.get("/dlr")
async def dlr(request: Request) -> Response:
    refused = _refusal(request)
    if refused is not None:
        return refused
    q = request.query_params
    try:
        delivery = DLR_TYPES[int(q.get("type", ""))]
    except (KeyError, ValueError):
        return PlainTextResponse("type must be 1, 2, 4, 8 or 16\n", 400)
    sms_id = q.get("msg", "")
    if "\x00" in sms_id:  # no message id has one (and PostgreSQL cannot be asked for it)
        log.info("Kannel DLR for an unknown message %r", sms_id)
        return Response(status_code=200)
    if sms_id and not await runtime_of(request).sms.reported(sms_id, delivery, q.get("answer", "")):
        log.info("Kannel DLR for an unknown message %r", sms_id)
    return Response(status_code=200)


def _global(number: str) -> str:
    """Kannel gives numbers as the carrier sent them: +… kept, 00… gets its +, national forms their +86."""
    if number.startswith("00"):
        number = "+" + number[2:]
    return global_number(number) or number


class KannelFastPath:
    """Answers Kannel's two endpoints before FastAPI's middleware stack (half of an MO's cost in privnum was
    that stack, measured with py-spy in bench/sms_relay.py); every other request goes to ``app`` unchanged.
    The same handlers stay mounted on the FastAPI app (``router``) for in-process use."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        handler = _FAST_HANDLERS.get((scope.get("method", ""), scope.get("path", ""))) \
            if scope["type"] == "http" else None
        if handler is None:
            await self.app(scope, receive, send)
            return
        scope["app"] = self.app
        try:
            response = await handler(Request(scope, receive))
        except Exception:
            log.exception("Kannel endpoint %s failed", scope.get("path"))
            response = PlainTextResponse("internal error; Kannel will retry\n", 500)
        await response(scope, receive, send)


_FAST_HANDLERS = {("POST", "/internal/kannel/mo"): mo, ("GET", "/internal/kannel/dlr"): dlr}
