"""AXE mode over HTTP: ``/rest/caas/extendnumber/v1.0`` (POST bind, DELETE unbind, PUT modify, GET query)
and the cursor query ``/rest/caas/extendnumber/v2.0``."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import JSONResponse

from privnum.domain.apps import App
from privnum.domain.lifetimes import axe_unit_seconds, check_axe_lifetime
from privnum.domain.modes import Mode
from privnum.domain.result_codes import invalid
from privnum.entrypoints.api.authentication import app_in_mode
from privnum.entrypoints.api.axe_schemas import (
    OPTIONS,
    AxeBindBody,
    AxeModifyBody,
    AxeQueryV2Params,
    AxeTargetFields,
    axe_info,
)
from privnum.entrypoints.api.deps import Provisioning
from privnum.entrypoints.api.wire import parse_body, parse_query, success
from privnum.huawei.option_names import to_domain
from privnum.service.provisioning import axe

URI = "/rest/caas/extendnumber/v1.0"
URI_V2 = "/rest/caas/extendnumber/v2.0"
router = APIRouter(tags=["AXE"])
axe_app = Depends(app_in_mode(Mode.AXE))


def _options(body: AxeBindBody | AxeModifyBody) -> dict:
    """The options the request sets (a modify's lifetimes are checked by the use case, in the binding's unit)."""
    if body.callbackTone is not None and body.callbackNum is not None:
        raise invalid("callbackNum", "callbackTone and callbackNum cannot both be set")
    options = to_domain(body.given(), OPTIONS)
    if body.callbackTone is not None:
        options["callback_num"] = None
    if body.callbackNum is not None:
        options["callback_tone"] = None
    return options


def _target(app: App, fields: AxeTargetFields) -> axe.AxeTarget:
    if fields.subscriptionId is None:
        if fields.virtualNum is None or fields.extendNum is None:
            raise invalid("subscriptionId", "subscriptionId, or virtualNum together with extendNum, is required")
        axe.check_extension(app, fields.extendNum)
    return axe.AxeTarget(binding_id=fields.subscriptionId, number=fields.virtualNum, extension=fields.extendNum)


@router.post(URI, summary="CreateAXEBinding")
async def bind(request: Request, store: Provisioning, app: App = axe_app) -> JSONResponse:
    body = await parse_body(request, AxeBindBody)
    if body.extendNum is not None:
        axe.check_extension(app, body.extendNum)
    for field in ("bindExpiredTime", "callbackExpiredTime"):
        value = getattr(body, field)
        if value is not None:
            check_axe_lifetime(value, body.timeUnit, field)
    options = _options(body)
    lifetime = body.bindExpiredTime or 0
    options["bind_expired_time"] = lifetime
    options["time_unit"] = body.timeUnit or "0"
    binding = await axe.bind(store, app, axe.AxeBind(
        user=body.bindNum, number=body.virtualNum, area_code=None if body.virtualNum else body.areaCode,
        non_strict=body.areaMatchMode == "1", extension=body.extendNum,
        lifetime_s=lifetime * axe_unit_seconds(body.timeUnit), options=options))
    return success(subscriptionId=binding.id, virtualNum=binding.number, extendNum=binding.extension)


@router.delete(URI, summary="Unbind AXE")
async def unbind(request: Request, store: Provisioning, app: App = axe_app) -> JSONResponse:
    params = parse_query(request, AxeTargetFields)
    await axe.unbind(store, app, _target(app, params))
    return success()


@router.put(URI, summary="ModifyAXEBinding")
async def modify(request: Request, store: Provisioning, app: App = axe_app) -> JSONResponse:
    body = await parse_body(request, AxeModifyBody)
    changes = _options(body)
    if body.bindExpiredTime is not None:
        changes["bind_expired_time"] = body.bindExpiredTime
    await axe.modify(store, app, _target(app, body), None, changes)
    return success()


@router.get(URI, summary="QueryAXEBinding")
async def query(request: Request, store: Provisioning, app: App = axe_app) -> JSONResponse:
    params = parse_query(request, AxeTargetFields)
    found = await axe.query(store, app, _target(app, params))
    return success(**axe_info(found))


@router.get(URI_V2, summary="QueryAXEBinding (v2.0, cursor)")
async def query_v2(request: Request, store: Provisioning, app: App = axe_app) -> JSONResponse:
    params = parse_query(request, AxeQueryV2Params)
    if params.subscriptionId is not None or (params.virtualNum and params.extendNum):
        found = await axe.query(store, app, _target(app, params))
        return success(axeBindingList=[axe_info(found)])
    if params.virtualNum is None:
        raise invalid("virtualNum", "virtualNum is required for a cursor query")
    offset = int((params.cursor or "0000000000000_0").partition("_")[2])
    if offset > 1_000_000_000:
        raise invalid("cursor", "is past any binding of this number")
    limit = params.page_limit()
    page = await axe.list_on_number(store, app, params.virtualNum, offset,
                                    limit + 1)
    next_cursor = f"{page[limit - 1].created_at_ms:013d}_{offset + limit}" if len(page) > limit else None
    return success(nextCusor=next_cursor, axeBindingList=[axe_info(b) for b in page[:limit]])
