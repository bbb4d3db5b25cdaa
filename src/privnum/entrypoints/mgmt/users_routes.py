"""A tenant's users (invite, list, change role or status), invitations, and my API tokens."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from starlette.responses import Response

from privnum.domain.access import Permission
from privnum.domain.management_errors import Invalid
from privnum.entrypoints.mgmt.principal import ActorDep, ManagementDep
from privnum.entrypoints.mgmt.views import PageView, UserView, page_view, user_view
from privnum.service.paging import PageRequest

router = APIRouter(prefix="/mgmt/v1", tags=["management: users and tokens"])


class InviteBody(BaseModel):
    login: str = Field(max_length=64)
    role: str = Field(max_length=32)
    display_name: str = Field("", max_length=64)
    password: str | None = Field(None, max_length=256, description="active at once; else an invitation")
    tenant_id: int | None = Field(None, description="operators: the tenant the user joins")


class InvitedView(BaseModel):
    user: UserView
    invitation_token: str | None = Field(None, description="shown once: /console/invite/<token>")
    invitation_url: str | None = None


class UserChanges(BaseModel):
    role: str | None = Field(None, max_length=32)
    status: str | None = Field(None, max_length=16)
    display_name: str | None = Field(None, max_length=64)
    locale: str | None = Field(None, max_length=8)


class AcceptBody(BaseModel):
    password: str = Field(max_length=256)


class TokenBody(BaseModel):
    name: str = Field(max_length=64)
    days: int = Field(90, description="valid for this many days (1-366)")
    scopes: list[str] | None = Field(None, description="permissions (default: all of the user's)")


class TokenView(BaseModel):
    id: int
    name: str
    prefix: str
    scopes: list[str]
    created_at_ms: int
    expires_at_ms: int
    last_used_at_ms: int | None
    revoked: bool


class IssuedTokenView(TokenView):
    token: str = Field(description="shown once; send as Authorization: Bearer <token>")


def _token_view(token: Any) -> dict[str, Any]:
    return {"id": token.id, "name": token.name, "prefix": token.prefix, "scopes": sorted(p.value for p in token.scopes),
            "created_at_ms": token.created_at_ms, "expires_at_ms": token.expires_at_ms,
            "last_used_at_ms": token.last_used_at_ms, "revoked": token.revoked_at_ms is not None}


@router.get("/users", response_model=PageView[UserView])
async def list_users(actor: ActorDep, plane: ManagementDep, page: int = Query(1), per_page: int = Query(20),
                     tenant_id: int | None = Query(None)) -> dict[str, Any]:
    found = await plane.users.list(actor, PageRequest(page, per_page), tenant_id=tenant_id)
    return page_view(found, user_view)


@router.post("/users", response_model=InvitedView, status_code=201)
async def invite_user(body: InviteBody, actor: ActorDep, plane: ManagementDep) -> InvitedView:
    user, invitation = await plane.users.invite(actor, body.login, body.role, tenant_id=body.tenant_id,
                                                display_name=body.display_name, password=body.password)
    token = invitation.token if invitation else None
    return InvitedView(user=user_view(user), invitation_token=token,
                       invitation_url=f"/console/invite/{token}" if token else None)


@router.patch("/users/{user_id}", response_model=UserView)
async def change_user(user_id: int, body: UserChanges, actor: ActorDep, plane: ManagementDep) -> UserView:
    return user_view(await plane.users.change(actor, user_id, role=body.role, status=body.status,
                                              display_name=body.display_name, locale=body.locale))


@router.post("/invitations/{token}/accept", response_model=UserView)
async def accept_invitation(token: str, body: AcceptBody, plane: ManagementDep) -> UserView:
    """Choose a password for an invitation (no sign-in needed: the token is the proof); then sign in."""
    return user_view(await plane.users.accept_invitation(token, body.password))


@router.get("/tokens", response_model=list[TokenView])
async def list_tokens(actor: ActorDep, plane: ManagementDep) -> list[dict[str, Any]]:
    return [_token_view(t) for t in await plane.sign_in.tokens(actor)]


@router.post("/tokens", response_model=IssuedTokenView, status_code=201)
async def create_token(body: TokenBody, actor: ActorDep, plane: ManagementDep) -> dict[str, Any]:
    scopes = None
    if body.scopes is not None:
        unknown = [s for s in body.scopes if s not in Permission._value2member_map_]
        if unknown:
            raise Invalid("invalid_scope", f"unknown scopes {', '.join(unknown)}", field="scopes")
        scopes = frozenset(Permission(s) for s in body.scopes)
    issued = await plane.sign_in.issue_token(actor, body.name, scopes, body.days)
    return {**_token_view(issued.token), "token": issued.secret}


@router.delete("/tokens/{token_id}", status_code=204)
async def revoke_token(token_id: int, actor: ActorDep, plane: ManagementDep) -> Response:
    await plane.sign_in.revoke_token(actor, token_id)
    return Response(status_code=204)
