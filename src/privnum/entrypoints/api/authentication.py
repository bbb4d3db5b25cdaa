"""The FastAPI dependency that turns Huawei's auth headers into the calling App, or a refusal.

Order: banned IP (1020176) -> header syntax (1023xxx) -> app (1010003/1010008) -> IP allow-list
(1020166) -> clock (1010013) -> digest and nonce (1010010) -> the app's mode (1010040).
Every authentication refusal counts toward the lockout of the client IP.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request

from privnum.domain.apps import App
from privnum.domain.modes import Mode
from privnum.domain.result_codes import Refused, ResultCode
from privnum.entrypoints.api.deps import runtime_of
from privnum.huawei.aksk import read_credentials
from privnum.service import log_context
from privnum.service.authentication import authenticate, counts_toward_lockout
from privnum.service.clock import now_ms


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def authenticated_app(request: Request) -> App:
    runtime = runtime_of(request)
    ip = client_ip(request)
    now = now_ms()
    if await runtime.guard.is_banned(ip, now):
        raise Refused(ResultCode.AUTH_LOCKED_OUT, f"too many failed authentications from {ip}")
    try:
        creds = read_credentials(request.headers)
        return await authenticate(creds, ip, now, runtime.directory, runtime.guard, runtime.policy)
    except Refused as refusal:
        if runtime.settings.lockout_failures > 0 and counts_toward_lockout(refusal):
            await runtime.guard.record_failure(ip, now)
        raise


def app_in_mode(mode: Mode) -> Callable[[Request], Awaitable[App]]:
    """A dependency: the authenticated app, which must be of ``mode`` (else 1010040)."""

    async def dependency(request: Request) -> App:
        app = await authenticated_app(request)
        log_context.about(app_key=app.app_key)  # this request's task: its lines are about this app
        if app.mode is not mode:
            raise Refused(ResultCode.API_NOT_ALLOWED, f"this app is in {app.mode.value} mode, not {mode.value}")
        return app

    return dependency
