"""The overview page (``GET /console``) and the error pages (400, 403, 404, 409, 429, 500) in the request's
language, also for use-case refusals a page leaves unhandled.

Areas add cards to the overview by appending to ``overview_cards``: an async function of the request and the
actor that returns an ``OverviewCard`` (or None to show nothing, e.g. without the permission)."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from privnum.domain.management_errors import ManagementError, RefusalKind
from privnum.domain.operator_errors import OperatorError
from privnum.entrypoints.console.i18n import N_
from privnum.entrypoints.console.rendering import redirect_with_notice, render
from privnum.entrypoints.console.session import HOME, Actor, ActorDep, login_url, signed_in

log = logging.getLogger("privnum.console")
router = APIRouter()


@dataclass(frozen=True)
class OverviewCard:
    """A card of the overview: ``template`` (in the area's templates folder) rendered with ``context``."""

    title: str  # msgid
    template: str
    context: Mapping[str, Any] = field(default_factory=dict)


OverviewHook = Callable[[Request, Actor], Awaitable[OverviewCard | None]]
overview_cards: list[OverviewHook] = []


@router.get("")
async def overview(request: Request, actor: ActorDep) -> HTMLResponse:
    cards = [card for hook in overview_cards if (card := await hook(request, actor)) is not None]
    return render(request, "overview.html", {"cards": cards})


REFUSAL_STATUS = {RefusalKind.INVALID: 400, RefusalKind.CONFLICT: 409, RefusalKind.NOT_FOUND: 404,
                  RefusalKind.FORBIDDEN: 403, RefusalKind.THROTTLED: 429, RefusalKind.UNAUTHENTICATED: 401}
ERRORS: dict[int, tuple[str, str]] = {
    400: (N_("Bad request"), N_("The request could not be understood. Check the form and try again.")),
    403: (N_("No permission"), N_("Your account may not open this page. Ask an administrator if you need it.")),
    404: (N_("Page not found"), N_("This page does not exist, or it has moved.")),
    409: (N_("Not possible now"), N_("This cannot be done in the current state. Reload the page to see the latest.")),
    429: (N_("Too many requests"), N_("Please wait a moment and try again.")),
    500: (N_("Something went wrong"),
          N_("The console hit an unexpected error. It has been logged; please try again in a moment.")),
}


async def error_page(request: Request, status: int, detail: str | None = None) -> HTMLResponse:
    """The console's page for ``status`` (4xx unknown here show as 400; 5xx as 500); ``detail``: the refusal's
    own sentence, shown under the page's words."""
    known = status if status in ERRORS else (500 if status >= 500 else 400)
    if known != 500:  # the 500 page must not depend on the database that may have failed
        with contextlib.suppress(Exception):
            await signed_in(request)
    title, message = ERRORS[known]
    return render(request, "error.html", {"status": status, "title": title, "message": message, "detail": detail},
                  status=status)


async def refusal_page(request: Request, error: OperatorError) -> Response:
    """A use case's refusal that the page did not handle itself: the error page of its kind (not signed in:
    the login page)."""
    if not isinstance(error, ManagementError):
        return await error_page(request, 409, str(error))
    if error.kind is RefusalKind.UNAUTHENTICATED:
        return redirect_with_notice(login_url(HOME))
    status = REFUSAL_STATUS[error.kind]
    return await error_page(request, status, error.message if status in (409, 400) else None)
