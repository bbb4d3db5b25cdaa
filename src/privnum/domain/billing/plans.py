"""Price plans: what each unit of each meter costs, per class of privacy number, from which instant on.

A plan has versions; the version in force at a usage record's ``occurred_at`` prices it, so a price change
never re-rates what happened before it (research/billing.md §4). Prices are integer micros, never floats.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field

from privnum.domain.billing.meters import Meter, NumberClass
from privnum.domain.billing.money import Micros, from_decimal_string

DEFAULT_INCREMENT_S = 60


class NoRate(LookupError):
    """The plan has no version in force at that instant, or its version prices no such (meter, class)."""


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class Rate:
    """The price of one unit. For the call meters a unit is one started ``increment_s`` of talk time (60: a
    started minute, Huawei's rule; 6 or 1 for per-second selling) and an answered call counts at least
    ``min_units`` (0: a call of 0 s is free, Huawei's formula; 1: Twilio/Plivo style)."""

    unit_price: Micros
    increment_s: int = DEFAULT_INCREMENT_S
    min_units: int = 0

    def __post_init__(self) -> None:
        if not _is_int(self.unit_price) or self.unit_price < 0:
            raise ValueError(f"a unit price is a whole number of micros, not below 0: {self.unit_price!r}")
        if not _is_int(self.increment_s) or self.increment_s < 1:
            raise ValueError(f"an increment is a whole number of seconds, at least 1: {self.increment_s!r}")
        if not _is_int(self.min_units) or self.min_units < 0:
            raise ValueError(f"min_units is a whole number, not below 0: {self.min_units!r}")

    def units_for(self, talk_seconds: int) -> int:
        """Billable units of an answered call of ``talk_seconds``: every started increment counts in full
        (``ceil(talk_seconds / increment_s)``), and at least ``min_units``."""
        started = -(-max(0, talk_seconds) // self.increment_s)
        return max(started, self.min_units)

    def amount(self, units: int) -> Micros:
        """The exact price of ``units``."""
        return units * self.unit_price


@dataclass(frozen=True)
class PlanVersion:
    """The rates in force from ``effective_from_ms`` (UTC ms) until the plan's next version."""

    effective_from_ms: int
    rates: Mapping[tuple[Meter, NumberClass], Rate]


@dataclass(frozen=True)
class PricePlan:
    """A named plan in one currency. ``truncate_to_cents``: each settlement journal is cut to whole cents and the
    cut recorded as a rounding discount (Huawei's 抹零, R-18); off, the ledger keeps exact micros."""

    name: str
    currency: str
    versions: tuple[PlanVersion, ...]
    truncate_to_cents: bool = False
    _starts: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.versions:
            raise ValueError(f"plan {self.name!r} has no version")
        ordered = tuple(sorted(self.versions, key=lambda v: v.effective_from_ms))
        starts = tuple(v.effective_from_ms for v in ordered)
        if len(set(starts)) != len(starts):
            raise ValueError(f"plan {self.name!r} has two versions starting at the same instant")
        object.__setattr__(self, "versions", ordered)
        object.__setattr__(self, "_starts", starts)


def version_at(plan: PricePlan, at_ms: int) -> PlanVersion:
    """The version of ``plan`` in force at ``at_ms``: the latest one with ``effective_from_ms ≤ at_ms``."""
    index = bisect_right(plan._starts, at_ms) - 1
    if index < 0:
        raise NoRate(f"plan {plan.name!r} has no version in force at {at_ms} ms "
                     f"(its first starts at {plan.versions[0].effective_from_ms} ms)")
    return plan.versions[index]


def price_at(plan: PricePlan, meter: Meter, number_class: NumberClass, at_ms: int) -> Rate:
    """The rate of ``meter`` on a number of ``number_class`` in the version of ``plan`` in force at ``at_ms``."""
    version = version_at(plan, at_ms)
    try:
        return version.rates[(meter, number_class)]
    except KeyError:
        raise NoRate(f"plan {plan.name!r} (version from {version.effective_from_ms} ms) has no rate for "
                     f"{meter.value} on {number_class.value} numbers") from None


def huawei_cn_plan(call_minute_price: Micros, *, effective_from_ms: int = 0) -> PricePlan:
    """Huawei PrivateNumber's list prices in CNY (research/billing.md §3.1) as an example plan: rent 5 a month for a
    virtual-operator number and 15 for a carrier number, SMS 0.28 / 0.27 a segment, the forwarded leg per started
    minute at ``call_minute_price`` (Huawei's list price was not found: the operator sets it), the inbound leg,
    recording and bindings free."""
    per_class = {
        Meter.CALL_FORWARDED: (call_minute_price, call_minute_price),
        Meter.CALL_INBOUND: (0, 0),
        Meter.CALL_RECORDING: (0, 0),
        Meter.SMS_FORWARDED: (from_decimal_string("0.28"), from_decimal_string("0.27")),
        Meter.NUMBER_RENT: (from_decimal_string("5"), from_decimal_string("15")),
        Meter.BINDING_CREATED: (0, 0),
    }
    rates = {}
    for meter, (virtual, carrier) in per_class.items():
        rates[(meter, NumberClass.VIRTUAL)] = Rate(virtual)
        rates[(meter, NumberClass.CARRIER)] = Rate(carrier)
    return PricePlan("huawei-cn", "CNY", (PlanVersion(effective_from_ms, rates),))
