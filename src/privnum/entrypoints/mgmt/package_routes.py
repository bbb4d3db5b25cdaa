"""Packages in the management API (billing.md R-9, R-10, R-14): the catalogue (operators add products), a tenant's
packages with what is left, and buying one — a tenant's account admins and billing users for their own tenant,
platform admins for any. Another tenant's account is 404; a purchase refused by the state of the account (no
number, funds short, arrears, another currency) is 409 with its code."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field
from starlette.responses import Response

from privnum.domain.access import Permission
from privnum.domain.billing.packages import Quota
from privnum.entrypoints.mgmt.billing_routes import TENANT, amount_of
from privnum.entrypoints.mgmt.package_views import (
    ProductView,
    PurchaseView,
    TenantPackagesView,
    product_view,
    purchase_view,
    tenant_packages_view,
)
from privnum.entrypoints.mgmt.principal import ActorDep, ManagementDep
from privnum.service.clock import now_ms

router = APIRouter(prefix="/mgmt/v1/billing", tags=["management: billing"])


class QuotaBody(BaseModel):
    meter: str = Field(max_length=32, description="call.forwarded, call.inbound, call.recording, sms.forwarded, …")
    number_class: str | None = Field(None, max_length=16, description="virtual or carrier; none: any class")
    units: int


class ProductBody(BaseModel):
    name: str = Field(max_length=64)
    price: str = Field(max_length=24, description="a decimal, e.g. 38 or 0.5; 0 is a free product")
    quotas: list[QuotaBody] = Field(max_length=16)
    validity_months: int = Field(12, ge=1, le=120)
    currency: str = Field("CNY", max_length=3)


class PurchaseBody(BaseModel):
    product: str = Field(max_length=64, description="the product's name")
    reference: str | None = Field(None, max_length=64, description="a reference given twice buys once")


@router.get("/products", response_model=list[ProductView])
async def products(actor: ActorDep, plane: ManagementDep) -> list[ProductView]:
    """The catalogue of package products."""
    return [product_view(p) for p in await plane.billing.package_desk.products(actor)]


@router.post("/products", response_model=ProductView, status_code=201)
async def add_product(body: ProductBody, actor: ActorDep, plane: ManagementDep) -> ProductView:
    """Operators: a product; its name is used once."""
    actor.require(Permission.MANAGE_BILLING)  # before the body's checks: a tenant user learns 403, not 422
    quotas = [Quota(q.meter, q.number_class, q.units) for q in body.quotas]
    made = await plane.billing.package_desk.add_product(actor, body.name, amount_of(body.price, "price"), quotas,
                                                        body.validity_months, body.currency)
    return product_view(made)


@router.get("/accounts/{tenant_id}/packages", response_model=TenantPackagesView)
async def tenant_packages(actor: ActorDep, plane: ManagementDep, tenant_id: int = TENANT) -> TenantPackagesView:
    """The tenant's packages, earliest expiry first: when each is in force and what is left of each quota."""
    return tenant_packages_view(await plane.billing.package_desk.of_tenant(actor, tenant_id))


@router.post("/accounts/{tenant_id}/packages", response_model=PurchaseView, status_code=201)
async def buy(body: PurchaseBody, response: Response, actor: ActorDep, plane: ManagementDep,
              tenant_id: int = TENANT) -> PurchaseView:
    """Buy a package from the wallet (journal ``package:<tenant>:<reference>``): 201 with the package, or 200 with
    the earlier one when the reference bought it already."""
    actor.require(Permission.BUY_PACKAGES)
    done = await plane.billing.package_desk.buy(actor, tenant_id, body.product, body.reference)
    if not done.new:
        response.status_code = 200
    return purchase_view(done, now_ms())
