"""Stopping a call: ``POST /rest/httpsessions/callStop/v2.0`` with ``{"sessionid": …, "signal": "call_stop"}``."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import JSONResponse

from privnum.domain.apps import App
from privnum.domain.result_codes import Refused, ResultCode
from privnum.entrypoints.api.authentication import authenticated_app
from privnum.entrypoints.api.deps import CallControlDep
from privnum.entrypoints.api.wire import parse_body, success
from privnum.huawei.fields import WireModel

URI = "/rest/httpsessions/callStop/v2.0"
router = APIRouter(tags=["Call control"])


class CallStopBody(WireModel):
    sessionid: str
    signal: str


@router.post(URI, summary="Stop a call in progress")
async def call_stop(request: Request, control: CallControlDep, app: App = Depends(authenticated_app)) -> JSONResponse:
    try:
        body = await parse_body(request, CallStopBody)
    except Refused as refusal:
        raise Refused(ResultCode.PARAMETER_ERROR, refusal.detail, refusal.field) from None
    if body.signal != "call_stop":
        raise Refused(ResultCode.PARAMETER_ERROR, 'signal must be "call_stop"')
    if not await control.stop(body.sessionid, app.id):
        raise Refused(ResultCode.INVALID_SESSION_ID, "no call of this app is in progress with that sessionid")
    return success()
