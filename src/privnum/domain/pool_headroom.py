"""How much more a pool can take: per app and area, free capacity under the limits and the hours it lasts."""

from __future__ import annotations

from dataclasses import dataclass

from privnum.domain.limits import X_PER_USER, capacity
from privnum.domain.modes import Mode
from privnum.domain.private_numbers import NumberRole


@dataclass(frozen=True)
class PoolSlice:
    """Numbers of one app and area alike in what matters here: open for new bindings, role, load."""

    open: bool  # available and not locked by the operator
    role: NumberRole | None
    load: int
    count: int


@dataclass(frozen=True)
class AreaPool:
    app_key: str
    app_name: str
    mode: Mode
    extension_length: int
    area_code: str
    slices: tuple[PoolSlice, ...]
    binds_last_hour: int = 0
    unbinds_last_hour: int = 0


@dataclass(frozen=True)
class Headroom:
    app_key: str
    app_name: str
    mode: Mode
    area_code: str
    numbers: int
    open_numbers: int  # available and not locked
    bindings: int  # what the numbers carry now
    free_capacity: int  # how many more bindings the open numbers may carry
    per_party: int  # how many more bindings one A (or B) can hold here: one per X in AXB/AXE, 5 X in AX/AXYB
    binds_last_hour: int
    unbinds_last_hour: int

    @property
    def net_per_hour(self) -> int:
        return self.binds_last_hour - self.unbinds_last_hour

    @property
    def hours_to_exhaustion(self) -> float | None:
        """At the last hour's net rate (binds less unbinds); None: never (the pool is not shrinking)."""
        if self.net_per_hour <= 0:
            return None
        return self.free_capacity / self.net_per_hour


def headroom(pool: AreaPool) -> Headroom:
    free = with_room = 0
    for s in pool.slices:
        cap = capacity(pool.mode, s.role or NumberRole.X, pool.extension_length)
        if s.open and s.load < cap:
            free += (cap - s.load) * s.count
            with_room += s.count
    per_party = min(with_room, X_PER_USER) if pool.mode in (Mode.AX, Mode.AXYB) else with_room
    return Headroom(app_key=pool.app_key, app_name=pool.app_name, mode=pool.mode, area_code=pool.area_code,
                    numbers=sum(s.count for s in pool.slices), open_numbers=sum(s.count for s in pool.slices if s.open),
                    bindings=sum(s.load * s.count for s in pool.slices), free_capacity=free, per_party=per_party,
                    binds_last_hour=pool.binds_last_hour, unbinds_last_hour=pool.unbinds_last_hour)
