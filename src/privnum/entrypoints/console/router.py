"""The console's routes: one router per area, all under ``/console``. Adding an area is its import and one
line in AREAS."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from starlette.requests import Request
from starlette.responses import Response

from privnum.domain.operator_errors import OperatorError
from privnum.entrypoints.console import (
    a_numbers,
    access_pages,
    audit_pages,
    auth_pages,
    billing_pages,
    i18n,
    inventory,
    number_orders,
    numbers,
    pages_base,
    push_pages,
    records,
    sms_records,
    statistics_pages,
    voice_files,
)
from privnum.entrypoints.console.apps import router as app_pages
from privnum.entrypoints.console.enterprises import router as enterprise_pages
from privnum.entrypoints.console.rendering import STATIC_PREFIX, redirect_with_notice, remember_language
from privnum.entrypoints.console.reviews import router as review_pages
from privnum.entrypoints.console.session import Forbidden, LoginRequired, login_url

PREFIX = "/console"
STATIC_DIR = Path(__file__).parent / "static"

AREAS: list[APIRouter] = [
    auth_pages.router,
    pages_base.router,
    enterprise_pages, app_pages, review_pages,
    sms_records.router, records.router,  # /records/sms before /records/{session_id}
    push_pages.router, statistics_pages.router, audit_pages.router,
    a_numbers.router,
    number_orders.router, numbers.router, inventory.router,
    voice_files.router,
    billing_pages.router,
    access_pages.router,
]


def page_paths(areas: list[APIRouter]) -> frozenset[str]:
    """The GET paths the areas serve under PREFIX (an area's router is flat: its own routes, no includes)."""
    return frozenset(PREFIX + route.path for area in areas for route in area.routes
                     if isinstance(route, APIRoute) and "GET" in (route.methods or ()))


def is_console(request: Request) -> bool:
    path = request.url.path
    return path == PREFIX or path.startswith(PREFIX + "/")


async def error_page(request: Request, status: int) -> Response:
    return await pages_base.error_page(request, status)


async def refusal_page(request: Request, error: OperatorError) -> Response:
    return await pages_base.refusal_page(request, error)


def install(app: FastAPI) -> None:
    """Serve the console on ``app``: its routes, ``/console/static``, its redirects and 403 page."""
    i18n.load_all()
    for area in AREAS:
        app.include_router(area, prefix=PREFIX, include_in_schema=False)
    app.state.console_pages = page_paths(AREAS)
    app.mount(STATIC_PREFIX, StaticFiles(directory=STATIC_DIR), name="console-static")

    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, error: LoginRequired) -> Response:
        response = redirect_with_notice(login_url(error.next_path))
        remember_language(request, response)
        return response

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, _error: Forbidden) -> Response:
        return await pages_base.error_page(request, 403)
