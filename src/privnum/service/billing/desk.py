"""The operators' billing desk: top up a tenant's wallet, adjust it (a signed amount with a reason), set its credit
limit. Only an actor with Permission.MANAGE_BILLING (platform admins) may; a tenant with no billing account is
NotFound. Every movement is idempotent by its reference (the console's forms send one per form shown)."""

from __future__ import annotations

import re

from privnum.domain.access import Actor, Permission
from privnum.domain.billing.money import Micros
from privnum.domain.management_errors import Invalid
from privnum.service.billing.ports import BillingAccount
from privnum.service.billing.report_ports import BillingReportUnit
from privnum.service.billing.reports import visible_account
from privnum.service.billing.wallet import MAX_AMOUNT_MICROS, Wallets

REFERENCE = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def _reference(reference: str | None) -> str | None:
    if reference in (None, ""):
        return None
    if not REFERENCE.fullmatch(reference):
        raise Invalid("invalid_reference", "a reference is 1 to 64 letters, digits or . _ : -", field="reference")
    return reference


class BillingDesk:
    def __init__(self, unit: BillingReportUnit, wallets: Wallets) -> None:
        self.unit = unit
        self.wallets = wallets

    async def _tenant_name(self, actor: Actor, tenant_id: int) -> str:
        actor.require(Permission.MANAGE_BILLING)
        summary = await self.unit.run(lambda tx: visible_account(tx, actor, tenant_id), read_only=True)
        return summary.tenant_name

    async def top_up(self, actor: Actor, tenant_id: int, amount: Micros, note: str | None = None,
                     reference: str | None = None) -> BillingAccount:
        actor.require(Permission.MANAGE_BILLING)
        if not 0 < amount <= MAX_AMOUNT_MICROS:
            raise Invalid("invalid_amount", "a top-up is a positive amount under a billion", field="amount")
        reference = _reference(reference)
        name = await self._tenant_name(actor, tenant_id)
        memo = f"{note.strip()} [by {actor.login}]" if note and note.strip() else f"[by {actor.login}]"
        return await self.wallets.top_up(name, amount, memo, reference)

    async def adjust(self, actor: Actor, tenant_id: int, amount: Micros, reason: str,
                     reference: str | None = None) -> BillingAccount:
        actor.require(Permission.MANAGE_BILLING)
        reference = _reference(reference)
        name = await self._tenant_name(actor, tenant_id)
        return await self.wallets.adjust(name, amount, reason, reference, by=actor.login)

    async def set_credit_limit(self, actor: Actor, tenant_id: int, credit_limit: Micros) -> BillingAccount:
        """How far below zero the balance may go before arrears (R-23); 0 is prepaid."""
        name = await self._tenant_name(actor, tenant_id)
        return await self.wallets.set_credit_limit(name, credit_limit)
