"""Top-ups and balances (billing.md R-22): a top-up is a journal crediting the tenant's wallet (Dr ``topups``,
Cr ``wallet:<tenant>``); the balance is the account's cached balance, kept equal to −Σ of its wallet postings."""

from __future__ import annotations

import uuid

from privnum.domain.billing.ledger import TOPUPS, JournalKind, Posting, journal, wallet
from privnum.domain.billing.money import Micros
from privnum.domain.operator_errors import OperatorError
from privnum.service.billing.accounts import billed_account
from privnum.service.billing.ports import BillingAccount, BillingTx, BillingUnit
from privnum.service.billing.standing import Standings
from privnum.service.clock import now_ms


class Wallets:
    def __init__(self, unit: BillingUnit, standings: Standings) -> None:
        self.unit = unit
        self.standings = standings

    async def top_up(self, tenant: str, amount: Micros, note: str | None = None,
                     reference: str | None = None) -> BillingAccount:
        """Credit ``amount`` (> 0) to the tenant's wallet; a ``reference`` given twice tops up once. The account
        after it."""
        if amount <= 0:
            raise OperatorError("a top-up is a positive amount")
        key = f"topup:{reference or uuid.uuid4().hex}"

        async def work(tx: BillingTx) -> BillingAccount:
            account = await billed_account(tx, tenant, lock=True)
            entry = journal(key, [Posting(TOPUPS, amount), Posting(wallet(account.tenant_id), -amount)],
                            kind=JournalKind.TOPUP, at_ms=now_ms())
            if await tx.post(account.tenant_id, entry, note):
                await self.standings.follow_balance(tx, account.tenant_id, entry.at_ms)
            after = await tx.account(account.tenant_id)
            assert after is not None
            return after

        return await self.unit.run(work)

    async def balance(self, tenant: str) -> BillingAccount:
        return await self.unit.run(lambda tx: billed_account(tx, tenant), read_only=True)
