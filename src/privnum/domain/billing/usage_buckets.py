"""Usage per day or per month in the billing time zone, per app or per X number and per meter: what the database
sums per quarter hour (every zone's offset is a whole number of quarter hours) rolled up into the zone's calendar
days or months. Units of different meters (minutes, segments, number-months) are never added together."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from enum import StrEnum

from privnum.domain.billing.rent import BILLING_ZONE, month_start_ms, next_month

QUARTER_HOUR_MS = 15 * 60_000
MAX_MONTHS = 12


class UsageBucket(StrEnum):
    DAY = "day"
    MONTH = "month"


class UsageGroup(StrEnum):
    APP = "app"
    X = "x"


@dataclass(frozen=True)
class UsageSlice:
    """What the database summed for one quarter hour, one group (an app id or an X number) and one meter."""

    quarter_ms: int  # the quarter hour's start, UTC ms
    group: str
    meter: str
    units: int
    amount_micros: int  # what the settled part of it was charged (unsettled usage has no price yet)
    unsettled_units: int = 0


@dataclass(frozen=True)
class UsageRow:
    bucket: str  # "YYYY-MM-DD" or "YYYY-MM", in the billing zone
    group: str
    meter: str
    units: int
    amount_micros: int
    unsettled_units: int


@dataclass(frozen=True)
class MonthSpan:
    """Whole months ``first``…``last`` ("YYYY-MM", both included) as the instants [start_ms, end_ms)."""

    first: str
    last: str
    start_ms: int
    end_ms: int


def month_span(first: str, last: str, zone: tzinfo = BILLING_ZONE) -> MonthSpan:
    """The months from ``first`` to ``last``; ValueError when either is not YYYY-MM, they are reversed, or they
    cover more than ``MAX_MONTHS`` months."""
    if last < first:
        raise ValueError(f"{last} is before {first}")
    month, count = first, 1
    while month != last:
        month, count = next_month(month), count + 1
        if count > MAX_MONTHS:
            raise ValueError(f"at most {MAX_MONTHS} months at a time")
    return MonthSpan(first, last, month_start_ms(first, zone), month_start_ms(next_month(last), zone))


def bucket_of(at_ms: int, bucket: UsageBucket, zone: tzinfo = BILLING_ZONE) -> str:
    local = datetime.fromtimestamp(at_ms / 1000, UTC).astimezone(zone)
    return f"{local:%Y-%m-%d}" if bucket is UsageBucket.DAY else f"{local:%Y-%m}"


def roll_up(slices: Iterable[UsageSlice], bucket: UsageBucket, zone: tzinfo = BILLING_ZONE) -> list[UsageRow]:
    """One row per (bucket, group, meter) with any usage, in that order."""
    totals: dict[tuple[str, str, str], list[int]] = {}
    for piece in slices:
        total = totals.setdefault((bucket_of(piece.quarter_ms, bucket, zone), piece.group, piece.meter), [0, 0, 0])
        total[0] += piece.units
        total[1] += piece.amount_micros
        total[2] += piece.unsettled_units
    return [UsageRow(key[0], key[1], key[2], units, amount, unsettled)
            for key, (units, amount, unsettled) in sorted(totals.items())]
