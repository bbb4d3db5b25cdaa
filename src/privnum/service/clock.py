"""Wall-clock time in milliseconds since the epoch (UTC), the unit every stored instant uses."""

from __future__ import annotations

import time


def now_ms() -> int:
    return int(time.time() * 1000)
