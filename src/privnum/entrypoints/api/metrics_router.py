"""``GET /metrics``: Prometheus' text format (README "Operations: metrics and logs").

Not for the internet: answered only to callers in ``PRIVNUM_METRICS_ALLOW`` (default loopback), and when
``PRIVNUM_METRICS_TOKEN`` is set only with ``Authorization: Bearer <token>`` too; anyone else gets 403.
"""

from __future__ import annotations

import hmac
import logging

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from privnum.domain.ip_ranges import ip_in_ranges
from privnum.entrypoints.api.deps import runtime_of

log = logging.getLogger("privnum.metrics")
router = APIRouter(include_in_schema=False)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def _allowed(request: Request) -> bool:
    settings = runtime_of(request).settings
    host = request.client.host if request.client else ""
    if not ip_in_ranges(host, settings.metrics_allow):
        return False
    if settings.metrics_token is None:
        return True
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), settings.metrics_token.encode())


@router.get("/metrics")
async def metrics(request: Request) -> Response:
    if not _allowed(request):
        host = request.client.host if request.client else "?"
        log.warning("/metrics refused for %s (not in PRIVNUM_METRICS_ALLOW, or no PRIVNUM_METRICS_TOKEN)", host)
        return PlainTextResponse("forbidden: /metrics is for PRIVNUM_METRICS_ALLOW with PRIVNUM_METRICS_TOKEN\n", 403)
    return Response(await runtime_of(request).metrics.render(), media_type=CONTENT_TYPE)
