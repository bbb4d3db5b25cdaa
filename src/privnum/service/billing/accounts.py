"""Opening a tenant's billing account on a price plan, and storing price plans."""

from __future__ import annotations

from privnum.domain.billing.money import Micros
from privnum.domain.billing.plans import PlanVersion, PricePlan, huawei_cn_plan
from privnum.domain.operator_errors import OperatorError
from privnum.service.billing.ports import BillingAccount, BillingTx, BillingUnit
from privnum.service.clock import now_ms


class BillingAccounts:
    def __init__(self, unit: BillingUnit) -> None:
        self.unit = unit

    async def add_huawei_plan(self, name: str, call_minute_price: Micros, truncate_to_cents: bool = False) -> int:
        """Plan ``name`` with Huawei's list prices and the operator's price per started forwarded minute: a new
        plan's first version prices all usage; a later version is in force from now. ``truncate_to_cents``: each
        hourly settlement is cut to whole cents (Huawei's 抹零, R-18), for the plan's every version. Its version
        number."""
        now = now_ms()
        example = huawei_cn_plan(call_minute_price)

        async def work(tx: BillingTx) -> int:
            known = await tx.plan(name)
            versions = ((*known.versions, PlanVersion(now, example.versions[0].rates)) if known
                        else example.versions)
            return await tx.add_plan_version(PricePlan(name, example.currency, versions, truncate_to_cents), now)

        return await self.unit.run(work)

    async def open(self, tenant: str, price_plan: str) -> BillingAccount:
        """Open ``tenant``'s account on ``price_plan`` (in the plan's currency), or move it to that plan."""

        async def work(tx: BillingTx) -> BillingAccount:
            tenant_id = await _tenant(tx, tenant)
            plan = await tx.plan(price_plan)
            if plan is None:
                raise OperatorError(f"no price plan {price_plan!r}")
            await tx.open_account(tenant_id, plan.currency, price_plan, now_ms())
            account = await tx.account(tenant_id)
            assert account is not None
            return account

        return await self.unit.run(work)


async def _tenant(tx: BillingTx, name: str) -> int:
    tenant_id = await tx.tenant_id(name)
    if tenant_id is None:
        raise OperatorError(f"no tenant {name!r}")
    return tenant_id


async def billed_account(tx: BillingTx, tenant: str, *, lock: bool = False) -> BillingAccount:
    """The billing account of the tenant named ``tenant``; an OperatorError when there is none."""
    account = await tx.account(await _tenant(tx, tenant), lock=lock)
    if account is None:
        raise OperatorError(f"tenant {tenant!r} has no billing account (privnum billing open)")
    return account
