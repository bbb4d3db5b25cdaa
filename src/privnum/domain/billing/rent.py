"""Number rent (billing.md R-19…R-21, Huawei H-28…H-31): which months an assignment of a number to a customer is
charged for, and when. The month of assignment is charged at once, in full; each later month M is charged on its
1st at 00:10 in the billing time zone, for every assignment made before M began and not returned by the cut-off
of the 25th (the rule number_releases.rent_through already applies to releases). A number's state does not
matter: frozen, paused or unavailable numbers pay like normal ones (H-29); only a return stops rent."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo

from privnum.domain.number_releases import rent_through

BILLING_ZONE = ZoneInfo("Asia/Shanghai")
RENT_JOB_DELAY_MS = 10 * 60_000  # the monthly job runs at 00:10 on the 1st
_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


@dataclass(frozen=True)
class RentAssignment:
    customer_id: int
    number: str
    number_class: str  # "virtual", "carrier", …: picks the rent's price
    assigned_at_ms: int
    return_requested_at_ms: int | None = None


@dataclass(frozen=True)
class RentCharge:
    month: str  # "YYYY-MM"
    due_at_ms: int


def month_of(at_ms: int, zone: tzinfo = BILLING_ZONE) -> str:
    """The calendar month ("YYYY-MM") of ``at_ms`` in ``zone``."""
    return f"{datetime.fromtimestamp(at_ms / 1000, UTC).astimezone(zone):%Y-%m}"


def month_start_ms(month: str, zone: tzinfo = BILLING_ZONE) -> int:
    """The instant ``month`` ("YYYY-MM") begins in ``zone``."""
    year, number = _parse(month)
    return int(datetime(year, number, 1, tzinfo=zone).timestamp()) * 1000


def next_month(month: str) -> str:
    year, number = _parse(month)
    return f"{year + 1:04d}-01" if number == 12 else f"{year:04d}-{number + 1:02d}"


def last_month_owed(assignment: RentAssignment, zone: tzinfo = BILLING_ZONE) -> str | None:
    """The last month whose rent the assignment owes; None while no return is requested."""
    if assignment.return_requested_at_ms is None:
        return None
    return rent_through(assignment.return_requested_at_ms, zone)


def is_charged_for(assignment: RentAssignment, month: str, zone: tzinfo = BILLING_ZONE) -> bool:
    """Whether ``month``'s rent is owed: from the month of assignment up to the last month owed (a return requested
    on or before the 25th 23:59:59 of M−1 spares M; one requested later owes M and spares M+1)."""
    last = last_month_owed(assignment, zone)
    return month_of(assignment.assigned_at_ms, zone) <= _checked(month) and (last is None or month <= last)


def is_due_on_the_first(assignment: RentAssignment, month: str, zone: tzinfo = BILLING_ZONE) -> bool:
    """R-20: the monthly job for ``month`` charges this assignment (made before ``month`` began, not returned by
    the cut-off); the month of assignment itself was charged when the number was assigned."""
    return assignment.assigned_at_ms < month_start_ms(month, zone) and is_charged_for(assignment, month, zone)


def rent_charges(assignment: RentAssignment, until_ms: int, zone: tzinfo = BILLING_ZONE) -> list[RentCharge]:
    """Every rent charge the assignment has incurred by ``until_ms``: its own month at the instant of assignment,
    then each month owed on its 1st at 00:10."""
    if until_ms < assignment.assigned_at_ms:
        return []
    charges = [RentCharge(month_of(assignment.assigned_at_ms, zone), assignment.assigned_at_ms)]
    for month in _months_after(charges[0].month):
        due = month_start_ms(month, zone) + RENT_JOB_DELAY_MS
        if due > until_ms or not is_charged_for(assignment, month, zone):
            break
        charges.append(RentCharge(month, due))
    return charges


def rent_key(customer_id: int, month: str) -> str:
    """The journal key of the monthly rent job's charge to a customer: ``rent:<customer>:<YYYY-MM>``."""
    return f"rent:{customer_id}:{_checked(month)}"


def assignment_rent_key(customer_id: int, number: str, month: str) -> str:
    """The journal key of the rent charged at once when ``number`` is assigned: ``rent:<customer>:<YYYY-MM>:<number>``
    (apart from the monthly key, which covers numbers assigned before the month)."""
    return f"{rent_key(customer_id, month)}:{number}"


def rent_usage_key(number: str, month: str) -> str:
    """The key of the usage record of ``number``'s rent for ``month``, at assignment and in the monthly job alike:
    ``<number>:<YYYY-MM>`` (unique per app with source ``rent``, so a number's month is recorded once)."""
    return f"{number}:{_checked(month)}"


def _months_after(month: str) -> Iterator[str]:
    while True:
        month = next_month(month)
        yield month


def _checked(month: str) -> str:
    if not _MONTH.fullmatch(month):
        raise ValueError(f"a month is YYYY-MM, not {month!r}")
    return month


def _parse(month: str) -> tuple[int, int]:
    year, number = _checked(month).split("-")
    return int(year), int(number)
