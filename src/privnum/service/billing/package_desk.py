"""Packages as people reach them (billing.md R-9, R-10, R-14; issue 15 item 4): the catalogue for whoever reads
billing, new products for operators (``billing.manage``), a tenant's packages with what is left of each quota, and a
purchase — by the tenant's account admins and billing users for their own tenant (``billing.packages.buy``), by
platform admins for any. Another tenant's account is NotFound, as in the other billing views."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from privnum.domain.access import Actor, Permission
from privnum.domain.billing.money import Micros
from privnum.domain.billing.packages import PackageProduct, Quota
from privnum.domain.management_errors import Invalid
from privnum.service.billing.desk import REFERENCE
from privnum.service.billing.package_ports import TenantPackage
from privnum.service.billing.packages import Packages, Purchase
from privnum.service.billing.report_ports import AccountSummary, BillingReportUnit
from privnum.service.billing.reports import visible_account
from privnum.service.clock import now_ms


@dataclass(frozen=True)
class TenantPackages:
    summary: AccountSummary
    packages: list[TenantPackage]
    at_ms: int  # when they were read: what "in force" is measured against


class PackageDesk:
    def __init__(self, unit: BillingReportUnit, packages: Packages) -> None:
        self.unit = unit
        self.packages = packages

    async def _visible(self, actor: Actor, tenant_id: int) -> AccountSummary:
        return await self.unit.run(lambda tx: visible_account(tx, actor, tenant_id), read_only=True)

    async def products(self, actor: Actor) -> Sequence[PackageProduct]:
        actor.require(Permission.READ_BILLING)
        return await self.packages.products()

    async def add_product(self, actor: Actor, name: str, price: Micros, quotas: Sequence[Quota],
                          validity_months: int = 12, currency: str = "CNY") -> PackageProduct:
        actor.require(Permission.MANAGE_BILLING)
        return await self.packages.add_product(name, price, quotas, validity_months, currency)

    async def of_tenant(self, actor: Actor, tenant_id: int) -> TenantPackages:
        """The tenant's packages, earliest expiry first, with what is left of each quota."""
        actor.require(Permission.READ_BILLING)
        summary = await self._visible(actor, tenant_id)
        return TenantPackages(summary, await self.packages.of_tenant(summary.tenant_name), now_ms())

    async def buy(self, actor: Actor, tenant_id: int, product: str, reference: str | None = None) -> Purchase:
        """Buy ``product`` for the tenant from its wallet; a ``reference`` given twice buys once (each console
        form carries its own). Refused (Conflict) without a number, funds, in arrears or in another currency."""
        actor.require(Permission.BUY_PACKAGES)
        if reference not in (None, "") and not REFERENCE.fullmatch(reference):
            raise Invalid("invalid_reference", "a reference is 1 to 64 letters, digits or . _ : -", field="reference")
        if not product.strip():
            raise Invalid("unknown_product", "choose a package product", field="product")
        summary = await self._visible(actor, tenant_id)
        return await self.packages.buy(summary.tenant_name, product.strip(), reference or None)
