"""The benchmark's honest ceiling: ``POST /bench/v1/signed-noop`` authenticates like a bind (the same AKSK
check, the nonce recorded once) and reads the body, then answers Huawei's success and does nothing else.
Mounted only with ``PRIVNUM_BENCH_ROUTES=1`` (bench/bind_throughput.py)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import JSONResponse

from privnum.domain.apps import App
from privnum.entrypoints.api.authentication import authenticated_app
from privnum.entrypoints.api.wire import success

URI = "/bench/v1/signed-noop"
router = APIRouter(tags=["Benchmark"], include_in_schema=False)


@router.post(URI)
async def signed_noop(request: Request, app: App = Depends(authenticated_app)) -> JSONResponse:
    await request.body()
    return success()
