"""JSON shapes of packages (billing.md R-9, R-14): a product of the catalogue, and a tenant's package with what is
left of each quota. Prices are decimal strings in the product's currency; instants are UTC milliseconds."""

from __future__ import annotations

from pydantic import BaseModel

from privnum.domain.billing.money import to_decimal_string
from privnum.domain.billing.packages import PackageProduct, QuotaBalance, used_percent
from privnum.entrypoints.mgmt.billing_views import AccountView, account_view
from privnum.service.billing.package_desk import TenantPackages
from privnum.service.billing.package_ports import TenantPackage
from privnum.service.billing.packages import Purchase


class QuotaView(BaseModel):
    meter: str  # call.forwarded (minutes), sms.forwarded (segments), …
    number_class: str | None  # virtual, carrier, or None: numbers of any class
    units: int


class ProductView(BaseModel):
    product_id: int
    name: str
    price: str
    currency: str
    validity_months: int
    quotas: list[QuotaView]


class QuotaLeftView(BaseModel):
    meter: str
    number_class: str | None
    granted: int
    used: int
    left: int
    used_percent: int  # whole per cent, rounded down


class PackageView(BaseModel):
    package_id: int
    product: str
    purchase_key: str  # package:<tenant>:<reference>, also the payment's journal key
    bought_at_ms: int
    effective_from_ms: int  # the next full hour after the purchase
    expires_at_ms: int
    state: str  # not_yet, in_force, expired
    quotas: list[QuotaLeftView]


class TenantPackagesView(BaseModel):
    account: AccountView
    packages: list[PackageView]


class PurchaseView(BaseModel):
    new: bool  # False: this reference had bought it already; nothing was charged now
    package: PackageView
    balance: str
    currency: str


def product_view(product: PackageProduct) -> ProductView:
    return ProductView(product_id=product.product_id, name=product.name, price=to_decimal_string(product.price_micros),
                       currency=product.currency, validity_months=product.validity_months,
                       quotas=[QuotaView(meter=q.meter, number_class=q.number_class, units=q.units)
                               for q in product.quotas])


def quota_left_view(quota: QuotaBalance) -> QuotaLeftView:
    return QuotaLeftView(meter=quota.meter, number_class=quota.number_class, granted=quota.granted, used=quota.used,
                         left=quota.remaining, used_percent=used_percent(quota))


def package_view(bought: TenantPackage, at_ms: int) -> PackageView:
    package = bought.package
    return PackageView(package_id=package.package_id, product=bought.product, purchase_key=bought.purchase_key,
                       bought_at_ms=package.purchased_at_ms, effective_from_ms=package.effective_from_ms,
                       expires_at_ms=package.expires_at_ms, state=package.state_at(at_ms).value,
                       quotas=[quota_left_view(q) for q in package.balances])


def tenant_packages_view(found: TenantPackages) -> TenantPackagesView:
    return TenantPackagesView(account=account_view(found.summary),
                              packages=[package_view(p, found.at_ms) for p in found.packages])


def purchase_view(purchase: Purchase, at_ms: int) -> PurchaseView:
    return PurchaseView(new=purchase.new, package=package_view(purchase.bought, at_ms),
                        balance=to_decimal_string(purchase.balance_micros), currency=purchase.currency)
