"""The billing jobs ``privnum serve`` runs by itself (billing.md R-15, R-20, R-23): every tick, the process holding
the database lease ``billing`` settles each fully elapsed UTC hour (up to now − settle lag) from the oldest with
unsettled usage, oldest first and at most ``max_hours_per_tick`` of them, charges the current month's rent once
it is past the 1st 00:10 in the billing time zone, and re-assesses the standings a grace or a recovery delay
holds, and tells once of each package lapsing within 7 days. Every process ticks; only the lease holder works, and
a holder that dies leaves the lease to expire. Money moves at most once anyway (journal keys): the lease saves work."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import tzinfo

from privnum.domain.billing.rent import RENT_JOB_DELAY_MS, month_of, month_start_ms
from privnum.domain.billing.usage import HOUR_MS
from privnum.service.background import cancel_and_wait
from privnum.service.billing.ingestion import UsageIngestion
from privnum.service.billing.ports import BillingUnit, JobLeases
from privnum.service.billing.rent_job import RentJob
from privnum.service.billing.settlement import USAGE_SOURCES, HourlySettlement
from privnum.service.billing.standing import Standings
from privnum.service.clock import now_ms as wall_clock_ms

log = logging.getLogger(__name__)

BILLING_LEASE = "billing"


@dataclass(frozen=True)
class BillingJobSettings:
    tick_s: float = 30.0
    settle_lag_ms: int = 300_000
    zone: tzinfo | None = None  # None: the rent calendar's default (Asia/Shanghai)
    max_hours_per_tick: int = 24
    lease_ticks: int = 3  # the lease outlives this many ticks, so a live holder renews it in time


def hours_to_settle(oldest_unsettled_ms: int | None, now_ms: int, settle_lag_ms: int, limit: int) -> list[int]:
    """The window starts to settle now: from the hour of the oldest unsettled record, every hour whose end is at
    or before ``now − lag`` (never the hour still running), oldest first, at most ``limit``."""
    if oldest_unsettled_ms is None:
        return []
    first = oldest_unsettled_ms - oldest_unsettled_ms % HOUR_MS
    last_end = now_ms - settle_lag_ms
    hours: list[int] = []
    start = first
    while start + HOUR_MS <= last_end and len(hours) < limit:
        hours.append(start)
        start += HOUR_MS
    return hours


def rent_month_due(now_ms: int, zone: tzinfo | None = None) -> str | None:
    """The month whose rent is due at ``now_ms``: the current month in ``zone`` once its 1st 00:10 has passed."""
    month = month_of(now_ms) if zone is None else month_of(now_ms, zone)
    start = month_start_ms(month) if zone is None else month_start_ms(month, zone)
    return month if now_ms >= start + RENT_JOB_DELAY_MS else None


class BillingRunner:
    def __init__(self, unit: BillingUnit, ingestion: UsageIngestion, settlement: HourlySettlement, rent: RentJob,
                 standings: Standings, leases: JobLeases, settings: BillingJobSettings,
                 clock: Callable[[], int] = wall_clock_ms) -> None:
        self.unit = unit
        self.standings = standings
        self.ingestion = ingestion
        self.settlement = settlement
        self.rent = rent
        self.leases = leases
        self.settings = settings
        self.clock = clock
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._rent_charged: str | None = None  # the last month this process charged
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="privnum-billing-jobs")

    async def stop(self) -> None:
        await cancel_and_wait(self._task)
        self._task = None
        try:
            await self.leases.release(BILLING_LEASE, self.holder)
        except Exception:
            log.exception("could not release the billing lease; it expires by itself")

    async def _run(self) -> None:
        while True:
            try:
                await self.tick()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("billing jobs pass failed; trying again next tick")
            await asyncio.sleep(self.settings.tick_s)

    async def tick(self) -> bool:
        """One pass: take the lease or leave; settle the elapsed hours due and the rent due. Whether it worked."""
        now = self.clock()
        lease_ms = int(self.settings.tick_s * 1000 * self.settings.lease_ticks)
        if not await self.leases.take(BILLING_LEASE, self.holder, now + lease_ms, now):
            return False
        await self.ingestion.ingest(now)
        oldest = await self.unit.run(lambda tx: tx.oldest_unsettled(USAGE_SOURCES), read_only=True)
        for window_start in hours_to_settle(oldest, now, self.settings.settle_lag_ms,
                                            self.settings.max_hours_per_tick):
            settled = await self.settlement.settle_hour(window_start, self.clock())
            if settled:
                log.info("settled hour %d for %d tenants", window_start, len(settled))
        month = rent_month_due(now, self.settings.zone)
        if month is not None and month != self._rent_charged:
            await self.rent.charge_rent(month, self.clock())
            self._rent_charged = month
        await self.standings.watch(self.unit, self.clock())
        await self.standings.notices.warn_expiring(self.unit, self.clock())
        return True
