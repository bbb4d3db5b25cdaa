"""The time windows of record listings, exports and statistics, Huawei's limits: CDRs of the last 31 days by
default and at most 6 months (183 days) per query, 31 days per CSV export, statistics over at most 6 months
within the last 2 years with day buckets for a window of a month (31 days) or less, month buckets otherwise.

Times in requests are Unix milliseconds, ISO dates (``2026-12-01``: a Beijing day, UTC+8, as Huawei's console
shows them; as ``to`` it includes that whole day) or ISO date-times (without an offset: Beijing time).
A window is half-open: ``from`` ≤ t < ``to``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from enum import StrEnum

from privnum.domain.management_errors import Invalid

BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")
DAY_MS = 86_400_000
LIST_DEFAULT_DAYS = 31
MAX_QUERY_DAYS = 183  # Huawei: 6 months
MAX_EXPORT_DAYS = 31
MAX_DAY_BUCKET_DAYS = 31
STATS_HISTORY_DAYS = 2 * 366  # Huawei: within the last 2 years
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
LATEST_MS = 4_102_444_800_000  # 2100-01-01: later times are typing errors


class Bucket(StrEnum):
    DAY = "day"
    MONTH = "month"


@dataclass(frozen=True)
class Window:
    from_ms: int
    to_ms: int

    @property
    def days(self) -> float:
        return (self.to_ms - self.from_ms) / DAY_MS


def parse_instant(value: str | None, field: str, *, end: bool = False) -> int | None:
    """Milliseconds since the epoch of a request's time; None when absent. A date as ``end`` is the next day's
    start (the date is included)."""
    if value is None or value.strip() == "":
        return None
    value = value.strip()
    if value.isdigit():
        if len(value) > 13 or int(value) >= LATEST_MS:
            raise _invalid_time(field)
        return int(value)
    try:
        if _DATE.match(value):
            day = datetime.fromisoformat(value).replace(tzinfo=BEIJING)
            moment = (day + timedelta(days=1)) if end else day
        else:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=BEIJING)
        at = int(moment.timestamp() * 1000)
    except (ValueError, OverflowError):
        raise _invalid_time(field) from None
    if not 0 <= at < LATEST_MS:
        raise _invalid_time(field)
    return at


def _invalid_time(field: str) -> Invalid:
    return Invalid("invalid_time", f"{field} is Unix milliseconds, a date (2026-12-01, Beijing time) or an ISO "
                   "date-time (2026-12-01T08:00:00+08:00), between 1970 and 2100", field=field)


def _window(from_ms: int | None, to_ms: int | None, now_ms: int, default_days: int) -> Window:
    to = now_ms if to_ms is None else to_ms
    start = to - default_days * DAY_MS if from_ms is None else from_ms
    if start >= to:
        raise Invalid("invalid_window", "from must be before to", field="from")
    return Window(start, to)


def records_window(from_ms: int | None, to_ms: int | None, now_ms: int) -> Window:
    """A CDR listing's window: the last 31 days by default, at most 183 days (6 months)."""
    window = _window(from_ms, to_ms, now_ms, LIST_DEFAULT_DAYS)
    if window.days > MAX_QUERY_DAYS:
        raise Invalid("window_too_long", f"a query covers at most {MAX_QUERY_DAYS} days (6 months); narrow from/to",
                      field="from")
    return window


def export_window(from_ms: int | None, to_ms: int | None, now_ms: int) -> Window:
    """A CSV export's window: at most 31 days (export a longer period month by month)."""
    window = _window(from_ms, to_ms, now_ms, LIST_DEFAULT_DAYS)
    if window.days > MAX_EXPORT_DAYS:
        raise Invalid("export_too_long", f"one export covers at most {MAX_EXPORT_DAYS} days; export a longer "
                      "period month by month", field="from")
    return window


def stats_window(from_ms: int | None, to_ms: int | None, now_ms: int, bucket: Bucket | None) -> tuple[Window, Bucket]:
    """A statistics window and its buckets: ≤ 183 days within the last 2 years; day buckets up to 31 days."""
    window = _window(from_ms, to_ms, now_ms, LIST_DEFAULT_DAYS)
    if window.days > MAX_QUERY_DAYS:
        raise Invalid("window_too_long", f"statistics cover at most {MAX_QUERY_DAYS} days (6 months); narrow "
                      "from/to", field="from")
    if window.from_ms < now_ms - STATS_HISTORY_DAYS * DAY_MS:
        raise Invalid("window_too_old", "statistics reach back at most 2 years", field="from")
    chosen = bucket or (Bucket.DAY if window.days <= MAX_DAY_BUCKET_DAYS else Bucket.MONTH)
    if chosen is Bucket.DAY and window.days > MAX_DAY_BUCKET_DAYS:
        raise Invalid("too_many_buckets", f"day buckets are for windows of at most {MAX_DAY_BUCKET_DAYS} days; "
                      "use bucket=month", field="bucket")
    return window, chosen


def beijing_day(at_ms: int) -> int:
    """The Beijing (UTC+8) day number of an instant: days since 1970-01-01 in Beijing."""
    return (at_ms + 8 * 3_600_000) // DAY_MS


def day_label(day: int, bucket: Bucket) -> str:
    """``2026-12-01`` for a day bucket, ``2026-12`` for a month one."""
    date = datetime.fromtimestamp(day * DAY_MS / 1000, UTC).date()
    return date.isoformat() if bucket is Bucket.DAY else date.strftime("%Y-%m")


def bucket_labels(window: Window, bucket: Bucket) -> list[str]:
    """Every bucket of ``window`` in order (days or months, Beijing time), also those without calls."""
    labels: list[str] = []
    for day in range(beijing_day(window.from_ms), beijing_day(window.to_ms - 1) + 1):
        label = day_label(day, bucket)
        if not labels or labels[-1] != label:
            labels.append(label)
    return labels
