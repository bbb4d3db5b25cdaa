"""How much one privacy number or one user may carry, per mode (Huawei's published limits)."""

from __future__ import annotations

from privnum.domain.modes import Mode
from privnum.domain.private_numbers import NumberRole

AXB_PAIRS_PER_X = 5000
X_PER_USER = 5  # AX and AXYB: one A number holds at most 5 X in an app
AXYB_RELATIONS_PER_Y = 1000


def extension_capacity(extension_length: int) -> int:
    """Extensions of a fixed length, zero excluded: 9, 99, 999 or 9999 per X."""
    return 10**extension_length - 1


def capacity(mode: Mode, role: NumberRole, extension_length: int = 4) -> int:
    """How many bindings one number may carry in ``role`` for an app of ``mode``."""
    if mode is Mode.AXB:
        return AXB_PAIRS_PER_X
    if mode is Mode.AXE:
        return extension_capacity(extension_length)
    if mode is Mode.AXYB and role is NumberRole.Y:
        return AXYB_RELATIONS_PER_Y
    return 1  # AX, and the X of AXYB: one A per X
