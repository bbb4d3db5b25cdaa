"""Wall-clock time in milliseconds since the epoch (UTC), the unit every stored instant uses."""

from __future__ import annotations

import time
from datetime import UTC, datetime


def now_ms() -> int:
    return int(time.time() * 1000)


def huawei_time(ms: int) -> str:
    """Huawei's timestamp form: UTC ``yyyy-MM-dd HH:mm:ss``."""
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S")
