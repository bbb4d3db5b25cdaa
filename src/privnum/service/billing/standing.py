"""A tenant's standing follows its balance (billing.md R-23…R-25): after every posting that moves a wallet, and on
every billing tick for the standings that change with time alone (a grace running out, a recovery delay passing).

Going into arrears freezes the tenant: its apps refuse binds (1010029), new calls (7108), texts (sendResult 1) and
recording links (1012007) — each use case reads the standing with the app — and every available number of it is
pushed numStatus 10 cause 2. Covered again, it recovers and its numbers are pushed 5 (11 where an operator locked
one). Calls in progress are not cut: they end as they would and are billed. The pushes are written to the outbox in
the transaction that changes the standing, so a standing change and its pushes commit together."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import replace
from functools import partial

from privnum.domain.billing.arrears import (
    AccountStanding,
    ArrearsTerms,
    BalanceSide,
    StandingChange,
    is_covered,
    next_standing,
    status_pushes,
)
from privnum.domain.private_numbers import PrivateNumber
from privnum.domain.pushes import OutboundPush, PushKind
from privnum.service.billing.notices import Notices
from privnum.service.billing.ports import BillingTx, BillingUnit
from privnum.service.management.ports import NumberStatusFormatter

log = logging.getLogger(__name__)

NUM_INFO_BATCH = 100  # numbers per numStatus push


class Standings:
    def __init__(self, terms: ArrearsTerms, formatter: NumberStatusFormatter, notices: Notices | None = None) -> None:
        self.terms = terms  # the operator's grace and recovery delay; each account has its own credit limit
        self.formatter = formatter
        self.notices = notices or Notices()  # the operator's notifications, raised in the same transaction

    async def follow_balance(self, tx: BillingTx, tenant_id: int, now_ms: int) -> StandingChange | None:
        """Bring the tenant's standing in line with its balance at ``now_ms``, in ``tx``; the change found (None:
        no account)."""
        account = await tx.account(tenant_id, lock=True)
        if account is None:
            return None
        covered = is_covered(account.balance_micros, account.credit_limit_micros)
        before = BalanceSide(account.short_since_ms, account.covered_since_ms)
        side = before.at(covered, now_ms)
        current = AccountStanding(account.standing)
        change = next_standing(current, account.balance_micros, side.since_ms(now_ms), now_ms,
                               replace(self.terms, credit_limit_micros=account.credit_limit_micros))
        moved = change.standing is not current
        if moved or side != before:
            await tx.set_standing(tenant_id, change.standing, side, now_ms if moved else None)
        if moved:
            log.info("tenant %d: %s → %s (balance %d micros)", tenant_id, current.value, change.standing.value,
                     account.balance_micros)
        if moved and change.push is not None:
            await self._push(tx, tenant_id, change, now_ms)
        await self.notices.after_balance(tx, account, current, change.standing, now_ms)
        return change

    async def watch(self, unit: BillingUnit, now_ms: int) -> None:
        """Re-assess every standing that can change with time alone, one transaction per tenant."""
        for tenant_id in await unit.run(lambda tx: tx.tenants_to_watch(), read_only=True):
            await unit.run(partial(self.follow_balance, tenant_id=tenant_id, now_ms=now_ms))

    async def _push(self, tx: BillingTx, tenant_id: int, change: StandingChange, now_ms: int) -> None:
        """One numStatus push per app that wants them, ``numInfo`` in batches of at most 100 (R-24)."""
        assert change.push is not None
        per_app: dict[tuple[int, str], list[PrivateNumber]] = defaultdict(list)
        for held in await tx.tenant_numbers(tenant_id):
            if held.status_url is not None:
                per_app[(held.app_id, held.status_url)].append(held.number)
        pushes = []
        for (app_id, url), numbers in per_app.items():
            statuses = status_pushes(change.push, numbers)
            for start in range(0, len(statuses), NUM_INFO_BATCH):
                body = self.formatter.number_statuses_body(statuses[start:start + NUM_INFO_BATCH])
                # an app's arrears and recovery pushes arrive in the order they were raised
                pushes.append(OutboundPush(app_id, PushKind.NUMBER_STATUS, url, body,
                                           order_key=f"numStatus:standing:{app_id}"))
        await tx.enqueue(pushes, now_ms)
