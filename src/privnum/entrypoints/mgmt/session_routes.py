"""Sign in and out (the session cookie and its CSRF token), who am I, change my password."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import Response

from privnum.entrypoints.mgmt.principal import (
    SESSION_COOKIE,
    ActorDep,
    ManagementDep,
    PrincipalDep,
    client_ip,
)
from privnum.entrypoints.mgmt.views import MeView, me_view

router = APIRouter(prefix="/mgmt/v1", tags=["management: session"])


class SignInBody(BaseModel):
    login: str = Field(max_length=64)
    password: str = Field(max_length=256)


class SessionView(BaseModel):
    me: MeView
    csrf_token: str
    expires_at_ms: int


class PasswordBody(BaseModel):
    current_password: str = Field(max_length=256)
    new_password: str = Field(max_length=256)


def set_session_cookie(response: Response, request: Request, token: str, secure: bool) -> None:
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", secure=secure, path="/")


@router.post("/session", response_model=SessionView)
async def sign_in(body: SignInBody, request: Request, response: Response, plane: ManagementDep) -> SessionView:
    """Sign in with login and password: sets the ``privnum_session`` cookie (HttpOnly, SameSite=Lax) and returns
    the CSRF token every mutating request of this session must carry in ``X-CSRF-Token``."""
    grant = await plane.sign_in.login(body.login, body.password, ip=client_ip(request),
                                      user_agent=request.headers.get("user-agent"))
    set_session_cookie(response, request, grant.token, request.app.state.runtime.settings.cookies_secure)
    return SessionView(me=me_view(grant.actor), csrf_token=grant.csrf, expires_at_ms=grant.expires_at_ms)


@router.delete("/session", status_code=204)
async def sign_out(principal: PrincipalDep, plane: ManagementDep) -> Response:
    if principal.session_token:
        await plane.sign_in.logout(principal.session_token, principal.actor)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/me", response_model=MeView)
async def me(actor: ActorDep) -> MeView:
    return me_view(actor)


@router.post("/me/password", status_code=204)
async def change_password(body: PasswordBody, actor: ActorDep, plane: ManagementDep) -> Response:
    """Change my password; every session of mine ends (sign in again)."""
    await plane.users.change_password(actor, body.current_password, body.new_password)
    return Response(status_code=204)
