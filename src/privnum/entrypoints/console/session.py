"""Who is signed in: the session cookie read through the access use cases, and the dependencies pages
take — ``ActorDep`` (signed in, or a 303 to the login page) and ``requires(permission)`` (else the 403 page).
Unsafe methods must carry the session's CSRF token (the form's ``_csrf`` or the ``X-CSRF-Token`` header)."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Protocol
from urllib.parse import urlencode, urlsplit

from fastapi import Depends
from starlette.requests import Request

from privnum.entrypoints.api.deps import runtime_of

SESSION_COOKIE = "privnum_session"
CSRF_FIELD = "_csrf"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
HOME = "/console"
LOGIN = "/console/login"


class Actor(Protocol):
    """What the console reads of a signed-in person (the access layer's ``Actor``)."""

    @property
    def login(self) -> str: ...

    @property
    def display_name(self) -> str: ...

    @property
    def locale(self) -> str | None: ...

    @property
    def is_operator(self) -> bool: ...

    def can(self, permission: str) -> bool: ...


class LoginRequired(Exception):
    """No valid session: the page answers with a 303 to the login page, back to ``next`` after it."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class Forbidden(Exception):
    """Signed in, but not allowed (a permission missing, or a bad CSRF token): the 403 page."""


def access_of(request: Request) -> Any:
    return getattr(runtime_of(request), "access", None)


async def signed_in(request: Request) -> Actor | None:
    """The actor of the request's session cookie (also kept on ``request.state`` with its CSRF token)."""
    if hasattr(request.state, "actor"):
        actor: Actor | None = request.state.actor
        return actor
    request.state.actor, request.state.csrf = None, None
    token = request.cookies.get(SESSION_COOKIE)
    access = access_of(request)
    if token and access is not None:
        found = await access.session_actor(token)
        if found is not None:
            request.state.actor, request.state.csrf = found
    return request.state.actor


async def csrf_matches(request: Request, expected: str | None) -> bool:
    if not expected:
        return False
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        value = (await request.form()).get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    return sent is not None and secrets.compare_digest(sent.encode(), expected.encode())


async def require_actor(request: Request) -> Actor:
    actor = await signed_in(request)
    if actor is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(target if request.method in SAFE_METHODS else HOME)
    if request.method not in SAFE_METHODS and not await csrf_matches(request, request.state.csrf):
        raise Forbidden("the CSRF token is missing or wrong")
    return actor


ActorDep = Annotated[Actor, Depends(require_actor)]


def requires(permission: str) -> Callable[[Request], Awaitable[Actor]]:
    """A dependency: the signed-in actor, who must hold ``permission``
    (``actor: Annotated[Actor, Depends(requires("apps.read"))]``)."""

    async def dependency(request: Request) -> Actor:
        actor = await require_actor(request)
        if not actor.can(permission):
            raise Forbidden(f"needs {permission}")
        return actor

    return dependency


def safe_next(raw: str | None) -> str:
    """``raw`` when it is a console path of this site (no scheme, no host, no ``//`` or ``\\``), else HOME."""
    if not raw or not raw.startswith("/") or raw.startswith("//") or "\\" in raw or any(c < " " for c in raw):
        return HOME
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc or not (parts.path == HOME or parts.path.startswith(HOME + "/")):
        return HOME
    return raw


def login_url(next_path: str) -> str:
    return LOGIN if next_path == HOME else f"{LOGIN}?{urlencode({'next': next_path})}"
