"""The headroom rule: free capacity under each mode's per-number limit, per A, and hours at the net rate."""

from __future__ import annotations

from privnum.domain.modes import Mode
from privnum.domain.pool_headroom import AreaPool, PoolSlice, headroom
from privnum.domain.private_numbers import NumberRole


def pool(mode: Mode, *slices: PoolSlice, binds: int = 0, unbinds: int = 0, extension_length: int = 4) -> AreaPool:
    return AreaPool("K", "shop", mode, extension_length, "0755", tuple(slices), binds, unbinds)


def test_axb_counts_only_open_numbers_below_5000() -> None:
    h = headroom(pool(Mode.AXB, PoolSlice(True, NumberRole.X, 10, 2), PoolSlice(True, None, 0, 1),
                      PoolSlice(False, NumberRole.X, 3, 4), PoolSlice(True, NumberRole.X, 5000, 1),
                      binds=30, unbinds=10))
    assert (h.numbers, h.open_numbers, h.bindings) == (8, 4, 20 + 12 + 5000)
    assert h.free_capacity == 2 * 4990 + 5000 and h.per_party == 3  # the full X gives nothing, to nobody
    assert h.net_per_hour == 20 and h.hours_to_exhaustion == (2 * 4990 + 5000) / 20


def test_axe_and_ax_limits() -> None:
    axe = headroom(pool(Mode.AXE, PoolSlice(True, NumberRole.X, 4, 3), extension_length=1))
    assert (axe.free_capacity, axe.per_party) == (3 * 5, 3)
    ax = headroom(pool(Mode.AX, PoolSlice(True, None, 0, 8), PoolSlice(True, NumberRole.X, 1, 4)))
    assert (ax.free_capacity, ax.per_party) == (8, 5)  # one A holds at most 5 X


def test_never_when_the_pool_is_not_shrinking() -> None:
    assert headroom(pool(Mode.AXB, PoolSlice(True, None, 0, 1), binds=5, unbinds=5)).hours_to_exhaustion is None
    assert headroom(pool(Mode.AXB, PoolSlice(True, None, 0, 1))).hours_to_exhaustion is None
