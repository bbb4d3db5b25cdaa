"""Call statistics per bucket (and group): the database counts per Beijing day, these rules roll days up to
the requested buckets and derive the connect rate. Minutes are billed minutes: each answered call counts its
started minutes (61 s = 2). SMS are the messages relayed with ``sendResult`` 0, and their segments."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from privnum.domain.records.windows import Bucket, day_label


@dataclass(frozen=True)
class DayCount:
    """What the database counted for one Beijing day and group (``group`` "" when not grouped)."""

    day: int
    group: str
    calls: int = 0
    answered: int = 0
    minutes: int = 0
    binds: int = 0
    unbinds: int = 0
    sms: int = 0
    sms_segments: int = 0


@dataclass(frozen=True)
class BucketStats:
    bucket: str  # 2026-12-01 or 2026-12
    group: str
    calls: int
    answered: int
    minutes: int
    binds: int
    unbinds: int = 0
    sms: int = 0
    sms_segments: int = 0

    @property
    def connect_rate(self) -> float:
        """Answered / calls, 0 when there were no calls, rounded to 4 places."""
        return round(self.answered / self.calls, 4) if self.calls else 0.0


def billed_minutes(talk_seconds: int) -> int:
    return -(-max(0, talk_seconds) // 60)


def roll_up(days: Iterable[DayCount], bucket: Bucket) -> list[BucketStats]:
    """Sum day counts into buckets, in bucket then group order."""
    sums: dict[tuple[str, str], list[int]] = {}
    for d in days:
        total = sums.setdefault((day_label(d.day, bucket), d.group), [0] * 7)
        for i, count in enumerate((d.calls, d.answered, d.minutes, d.binds, d.unbinds, d.sms, d.sms_segments)):
            total[i] += count
    return [BucketStats(label, group, *numbers) for (label, group), numbers in sorted(sums.items())]
