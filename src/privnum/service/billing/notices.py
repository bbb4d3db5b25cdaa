"""Raising billing notifications (billing.md R-14, R-27) in the transaction of what caused them: a posting's
balance check (``after_balance``: low balance, arrears started, recovered), a settlement's draws (``after_draws``:
a package 80 % / 100 % used) and the billing tick (``warn_expiring``: a package lapsing within 7 days). Each is a
row keyed by its event, so a job run twice raises it once; the deliverer sends it later
(adapters/notify/webhook.py)."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from privnum.domain.billing.arrears import AccountStanding
from privnum.domain.billing.notices import (
    Notice,
    NoticeKind,
    low_balance,
    low_since,
    package_expiring,
    package_used,
    standing_moved,
)
from privnum.domain.billing.packages import EXPIRY_WARNING_MS, Package, QuotaBalance, thresholds_crossed
from privnum.service.billing.notice_ports import NoticeTx
from privnum.service.billing.ports import BillingAccount, BillingTx, BillingUnit

log = logging.getLogger(__name__)

QuotaBalanceOf = tuple[int, QuotaBalance]  # (package id, one of its quotas)


def quota_balances(packages: Sequence[Package]) -> list[QuotaBalanceOf]:
    """Each quota of ``packages`` with its package's id."""
    return [(p.package_id, q) for p in packages for q in p.balances]


class Notices:
    async def after_balance(self, tx: NoticeTx, account: BillingAccount, before: AccountStanding,
                            after: AccountStanding, now_ms: int) -> None:
        """``account`` (as it stands after a posting) went from ``before`` to ``after``: tell of a balance newly
        below its threshold, then of arrears starting or ending."""
        await self.check_low(tx, account, now_ms)
        kind = None
        if before is AccountStanding.ACTIVE and after is not AccountStanding.ACTIVE:
            kind = NoticeKind.ARREARS_STARTED
        elif before is not AccountStanding.ACTIVE and after is AccountStanding.ACTIVE:
            kind = NoticeKind.RECOVERED
        if kind is not None:
            name = await tx.tenant_name(account.tenant_id)
            await self._raise(tx, standing_moved(account.tenant_id, name, account.currency, account.balance_micros,
                                                 account.credit_limit_micros, kind, now_ms), now_ms)

    async def check_low(self, tx: NoticeTx, account: BillingAccount, now_ms: int) -> None:
        """Keep since when the balance is below its threshold; tell of each crossing once."""
        low = await tx.low_balance(account.tenant_id)
        since = low_since(account.balance_micros, low.threshold_micros, low.since_ms, now_ms)
        if since == low.since_ms:
            return
        await tx.set_low_since(account.tenant_id, since)
        if since is not None and low.threshold_micros is not None:
            name = await tx.tenant_name(account.tenant_id)
            await self._raise(tx, low_balance(account.tenant_id, name, account.currency, account.balance_micros,
                                              low.threshold_micros, since), now_ms)

    async def after_draws(self, tx: NoticeTx, tenant_id: int, before: Sequence[QuotaBalanceOf], now_ms: int) -> None:
        """The quotas ``before`` a settlement's draws (package id, balance); tell of each 80 % / 100 % reached."""
        if not before:
            return
        was = {(package_id, q.meter, q.number_class): q for package_id, q in before}
        name: str | None = None
        told: set[tuple[int, int]] = set()
        for now in await tx.package_quotas(sorted({package_id for package_id, _ in before})):
            earlier = was.get((now.package_id, now.meter, now.number_class))
            if earlier is None:
                continue
            after = QuotaBalance(now.meter, now.number_class, now.granted, now.used)
            for percent in thresholds_crossed(earlier, after):
                if (now.package_id, percent) in told:
                    continue
                told.add((now.package_id, percent))
                name = name or await tx.tenant_name(tenant_id)
                await self._raise(tx, package_used(tenant_id, name, now, percent, now_ms), now_ms)

    async def warn_expiring(self, unit: BillingUnit, now_ms: int) -> int:
        """Tell once of every package lapsing within 7 days of ``now_ms``; how many were told of now."""

        async def work(tx: BillingTx) -> int:
            told = 0
            for package in await tx.packages_expiring(now_ms, now_ms + EXPIRY_WARNING_MS):
                name = await tx.tenant_name(package.tenant_id)
                told += int(await self._raise(tx, package_expiring(package.tenant_id, name, package.quotas, now_ms),
                                              now_ms))
            return told

        return await unit.run(work)

    async def _raise(self, tx: NoticeTx, notice: Notice, now_ms: int) -> bool:
        new = await tx.raise_notice(notice, now_ms)
        if new:
            log.info("billing notice %s", notice.key)
        return new
