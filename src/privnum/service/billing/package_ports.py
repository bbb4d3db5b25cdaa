"""What the package use cases and the settlement need from storage (billing.md R-9…R-14), as a protocol the
billing transaction also speaks: a purchase, its payment and its quotas are one transaction, and so are a
settlement's draws and its journal."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from privnum.domain.billing.packages import Draw, Package, PackageProduct


class QuotaOverdrawn(RuntimeError):
    """A draw found fewer units left than it takes: someone drew meanwhile. The transaction is rolled back."""


@dataclass(frozen=True)
class TenantPackage:
    """A package a tenant bought, with its product's name and what is left of each quota."""

    tenant_id: int
    product: str
    purchase_key: str
    package: Package


class PackageTx(Protocol):
    async def product(self, name: str) -> PackageProduct | None: ...

    async def products(self) -> Sequence[PackageProduct]: ...

    async def add_product(self, product: PackageProduct, now_ms: int) -> int:
        """Store ``product`` (its id is ignored) in the catalogue; its id."""

    async def assigned_numbers(self, tenant_id: int) -> int:
        """How many numbers the tenant's apps hold."""

    async def package_bought(self, purchase_key: str) -> TenantPackage | None: ...

    async def add_package(self, tenant_id: int, purchase_key: str, package: Package) -> int:
        """Store ``package`` (its id is ignored) and its quotas, each with all its units left; its id."""

    async def tenant_packages(self, tenant_id: int) -> Sequence[TenantPackage]:
        """Every package the tenant bought, earliest expiry first."""

    async def packages_in_force(self, tenant_id: int, from_ms: int, until_ms: int) -> Sequence[Package]:
        """The tenant's packages in force at some instant of ``[from_ms, until_ms)``, as they stand now."""

    async def draw(self, draws: Sequence[Draw]) -> None:
        """Take the draws from their quotas, each only if that many units are left; QuotaOverdrawn if one is not."""
