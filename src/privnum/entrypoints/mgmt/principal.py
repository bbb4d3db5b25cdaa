"""Who is calling: a bearer API token, or the session cookie (whose mutating requests must carry the session's
CSRF token, in the ``X-CSRF-Token`` header or a ``_csrf`` form field). The console reads the session the
same way."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends
from starlette.requests import Request

from privnum.bootstrap import ManagementPlane
from privnum.domain.access import Actor
from privnum.domain.management_errors import Forbidden, Unauthenticated

SESSION_COOKIE = "privnum_session"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "_csrf"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Principal:
    actor: Actor
    csrf: str | None  # None for bearer tokens (no cookie, nothing to forge)
    session_token: str | None


def management_of(request: Request) -> ManagementPlane:
    plane: ManagementPlane = request.app.state.runtime.management
    return plane


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def principal_of(request: Request) -> Principal | None:
    """The caller, or None when neither a valid bearer token nor a valid session comes with the request."""
    plane = management_of(request)
    ip = client_ip(request)
    authorization = request.headers.get("authorization", "")
    if authorization[:7].lower() == "bearer ":
        actor = await plane.sign_in.token_actor(authorization[7:].strip(), ip)
        return Principal(actor, None, None) if actor is not None else None
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    found = await plane.sign_in.session_actor(token, ip)
    if found is None:
        return None
    actor, csrf = found
    return Principal(actor, csrf, token)


async def csrf_sent(request: Request) -> str:
    sent = request.headers.get(CSRF_HEADER)
    if sent:
        return sent
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        return value if isinstance(value, str) else ""
    return ""


async def check_csrf(request: Request, principal: Principal) -> None:
    """A cookie-authenticated request that changes something must prove it comes from our own pages."""
    if principal.csrf is None or request.method in SAFE_METHODS:
        return
    if not hmac.compare_digest((await csrf_sent(request)).encode(), principal.csrf.encode()):
        raise Forbidden("missing or wrong CSRF token; reload the page and try again")


async def _signed_in(request: Request) -> Principal:
    principal = await principal_of(request)
    if principal is None:
        raise Unauthenticated("sign in first: POST /mgmt/v1/session, or send Authorization: Bearer <API token>")
    await check_csrf(request, principal)
    return principal


async def _actor(principal: Annotated[Principal, Depends(_signed_in)]) -> Actor:
    return principal.actor


async def _management(request: Request) -> ManagementPlane:
    return management_of(request)


PrincipalDep = Annotated[Principal, Depends(_signed_in)]
ActorDep = Annotated[Actor, Depends(_actor)]
ManagementDep = Annotated[ManagementPlane, Depends(_management)]
