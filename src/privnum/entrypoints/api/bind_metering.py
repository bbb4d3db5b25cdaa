"""Counts every bind request's answer by mode and Huawei ``resultcode`` (``privnum_binds_total``), whatever
answered it: the use case, the signature check, the schema, or a crash. An ASGI wrapper that reads the
``resultcode`` of the JSON answer (a few hundred bytes) and lets every other request through untouched."""

from __future__ import annotations

import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from privnum.domain.modes import Mode
from privnum.domain.result_codes import ResultCode
from privnum.entrypoints.api import ax_router, axb_router, axe_router, axyb_router
from privnum.service.metrics import Meter

BIND_URIS = {axb_router.URI: Mode.AXB.value, ax_router.URI: Mode.AX.value, axe_router.URI: Mode.AXE.value,
             axyb_router.URI: Mode.AXYB.value}
_RESULT_CODE = re.compile(rb'"resultcode"\s*:\s*"([^"]{1,16})"')
UNREADABLE = "unknown"  # an answer without a resultcode (not expected; counted so it shows)


class BindMetering:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        mode = BIND_URIS.get(scope["path"]) if scope["type"] == "http" and scope["method"] == "POST" else None
        if mode is None:
            await self.app(scope, receive, send)
            return
        meter: Meter = scope["app"].state.runtime.meter
        counted = False

        async def send_counting(message: Message) -> None:
            nonlocal counted
            if message["type"] == "http.response.body" and not counted:
                counted = True
                found = _RESULT_CODE.search(message.get("body", b""))
                meter.bind_answered(mode, found.group(1).decode("ascii", "replace") if found else UNREADABLE)
            await send(message)

        try:
            await self.app(scope, receive, send_counting)
        except Exception:
            if not counted:
                meter.bind_answered(mode, ResultCode.INTERNAL_ERROR.code)
            raise
