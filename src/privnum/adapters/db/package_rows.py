"""The package rows of a billing transaction (billing.md R-9…R-14): the catalogue (``package_products``, quotas as
JSON), the packages tenants bought and their ``package_quotas``. A draw is ``UPDATE … SET units_left = units_left
− n WHERE units_left >= n``: the database, not the reader, decides whether the units are still there."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, insert, select, update

from privnum.adapters.db.database import Conn
from privnum.adapters.db.tables import apps, enterprises, numbers, package_products, package_quotas, packages
from privnum.domain.billing.packages import Draw, Package, PackageProduct, Quota, QuotaBalance
from privnum.service.billing.package_ports import QuotaOverdrawn, TenantPackage


def quotas_to_json(quotas: Sequence[Quota]) -> str:
    return json.dumps([{"meter": q.meter, "number_class": q.number_class, "units": q.units} for q in quotas])


def quotas_from_json(text: str) -> tuple[Quota, ...]:
    return tuple(Quota(item["meter"], item["number_class"], int(item["units"])) for item in json.loads(text))


def _product(row: Any) -> PackageProduct:
    return PackageProduct(row.id, row.name, row.price_micros, quotas_from_json(row.quotas), row.validity_months,
                          row.currency)


class SqlPackageRows:
    conn: Conn

    async def product(self, name: str) -> PackageProduct | None:
        row = (await self.conn.execute(select(package_products).where(package_products.c.name == name))).first()
        return _product(row) if row else None

    async def products(self) -> Sequence[PackageProduct]:
        rows = await self.conn.execute(select(package_products).order_by(package_products.c.name))
        return [_product(row) for row in rows]

    async def add_product(self, product: PackageProduct, now_ms: int) -> int:
        done = await self.conn.execute(insert(package_products).values(
            name=product.name, price_micros=product.price_micros, currency=product.currency,
            validity_months=product.validity_months, quotas=quotas_to_json(product.quotas), created_at_ms=now_ms))
        return int(done.inserted_primary_key[0])

    async def assigned_numbers(self, tenant_id: int) -> int:
        query = (select(func.count()).select_from(numbers.join(apps, apps.c.id == numbers.c.app_id)
                                                  .join(enterprises, enterprises.c.id == apps.c.enterprise_id))
                 .where(enterprises.c.tenant_id == tenant_id))
        return int((await self.conn.execute(query)).scalar_one())

    async def package_bought(self, purchase_key: str) -> TenantPackage | None:
        found = await self._tenant_packages(packages.c.purchase_key == purchase_key)
        return found[0] if found else None

    async def add_package(self, tenant_id: int, purchase_key: str, package: Package) -> int:
        done = await self.conn.execute(insert(packages).values(
            tenant_id=tenant_id, product_id=package.product_id, purchase_key=purchase_key,
            bought_at_ms=package.purchased_at_ms, effective_from_ms=package.effective_from_ms,
            expires_at_ms=package.expires_at_ms))
        package_id = int(done.inserted_primary_key[0])
        await self.conn.execute(insert(package_quotas), [
            {"package_id": package_id, "meter": q.meter, "number_class": q.number_class, "units_total": q.granted,
             "units_left": q.remaining} for q in package.balances])
        return package_id

    async def tenant_packages(self, tenant_id: int) -> Sequence[TenantPackage]:
        return await self._tenant_packages(packages.c.tenant_id == tenant_id)

    async def packages_in_force(self, tenant_id: int, from_ms: int, until_ms: int) -> Sequence[Package]:
        found = await self._tenant_packages(packages.c.tenant_id == tenant_id, packages.c.expires_at_ms > from_ms,
                                            packages.c.effective_from_ms < until_ms)
        return [bought.package for bought in found]

    async def _tenant_packages(self, *where: Any) -> list[TenantPackage]:
        p, q = packages, package_quotas
        rows = (await self.conn.execute(
            select(p.c.id, p.c.tenant_id, p.c.product_id, p.c.purchase_key, p.c.bought_at_ms, p.c.effective_from_ms,
                   p.c.expires_at_ms, package_products.c.name)
            .select_from(p.join(package_products, package_products.c.id == p.c.product_id))
            .where(*where).order_by(p.c.expires_at_ms, p.c.effective_from_ms, p.c.id))).all()
        if not rows:
            return []
        balances: dict[int, list[QuotaBalance]] = defaultdict(list)
        ids = [row.id for row in rows]
        for start in range(0, len(ids), 500):
            quota_rows = await self.conn.execute(select(q).where(q.c.package_id.in_(ids[start:start + 500]))
                                                 .order_by(q.c.package_id, q.c.id))
            for quota in quota_rows:
                balances[quota.package_id].append(QuotaBalance(quota.meter, quota.number_class, quota.units_total,
                                                               quota.units_total - quota.units_left))
        return [TenantPackage(row.tenant_id, row.name, row.purchase_key,
                              Package(row.id, row.product_id, row.bought_at_ms, row.effective_from_ms,
                                      row.expires_at_ms, tuple(balances[row.id])))
                for row in rows]

    async def draw(self, draws: Sequence[Draw]) -> None:
        taken: dict[tuple[int, str, str | None], int] = defaultdict(int)
        for d in draws:
            taken[(d.package_id, d.meter, d.number_class)] += d.units
        q = package_quotas
        for (package_id, meter, number_class), units in taken.items():
            done = await self.conn.execute(
                update(q).where(q.c.package_id == package_id, q.c.meter == meter,
                                q.c.number_class.is_not_distinct_from(number_class), q.c.units_left >= units)
                .values(units_left=q.c.units_left - units))
            if done.rowcount != 1:
                raise QuotaOverdrawn(f"package {package_id} has fewer than {units} {meter} units left")
