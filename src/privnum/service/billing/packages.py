"""Packages (套餐包, billing.md R-9…R-14): the operator's catalogue of products, a tenant buying one, and what is
left of a tenant's packages. A purchase is one transaction: the payment — a journal ``package:<tenant>:<reference>``
of kind PACKAGE from the tenant's wallet to ``revenue:packages`` — and the package with all its quotas; the same
reference buys once. The hourly settlement draws them (service/billing/settlement.py)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import tzinfo

from privnum.domain.billing.arrears import AccountStanding, enforcement
from privnum.domain.billing.ledger import REVENUE_PACKAGES, JournalKind, Posting, journal, wallet
from privnum.domain.billing.money import Micros
from privnum.domain.billing.packages import (
    BILLING_ZONE,
    PackageProduct,
    Quota,
    bought,
    product_refusal,
    purchase_refusal,
)
from privnum.domain.management_errors import Conflict, Invalid
from privnum.service.billing.accounts import billed_account
from privnum.service.billing.notices import Notices
from privnum.service.billing.package_ports import TenantPackage
from privnum.service.billing.ports import BillingTx, BillingUnit
from privnum.service.clock import now_ms

CURRENCY = "CNY"


@dataclass(frozen=True)
class Purchase:
    bought: TenantPackage
    new: bool  # False: this reference had bought it already; nothing was charged now
    balance_micros: int
    currency: str


def purchase_key(tenant_id: int, reference: str) -> str:
    """The journal key of a purchase, also the package's: ``package:<tenant>:<reference>``."""
    return f"package:{tenant_id}:{reference}"


class Packages:
    def __init__(self, unit: BillingUnit, zone: tzinfo = BILLING_ZONE, notices: Notices | None = None) -> None:
        self.unit = unit
        self.zone = zone  # the billing time zone: a package's months are counted there
        self.notices = notices or Notices()  # a payment may take the balance below its low-balance threshold

    async def add_product(self, name: str, price: Micros, quotas: Sequence[Quota], validity_months: int = 12,
                          currency: str = CURRENCY) -> PackageProduct:
        """Put a product in the catalogue (R-9); a name is used once."""
        product = PackageProduct(0, name.strip(), price, tuple(quotas), validity_months, currency.strip().upper())
        refusal = product_refusal(product)
        if refusal is None and len(product.currency) != 3:
            refusal = f"a currency is a 3-letter code, not {currency!r}"
        if refusal is not None:
            raise Invalid("invalid_product", refusal)

        async def work(tx: BillingTx) -> PackageProduct:
            if await tx.product(product.name) is not None:
                raise Conflict("product_exists", f"a package product named {product.name!r} exists already",
                               field="name")
            product_id = await tx.add_product(product, now_ms())
            return replace(product, product_id=product_id)

        return await self.unit.run(work)

    async def products(self) -> Sequence[PackageProduct]:
        return await self.unit.run(lambda tx: tx.products(), read_only=True)

    async def buy(self, tenant: str, product_name: str, reference: str | None = None) -> Purchase:
        """Buy ``product_name`` for ``tenant`` (R-10): refused without an assigned number, with too little balance
        and credit, in arrears, or in another currency; paid from the wallet at once; effective from the next full
        hour for the product's months. A ``reference`` given twice buys once."""
        reference = reference.strip() if reference else uuid.uuid4().hex
        if not reference or len(reference) > 64:
            raise Invalid("invalid_reference", "a purchase reference is 1 to 64 characters", field="reference")

        async def work(tx: BillingTx) -> Purchase:
            account = await billed_account(tx, tenant, lock=True)
            product = await tx.product(product_name)
            if product is None:
                raise Invalid("unknown_product", f"no package product {product_name!r}", field="product")
            key = purchase_key(account.tenant_id, reference)
            earlier = await tx.package_bought(key)
            if earlier is not None:
                if earlier.package.product_id != product.product_id:
                    raise Conflict("reference_used", f"reference {reference!r} bought {earlier.product!r} "
                                   f"already, not {product.name!r}", field="reference")
                return Purchase(earlier, False, account.balance_micros, account.currency)
            if enforcement(AccountStanding(account.standing)).refuses_orders:
                raise Conflict("in_arrears", f"tenant {tenant!r} is in {account.standing}: it buys no package "
                               "until its debt is paid")
            if product.currency != account.currency:
                raise Conflict("currency_mismatch", f"{product.name!r} is sold in {product.currency}, the "
                               f"account is in {account.currency}")
            refusal = purchase_refusal(product, await tx.assigned_numbers(account.tenant_id),
                                       account.balance_micros, account.credit_limit_micros)
            if refusal is not None:
                raise Conflict(refusal.code, f"tenant {tenant!r} cannot buy {product.name!r}: {refusal.reason}")
            at = now_ms()
            if product.price_micros:
                payment = journal(key, [Posting(wallet(account.tenant_id), product.price_micros),
                                        Posting(REVENUE_PACKAGES, -product.price_micros)],
                                  kind=JournalKind.PACKAGE, at_ms=at)
                await tx.post(account.tenant_id, payment, f"package {product.name}")
            package = bought(product, 0, at, self.zone)
            package_id = await tx.add_package(account.tenant_id, key, package)
            after = await tx.account(account.tenant_id)
            assert after is not None
            await self.notices.check_low(tx, after, at)
            made = TenantPackage(account.tenant_id, product.name, key, replace(package, package_id=package_id))
            return Purchase(made, True, after.balance_micros, after.currency)

        return await self.unit.run(work)

    async def of_tenant(self, tenant: str) -> list[TenantPackage]:
        """Every package ``tenant`` bought with what is left of each quota, earliest expiry first (R-14, H-26)."""

        async def work(tx: BillingTx) -> list[TenantPackage]:
            account = await billed_account(tx, tenant)
            return list(await tx.tenant_packages(account.tenant_id))

        return await self.unit.run(work, read_only=True)
