"""The ASGI application: routers of every mode and result-code error answers, the web console (its own HTML
error pages under /console), security headers; the runtime's lifespan (background work included) is
bootstrap's."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from privnum import __version__
from privnum.bootstrap import Runtime, build_runtime
from privnum.config import Settings
from privnum.domain.operator_errors import OperatorError
from privnum.domain.result_codes import Refused, ResultCode
from privnum.entrypoints.api import (
    a_number_router,
    ax_router,
    axb_router,
    axe_router,
    axyb_router,
    bench_router,
    call_control_router,
    kannel_router,
    metrics_router,
    recording_router,
    sandbox_router,
    sandbox_sms_router,
)
from privnum.entrypoints.api.bind_metering import BindMetering
from privnum.entrypoints.api.field_names import wire_names_for
from privnum.entrypoints.api.openapi_docs import install as install_openapi
from privnum.entrypoints.api.sandbox_errors import sandbox_validation_json
from privnum.entrypoints.api.wire import refusal_response
from privnum.entrypoints.console import router as console
from privnum.entrypoints.mgmt.errors import http_json, refusal_json, validation_json
from privnum.entrypoints.mgmt.router import AREAS as MANAGEMENT_AREAS
from privnum.entrypoints.security_headers import SecurityHeaders, add_security_headers

log = logging.getLogger("privnum.api")
SANDBOX_PREFIX = "/sandbox/"
MANAGEMENT_PREFIX = "/mgmt/"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings.from_env()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime: Runtime = build_runtime(settings)
        app.state.runtime = runtime
        await runtime.start()
        try:
            yield
        finally:
            await runtime.close()

    app = FastAPI(title="privnum", version=__version__, lifespan=lifespan,
                  description="Huawei Cloud PrivateNumber-compatible privacy-number API")
    for module in (axb_router, ax_router, axe_router, axyb_router, recording_router, call_control_router,
                   a_number_router, sandbox_router, sandbox_sms_router, kannel_router, metrics_router):
        app.include_router(module.router)
    if settings.bench_routes:
        app.include_router(bench_router.router)
    for area in MANAGEMENT_AREAS:
        app.include_router(area)
    console.install(app)
    install_openapi(app)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(BindMetering)

    @app.exception_handler(OperatorError)
    async def _management_refusal(request: Request, error: OperatorError) -> Response:
        if console.is_console(request):
            return await console.refusal_page(request, error)
        return refusal_json(error)

    @app.exception_handler(Refused)
    async def _refused(request: Request, refusal: Refused) -> JSONResponse:
        return refusal_response(refusal.renamed(wire_names_for(request.url.path)))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> Response:
        if console.is_console(request):
            return await console.error_page(request, 400)
        if request.url.path.startswith(MANAGEMENT_PREFIX):
            return validation_json(error)
        if request.url.path.startswith(SANDBOX_PREFIX):
            return sandbox_validation_json(error.errors())
        first = error.errors()[0] if error.errors() else {"loc": ("request",), "msg": "is malformed"}
        field = ".".join(str(p) for p in first["loc"][1:]) or "request"
        return refusal_response(Refused(ResultCode.INVALID_REQUEST, f"{field}: {first['msg']}"))

    @app.exception_handler(HTTPException)
    async def _http(request: Request, error: HTTPException) -> Response:
        if console.is_console(request):
            return await console.error_page(request, error.status_code)
        if request.url.path.startswith(MANAGEMENT_PREFIX):
            return http_json(error.status_code, error.detail)
        if request.url.path.startswith(SANDBOX_PREFIX):
            return JSONResponse({"detail": error.detail}, status_code=error.status_code)
        if error.status_code == 405:
            return refusal_response(Refused(ResultCode.INVALID_REST_API, "this URI does not take that method"))
        response = refusal_response(Refused(ResultCode.INVALID_REST_API, "no such URI"))
        response.status_code = error.status_code
        return response

    @app.exception_handler(Exception)
    async def _crash(request: Request, error: Exception) -> Response:
        # this answer leaves through Starlette's outermost middleware, past SecurityHeaders
        log.exception("request failed")
        if console.is_console(request):
            return add_security_headers(await console.error_page(request, 500))
        if request.url.path.startswith(MANAGEMENT_PREFIX):
            return add_security_headers(JSONResponse({"code": "internal_error", "message": "something went wrong "
                                                      "on our side; it is logged"}, status_code=500))
        return add_security_headers(refusal_response(Refused(ResultCode.INTERNAL_ERROR)))

    @app.get("/health", include_in_schema=False)
    async def health() -> dict:
        return {"status": "ok", "version": __version__}

    return app
