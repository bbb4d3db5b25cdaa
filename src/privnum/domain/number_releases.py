"""Releasing a number (号码退订): the rent it still owes. Huawei charges rent per calendar month (Beijing time): a
number released on or before the 25th owes no rent for the next month; released after the 25th, it owes the
next month's rent too."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo

BEIJING = timezone(timedelta(hours=8))
LAST_RENT_FREE_DAY = 25


@dataclass(frozen=True)
class NumberRelease:
    number: str
    app_id: int
    tenant_id: int | None
    released_at_ms: int
    rent_through: str  # "YYYY-MM": the last month whose rent is owed


def rent_through(released_at_ms: int, zone: tzinfo = BEIJING) -> str:
    """The last month ("YYYY-MM") whose rent a number released at ``released_at_ms`` owes, by the calendar of
    ``zone`` (Beijing time unless the operator bills in another zone)."""
    released = datetime.fromtimestamp(released_at_ms / 1000, UTC).astimezone(zone)
    year, month = released.year, released.month
    if released.day > LAST_RENT_FREE_DAY:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return f"{year:04d}-{month:02d}"
