"""The pool headroom report: per app and area, free capacity, the last hour's binds and hours to exhaustion."""

from __future__ import annotations

from typing import Protocol

from privnum.domain.pool_headroom import AreaPool, Headroom, headroom
from privnum.service.clock import now_ms

HOUR_MS = 3_600_000


class PoolCensus(Protocol):
    async def pools(self, since_ms: int, app_key: str | None, area_code: str | None) -> list[AreaPool]:
        """Every (app, area) with numbers, its numbers by open/role/load, and binds and unbinds since ``since_ms``."""
        ...


class PoolHeadroom:
    def __init__(self, census: PoolCensus) -> None:
        self.census = census

    async def report(self, app_key: str | None = None, area_code: str | None = None) -> list[Headroom]:
        pools = await self.census.pools(now_ms() - HOUR_MS, app_key, area_code)
        return [headroom(p) for p in sorted(pools, key=lambda p: (p.app_name, p.app_key, p.area_code))]
