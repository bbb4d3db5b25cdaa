"""Wall-clock time in milliseconds since the epoch (UTC), the unit every stored instant uses."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime


def now_ms() -> int:
    return int(time.time() * 1000)


def today_utc() -> date:
    """Today's date in UTC: the day dates such as an authorisation letter's validity are compared with."""
    return datetime.fromtimestamp(time.time(), UTC).date()
