"""Signing in and out: ``GET/POST /console/login``, ``POST /console/logout``.

The login form is protected by a double-submit token (there is no session yet): a random value in a
cookie scoped to the login path and the same value in the form. Errors are msgids, translated by the page."""

from __future__ import annotations

import math
import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Form
from starlette.requests import Request
from starlette.responses import Response

from privnum.domain.management_errors import Throttled, Unauthenticated
from privnum.entrypoints.api.deps import runtime_of
from privnum.entrypoints.console.i18n import N_
from privnum.entrypoints.console.rendering import redirect_with_notice, render
from privnum.entrypoints.console.session import LOGIN, SESSION_COOKIE, ActorDep, safe_next, signed_in
from privnum.entrypoints.mgmt.principal import client_ip, management_of
from privnum.entrypoints.mgmt.session_routes import set_session_cookie

router = APIRouter()

LOGIN_CSRF_COOKIE = "privnum_login_csrf"
MAX_FIELD = 256


def _secure_cookies(request: Request) -> bool:
    return runtime_of(request).settings.cookies_secure


def _login_page(request: Request, next_path: str, status: int = 200, login: str = "",
                errors: dict[str, str] | None = None, alert: str | None = None,
                alert_vars: dict[str, Any] | None = None) -> Response:
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(24)
    response = render(request, "login.html", {"login_csrf": token, "next": next_path, "login": login,
                                              "errors": errors or {}, "alert": alert,
                                              "alert_vars": alert_vars or {}}, status=status)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, path=LOGIN, httponly=True, samesite="strict",
                        secure=_secure_cookies(request))
    return response


@router.get("/login")
async def login_form(request: Request, next: str | None = None) -> Response:
    target = safe_next(next)
    if await signed_in(request) is not None:
        return redirect_with_notice(target)
    return _login_page(request, target)


@router.post("/login")
async def login_submit(request: Request, login: Annotated[str, Form(max_length=MAX_FIELD)] = "",
                       password: Annotated[str, Form(max_length=MAX_FIELD)] = "",
                       csrf: Annotated[str, Form(alias="_csrf", max_length=MAX_FIELD)] = "",
                       next: Annotated[str, Form(max_length=2048)] = "") -> Response:
    target = safe_next(next)
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not secrets.compare_digest(csrf.encode(), expected.encode()):
        return _login_page(request, target, 400, login,
                           alert=N_("This form has expired. Please sign in again."))
    errors = {}
    if not login.strip():
        errors["login"] = N_("Enter your login name.")
    if not password:
        errors["password"] = N_("Enter your password.")
    if errors:
        return _login_page(request, target, 422, login, errors)
    try:
        grant = await management_of(request).sign_in.login(login.strip(), password, ip=client_ip(request),
                                                           user_agent=request.headers.get("user-agent"))
    except Unauthenticated:
        return _login_page(request, target, 401, login, {"password": N_("Wrong login name or password.")})
    except Throttled as throttled:
        minutes = max(1, math.ceil(throttled.retry_after_s / 60))
        return _login_page(request, target, 429, login,
                           alert=N_("Too many failed sign-ins. Try again in %(minutes)s minutes."),
                           alert_vars={"minutes": minutes})
    response = redirect_with_notice(target)
    set_session_cookie(response, request, grant.token, _secure_cookies(request))
    response.delete_cookie(LOGIN_CSRF_COOKIE, path=LOGIN)
    return response


@router.post("/logout")
async def logout(request: Request, actor: ActorDep) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        await management_of(request).sign_in.logout(token, actor)
    response = redirect_with_notice(LOGIN, N_("You have signed out."))
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
