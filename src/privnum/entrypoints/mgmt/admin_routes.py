"""The operators' side of access: tenants (with their first account admin) and the operators themselves."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from privnum.domain.access import Permission, check_role
from privnum.domain.management_errors import Forbidden
from privnum.entrypoints.mgmt.principal import ActorDep, ManagementDep
from privnum.entrypoints.mgmt.views import PageView, TenantView, UserView, page_view, tenant_view, user_view
from privnum.service.paging import PageRequest

router = APIRouter(prefix="/mgmt/v1/admin", tags=["management: operators"])


class TenantBody(BaseModel):
    name: str = Field(max_length=64)
    admin_login: str = Field(max_length=64)
    admin_password: str | None = Field(None, max_length=256, description="else the admin gets an invitation")


class CreatedTenant(BaseModel):
    tenant: TenantView
    admin: UserView
    invitation_token: str | None = None
    invitation_url: str | None = None


class OperatorBody(BaseModel):
    login: str = Field(max_length=64)
    password: str = Field(max_length=256)
    role: str = Field("platform_admin", max_length=32)
    display_name: str = Field("", max_length=64)


@router.get("/tenants", response_model=PageView[TenantView])
async def tenants(actor: ActorDep, plane: ManagementDep, page: int = Query(1), per_page: int = Query(20)
                  ) -> dict[str, Any]:
    return page_view(await plane.users.tenants(actor, PageRequest(page, per_page)), tenant_view)


@router.post("/tenants", response_model=CreatedTenant, status_code=201)
async def create_tenant(body: TenantBody, actor: ActorDep, plane: ManagementDep) -> CreatedTenant:
    tenant, admin, invitation = await plane.users.create_tenant(actor, body.name, body.admin_login,
                                                                body.admin_password)
    token = invitation.token if invitation else None
    return CreatedTenant(tenant=tenant_view(tenant), admin=user_view(admin), invitation_token=token,
                         invitation_url=f"/console/invite/{token}" if token else None)


@router.get("/operators", response_model=PageView[UserView])
async def operators(actor: ActorDep, plane: ManagementDep, page: int = Query(1), per_page: int = Query(20)
                    ) -> dict[str, Any]:
    if not actor.is_operator:
        raise Forbidden("only operators see the operators")
    return page_view(await plane.users.list(actor, PageRequest(page, per_page), operators=True), user_view)


@router.post("/operators", response_model=UserView, status_code=201)
async def create_operator(body: OperatorBody, actor: ActorDep, plane: ManagementDep) -> UserView:
    actor.require(Permission.MANAGE_USERS)
    role = check_role(body.role, tenant=False)
    return user_view(await plane.users.create_operator(actor, body.login, body.password, role, body.display_name))
