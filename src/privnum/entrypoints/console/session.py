"""Who is signed in: the session cookie, read the management API's way (``mgmt.principal``), and the
dependencies pages take — ``ActorDep`` (signed in, or a 303 to the login page) and ``requires(permission)``
(else the 403 page). Unsafe methods must carry the session's CSRF token (the form's ``_csrf`` or the
``X-CSRF-Token`` header). The console takes sessions only: a bearer token opens no page."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated
from urllib.parse import quote, urlencode, urlsplit

from fastapi import Depends
from starlette.requests import Request

from privnum.domain.access import Actor, Permission
from privnum.domain.management_errors import Forbidden as RefusedByRole
from privnum.entrypoints.mgmt.principal import SAFE_METHODS, SESSION_COOKIE, check_csrf, principal_of

HOME = "/console"
LOGIN = "/console/login"

class LoginRequired(Exception):
    """No valid session: the page answers with a 303 to the login page, back to ``next`` after it."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class Forbidden(Exception):
    """Signed in, but not allowed (a permission missing, or a bad CSRF token): the 403 page."""


async def signed_in(request: Request) -> Actor | None:
    """The actor of the request's session cookie; kept on ``request.state`` (``actor``, ``csrf``,
    ``session_token``) for the page and its template."""
    if hasattr(request.state, "actor"):
        actor: Actor | None = request.state.actor
        return actor
    request.state.actor = request.state.csrf = request.state.session_token = None
    if request.cookies.get(SESSION_COOKIE):
        principal = await principal_of(request)
        if principal is not None and principal.session_token is not None:
            request.state.principal = principal
            request.state.actor, request.state.csrf = principal.actor, principal.csrf
            request.state.session_token = principal.session_token
    return request.state.actor


async def require_actor(request: Request) -> Actor:
    actor = await signed_in(request)
    if actor is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(target if request.method in SAFE_METHODS else HOME)
    try:
        await check_csrf(request, request.state.principal)
    except RefusedByRole as refused:
        raise Forbidden(refused.message) from None
    return actor


ActorDep = Annotated[Actor, Depends(require_actor)]


def requires(permission: Permission) -> Callable[[Request], Awaitable[Actor]]:
    """A dependency: the signed-in actor, who must hold ``permission``
    (``actor: Annotated[Actor, Depends(requires(Permission.MANAGE_APPS))]``)."""

    async def dependency(request: Request) -> Actor:
        actor = await require_actor(request)
        if not actor.can(permission):
            raise Forbidden(f"needs {permission.value}")
        return actor

    return dependency


def safe_next(raw: str | None) -> str:
    """``raw`` when it is a console path of this site (no scheme, no host, no ``//`` or ``\\``), else HOME;
    characters outside ASCII percent-encoded (it goes into a Location header)."""
    if not raw or not raw.startswith("/") or raw.startswith("//") or "\\" in raw or any(c < " " for c in raw):
        return HOME
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc or not (parts.path == HOME or parts.path.startswith(HOME + "/")):
        return HOME
    return quote(raw, safe="/?&=%#:@!$'()*+,;~-._")


def login_url(next_path: str) -> str:
    return LOGIN if next_path == HOME else f"{LOGIN}?{urlencode({'next': next_path})}"
