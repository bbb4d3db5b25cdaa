"""AXB mode over HTTP: ``/rest/caas/relationnumber/partners/v1.0`` (POST bind, DELETE unbind, PUT modify, GET query)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import JSONResponse

from privnum.domain.apps import App
from privnum.domain.lifetimes import check_duration, check_max_call_minutes
from privnum.domain.modes import Mode
from privnum.domain.phone_numbers import fixed_line_area_code
from privnum.domain.result_codes import invalid
from privnum.entrypoints.api.authentication import app_in_mode
from privnum.entrypoints.api.axb_schemas import (
    OPTIONS,
    AxbBindBody,
    AxbModifyBody,
    AxbQueryParams,
    AxbUnbindQuery,
    relation_info,
)
from privnum.entrypoints.api.deps import Provisioning
from privnum.entrypoints.api.wire import parse_body, parse_query, success
from privnum.huawei.option_names import to_domain
from privnum.service.provisioning import axb

URI = "/rest/caas/relationnumber/partners/v1.0"
router = APIRouter(tags=["AXB"])
axb_app = Depends(app_in_mode(Mode.AXB))


def _options(body: AxbBindBody | AxbModifyBody) -> dict:
    if body.maxDuration is not None:
        check_max_call_minutes(body.maxDuration)
    return to_domain(body.given(), OPTIONS)


@router.post(URI, summary="CreateAXBBinding")
async def bind(request: Request, store: Provisioning, app: App = axb_app) -> JSONResponse:
    body = await parse_body(request, AxbBindBody)
    duration = check_duration(body.duration) if body.duration is not None else 0
    non_strict = body.areaMatchMode == "1"
    area_code = body.areaCode
    if body.relationNum is None and area_code is None and not non_strict:
        area_code = fixed_line_area_code(body.callerNum)  # a fixed-line A gets an X of its own city
    binding = await axb.bind(store, app, axb.AxbBind(
        caller=body.callerNum, callee=body.calleeNum, number=body.relationNum,
        area_code=None if body.relationNum else area_code, non_strict=non_strict,
        duration_s=duration, options=_options(body)))
    return success(subscriptionId=binding.id, relationNum=binding.number)


@router.delete(URI, summary="Unbind AXB")
async def unbind(request: Request, store: Provisioning, app: App = axb_app) -> JSONResponse:
    params = parse_query(request, AxbUnbindQuery)
    if params.subscriptionId is None and params.relationNum is None:
        raise invalid("subscriptionId", "subscriptionId or relationNum is required")
    await axb.unbind(store, app, params.subscriptionId,
                     None if params.subscriptionId else params.relationNum)
    return success()


@router.put(URI, summary="ModifyAXBBinding")
async def modify(request: Request, store: Provisioning, app: App = axb_app) -> JSONResponse:
    body = await parse_body(request, AxbModifyBody)
    duration = check_duration(body.duration) if body.duration is not None else None
    await axb.modify(store, app, body.subscriptionId, body.callerNum,
                     body.calleeNum, duration, _options(body))
    return success()


@router.get(URI, summary="QueryAXBBinding")
async def query(request: Request, store: Provisioning, app: App = axb_app) -> JSONResponse:
    params = parse_query(request, AxbQueryParams)
    if params.subscriptionId is None and params.relationNum is None:
        raise invalid("subscriptionId", "subscriptionId or relationNum is required")
    page = await axb.query(store, app, params.subscriptionId,
                           params.relationNum, params.callerNum, params.calleeNum, params.pageIndex,
                           params.page_size())
    return success(app_key=app.app_key, totalCount=page.total, pageIndex=page.index, pageSize=page.size,
                   relationNumList=[relation_info(b) for b in page.bindings])
