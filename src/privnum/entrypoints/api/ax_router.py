"""AX mode over HTTP: ``/rest/provision/caas/privatenumber/v1.0`` and the temporary callee
``/rest/caas/privatenumber/calleenumber/v1.0``."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import JSONResponse

from privnum.domain.apps import App
from privnum.domain.lifetimes import TEMP_CALLEE_DEFAULT_S, check_max_call_minutes, check_temp_callee_seconds
from privnum.domain.modes import Mode
from privnum.domain.result_codes import invalid
from privnum.entrypoints.api.authentication import app_in_mode
from privnum.entrypoints.api.ax_schemas import (
    OPTIONS,
    AxBindBody,
    AxModifyBody,
    AxQueryParams,
    AxUnbindQuery,
    TemporaryCalleeBody,
    private_num_info,
)
from privnum.entrypoints.api.deps import Provisioning
from privnum.entrypoints.api.wire import parse_body, parse_query, success
from privnum.huawei.option_names import to_domain
from privnum.service.provisioning import ax

URI = "/rest/provision/caas/privatenumber/v1.0"
CALLEE_URI = "/rest/caas/privatenumber/calleenumber/v1.0"
router = APIRouter(tags=["AX"])
ax_app = Depends(app_in_mode(Mode.AX))


def _options(body: AxBindBody | AxModifyBody) -> dict:
    if body.maxDuration is not None:
        check_max_call_minutes(body.maxDuration)
    return to_domain(body.given(), OPTIONS)


@router.post(URI, summary="CreateAXBinding")
async def bind(request: Request, store: Provisioning, app: App = ax_app) -> JSONResponse:
    body = await parse_body(request, AxBindBody)
    if body.privateNum is None and body.areaCode is None:
        raise invalid("privateNum", "privateNum or areaCode is required")
    binding = await ax.bind(store, app, ax.AxBind(
        user=body.origNum, number=body.privateNum, area_code=None if body.privateNum else body.areaCode,
        non_strict=body.areaMatchMode == "1", options=_options(body)))
    return success(origNum=binding.party_a, privateNum=binding.number, subscriptionId=binding.id)


@router.delete(URI, summary="Unbind AX")
async def unbind(request: Request, store: Provisioning, app: App = ax_app) -> JSONResponse:
    params = parse_query(request, AxUnbindQuery)
    if params.subscriptionId is None and params.privateNum is None:
        raise invalid("privateNum", "subscriptionId or privateNum is required")
    await ax.unbind(store, app,
                    ax.AxTarget(binding_id=params.subscriptionId, number=params.privateNum))
    return success()


@router.put(URI, summary="ModifyAXBinding")
async def modify(request: Request, store: Provisioning, app: App = ax_app) -> JSONResponse:
    body = await parse_body(request, AxModifyBody)
    if body.subscriptionId is None and body.privateNum is None:
        raise invalid("subscriptionId", "subscriptionId or privateNum is required")
    await ax.modify(store, app,
                    ax.AxTarget(binding_id=body.subscriptionId, number=body.privateNum), body.origNum, _options(body))
    return success()


@router.get(URI, summary="QueryAXBinding")
async def query(request: Request, store: Provisioning, app: App = ax_app) -> JSONResponse:
    params = parse_query(request, AxQueryParams)
    if params.subscriptionId is None and params.origNum is None and params.privateNum is None:
        raise invalid("subscriptionId", "one of subscriptionId, origNum or privateNum is required")
    found = await ax.query(store, app,
                           ax.AxTarget(binding_id=params.subscriptionId, user=params.origNum,
                                       number=params.privateNum))
    return success(privateNumList=[private_num_info(b) for b in found])


@router.put(CALLEE_URI, summary="SetAXTemporaryCallee")
async def set_temporary_callee(request: Request, store: Provisioning, app: App = ax_app) -> JSONResponse:
    body = await parse_body(request, TemporaryCalleeBody)
    if body.subscriptionId is None and body.privateNum is None:
        raise invalid("subscriptionId", "subscriptionId or privateNum is required")
    duration = check_temp_callee_seconds(body.duration) if body.duration is not None else TEMP_CALLEE_DEFAULT_S
    await ax.set_temporary_callee(store, app,
                                  ax.AxTarget(binding_id=body.subscriptionId, number=body.privateNum),
                                  body.calleeNum, duration, body.userData)
    return success()
