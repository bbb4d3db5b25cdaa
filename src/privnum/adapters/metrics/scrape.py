"""One ``/metrics`` answer: the meter's counters and the database census, read at most once a second (scrapes
from several Prometheus servers share it) and given up after ``timeout_s`` (then ``privnum_census_up 0``)."""

from __future__ import annotations

import asyncio
import logging
import time

from privnum.adapters.metrics.prometheus_meter import PrometheusMeter
from privnum.service.clock import now_ms
from privnum.service.metrics import Census, OperationsCensus

log = logging.getLogger("privnum.metrics")


class MetricsScrape:
    def __init__(self, meter: PrometheusMeter, census: Census, *, timeout_s: float = 2.5,
                 reuse_s: float = 1.0) -> None:
        self.meter = meter
        self.census = census
        self.timeout_s = timeout_s
        self.reuse_s = reuse_s
        self._last: tuple[float, OperationsCensus, float] | None = None  # (monotonic time, census, seconds)
        self._lock = asyncio.Lock()

    async def render(self) -> bytes:
        census, seconds = await self._census()
        return self.meter.exposition(census, seconds)

    async def _census(self) -> tuple[OperationsCensus | None, float]:
        async with self._lock:
            if self._last is not None and time.monotonic() - self._last[0] < self.reuse_s:
                return self._last[1], self._last[2]
            started = time.monotonic()
            try:
                census = await asyncio.wait_for(self.census.read(now_ms()), self.timeout_s)
            except Exception as error:  # the database is slow or down: the counters are still worth serving
                log.warning("metrics: the database figures could not be read (%s)", type(error).__name__)
                return None, time.monotonic() - started
            seconds = time.monotonic() - started
            self._last = (time.monotonic(), census, seconds)
            return census, seconds
