"""The operators' side of billing notifications (billing.md R-27): set a tenant's low-balance threshold, and list
what was raised and whether the webhook has it yet. Operators see every tenant's; a tenant user (READ_BILLING)
only its own tenant's. Setting a threshold needs MANAGE_BILLING and looks at the balance at once: a balance
already below the new threshold is told of now."""

from __future__ import annotations

from collections.abc import Sequence

from privnum.domain.access import Actor, Permission
from privnum.domain.billing.money import Micros
from privnum.domain.management_errors import Invalid, NotFound
from privnum.service.billing.notice_ports import StoredNotice
from privnum.service.billing.notices import Notices
from privnum.service.billing.ports import BillingAccount, BillingTx, BillingUnit
from privnum.service.billing.wallet import MAX_AMOUNT_MICROS
from privnum.service.clock import now_ms

MAX_LISTED = 1000


async def _account(tx: BillingTx, actor: Actor, tenant: int | str, *, lock: bool = False) -> BillingAccount:
    """The account of tenant ``tenant`` (its id, or its name for the CLI); NotFound when none or not visible."""
    tenant_id = tenant if isinstance(tenant, int) else await tx.tenant_id(tenant)
    account = await tx.account(tenant_id, lock=lock) if tenant_id is not None and actor.sees(tenant_id) else None
    if account is None:
        raise NotFound("billing account", f"no billing account of tenant {tenant}")
    return account


class BillingNotifications:
    def __init__(self, unit: BillingUnit, notices: Notices) -> None:
        self.unit = unit
        self.notices = notices

    async def set_low_balance(self, actor: Actor, tenant: int | str, threshold: Micros | None) -> BillingAccount:
        """Tell the operator when the tenant's balance falls below ``threshold`` (None: never); may be negative
        (within a credit line), at most a billion either way."""
        actor.require(Permission.MANAGE_BILLING)
        if threshold is not None and abs(threshold) > MAX_AMOUNT_MICROS:
            raise Invalid("invalid_amount", "a low-balance threshold is an amount under a billion either way",
                          field="low_balance")

        async def work(tx: BillingTx) -> BillingAccount:
            account = await _account(tx, actor, tenant, lock=True)
            if (await tx.low_balance(account.tenant_id)).threshold_micros != threshold:
                await tx.set_low_balance(account.tenant_id, threshold)  # re-armed: below it counts from now
            await self.notices.check_low(tx, account, now_ms())
            return account

        return await self.unit.run(work)

    async def low_balance(self, actor: Actor, tenant: int | str) -> Micros | None:
        actor.require(Permission.READ_BILLING)

        async def work(tx: BillingTx) -> Micros | None:
            account = await _account(tx, actor, tenant)
            return (await tx.low_balance(account.tenant_id)).threshold_micros

        return await self.unit.run(work, read_only=True)

    async def list(self, actor: Actor, tenant: int | str | None = None, *, undelivered: bool = False,
                   limit: int = 100) -> Sequence[StoredNotice]:
        """The newest first, at most ``limit`` (1…1000)."""
        actor.require(Permission.READ_BILLING)
        if not 1 <= limit <= MAX_LISTED:
            raise Invalid("invalid_limit", f"limit is 1 to {MAX_LISTED}", field="limit")

        async def work(tx: BillingTx) -> Sequence[StoredNotice]:
            scope = actor.tenant_scope()
            tenant_id: int | None = scope
            if tenant is not None:
                tenant_id = (await _account(tx, actor, tenant)).tenant_id
            elif scope is None and not actor.is_operator:
                return []
            return await tx.notices(tenant_id, undelivered, limit)

        return await self.unit.run(work, read_only=True)
