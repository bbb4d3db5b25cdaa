"""AXYB mode over HTTP: ``/rest/omp/xyrelationnumber/v1.0?app_key=…`` (POST bind in two steps, DELETE, GET)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import JSONResponse

from privnum.domain.apps import App
from privnum.domain.lifetimes import check_duration
from privnum.domain.modes import Mode
from privnum.domain.result_codes import Refused, ResultCode, invalid
from privnum.entrypoints.api.authentication import app_in_mode
from privnum.entrypoints.api.axyb_schemas import (
    AX_OPTIONS,
    AXYB_DEFAULT_DURATION_S,
    LIST_LIMIT,
    AppKeyParam,
    AxybBindBody,
    AxybQueryParams,
    AxybUnbindQuery,
    xy_relation_infos,
)
from privnum.entrypoints.api.deps import Provisioning
from privnum.entrypoints.api.wire import parse_body, parse_query, success
from privnum.huawei.option_names import to_domain
from privnum.service.provisioning import axyb

URI = "/rest/omp/xyrelationnumber/v1.0"
router = APIRouter(tags=["AXYB"])


async def _axyb_app(request: Request) -> App:
    """The authenticated AXYB app; the ``app_key`` URL parameter is required and must be its APP_Key."""
    app = await app_in_mode(Mode.AXYB)(request)
    given = request.query_params.get("app_key")
    if not given:
        raise invalid("app_key", "the app_key URL parameter is required")
    if given != app.app_key:
        raise Refused(ResultCode.INVALID_APP_KEY, "the app_key URL parameter differs from the X-AKSK Username")
    return app


axyb_app = Depends(_axyb_app)


@router.post(URI, summary="CreateAXYBBinding (AX step, then YB step with subscriptionId)")
async def bind(request: Request, store: Provisioning, app: App = axyb_app) -> JSONResponse:
    parse_query(request, AppKeyParam)
    body = await parse_body(request, AxybBindBody)
    yb_duration = check_duration(body.ybDuration, "ybDuration") if body.ybDuration is not None else None
    if body.subscriptionId is None:
        if body.areaCode is None:
            raise invalid("areaCode", "is required for the AX step")
        duration = check_duration(body.duration) if body.duration is not None else AXYB_DEFAULT_DURATION_S
        if yb_duration and duration and yb_duration > duration:
            yb_duration = duration
        binding = await axyb.bind_ax(store, app, axyb.AxRelation(
            user=body.origNum, area_code=body.areaCode, non_strict=body.areaMatchMode == "1", duration_s=duration,
            yb_duration_s=yb_duration or 0, options=to_domain(body.given(), AX_OPTIONS)))
        return success(subscriptionId=binding.id, relationNumber=binding.number)
    options = to_domain(body.given(), ("preVoiceY",))
    relation = await axyb.bind_yb(store, app, axyb.YbRelation(
        parent_id=body.subscriptionId, user=body.origNum, area_code=body.areaCode,
        non_strict=body.areaMatchMode == "1", yb_duration_s=yb_duration, options=options))
    return success(subscriptionId=relation.parent_id, relationNumber=relation.number)


@router.delete(URI, summary="Unbind AXYB (all, or one YB relation by yNum / bNum)")
async def unbind(request: Request, store: Provisioning, app: App = axyb_app) -> JSONResponse:
    params = parse_query(request, AxybUnbindQuery)
    await axyb.unbind(store, app, params.subscriptionId, params.yNum,
                      params.bNum)
    return success()


@router.get(URI, summary="QueryAXYBBinding")
async def query(request: Request, store: Provisioning, app: App = axyb_app) -> JSONResponse:
    params = parse_query(request, AxybQueryParams)
    if params.subscriptionId is None and params.relationNum is None:
        raise invalid("subscriptionId", "subscriptionId or relationNum is required")
    found = await axyb.query(store, app, params.subscriptionId,
                             None if params.subscriptionId else params.relationNum)
    infos = [info for parent, children in found for info in xy_relation_infos(parent, children)]
    return success(xyRelationNumList=infos[:LIST_LIMIT])
