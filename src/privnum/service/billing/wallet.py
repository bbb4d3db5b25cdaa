"""Top-ups, adjustments and balances (billing.md R-22): a top-up is a journal crediting the tenant's wallet (Dr
``topups``, Cr ``wallet:<tenant>``); an adjustment is a signed journal against ``adjustments`` with a reason; the
balance is the account's cached balance, kept equal to −Σ of its wallet postings."""

from __future__ import annotations

import uuid

from privnum.domain.billing.ledger import ADJUSTMENTS, TOPUPS, JournalKind, Posting, journal, wallet
from privnum.domain.billing.money import MICROS_PER_UNIT, Micros
from privnum.domain.management_errors import Invalid
from privnum.domain.operator_errors import OperatorError
from privnum.service.billing.accounts import billed_account
from privnum.service.billing.ports import BillingAccount, BillingTx, BillingUnit
from privnum.service.billing.standing import Standings
from privnum.service.clock import now_ms

MAX_AMOUNT_MICROS = 1_000_000_000 * MICROS_PER_UNIT  # one movement of money moves less than a billion
MAX_REASON = 500


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
        return await self._move(tenant, "topup", TOPUPS, amount, JournalKind.TOPUP, note, reference)

    async def adjust(self, tenant: str, amount: Micros, reason: str, reference: str | None = None,
                     by: str | None = None) -> BillingAccount:
        """Credit (``amount`` > 0) or debit (< 0) the tenant's wallet against ``adjustments``, for ``reason``
        (mandatory: it is the statement's explanation, followed by ``[by <by>]`` when given); a ``reference``
        given twice adjusts once. The account after it."""
        if amount == 0 or abs(amount) > MAX_AMOUNT_MICROS:
            raise Invalid("invalid_amount", "an adjustment is a non-zero amount under a billion", field="amount")
        reason = reason.strip()
        if not reason or len(reason) > MAX_REASON:
            raise Invalid("invalid_reason", f"say why, in 1 to {MAX_REASON} characters", field="reason")

        memo = f"{reason} [by {by}]" if by else reason
        return await self._move(tenant, "adjust", ADJUSTMENTS, amount, JournalKind.ADJUSTMENT, memo, reference)

    async def set_credit_limit(self, tenant: str, credit_limit: Micros) -> BillingAccount:
        """How far below zero the balance may go before arrears (R-23; 0 is prepaid). The standing follows at
        once: a tenant in arrears within its new line recovers, one outside its lowered line freezes."""
        if not 0 <= credit_limit <= MAX_AMOUNT_MICROS:
            raise Invalid("invalid_amount", "a credit limit is zero or a positive amount under a billion",
                          field="credit_limit")

        async def work(tx: BillingTx) -> BillingAccount:
            account = await billed_account(tx, tenant, lock=True)
            await tx.set_credit_limit(account.tenant_id, credit_limit)
            await self.standings.follow_balance(tx, account.tenant_id, now_ms())
            after = await tx.account(account.tenant_id)
            assert after is not None
            return after

        return await self.unit.run(work)

    async def _move(self, tenant: str, prefix: str, counterpart: str, amount: Micros, kind: JournalKind,
                    memo: str | None, reference: str | None) -> BillingAccount:
        """Credit ``amount`` (a debit when negative) to the wallet against ``counterpart`` as journal
        ``<prefix>:<tenant>:<reference>`` (once per tenant and reference), and bring the tenant's standing in
        line with the new balance in the same transaction; the account after it."""

        async def work(tx: BillingTx) -> BillingAccount:
            account = await billed_account(tx, tenant, lock=True)
            key = f"{prefix}:{account.tenant_id}:{reference or uuid.uuid4().hex}"
            entry = journal(key, [Posting(counterpart, amount), Posting(wallet(account.tenant_id), -amount)],
                            kind=kind, at_ms=now_ms())
            if await tx.post(account.tenant_id, entry, memo):
                await self.standings.follow_balance(tx, account.tenant_id, entry.at_ms)
            after = await tx.account(account.tenant_id)
            assert after is not None
            return after

        return await self.unit.run(work)

    async def balance(self, tenant: str) -> BillingAccount:
        return await self.unit.run(lambda tx: billed_account(tx, tenant), read_only=True)
