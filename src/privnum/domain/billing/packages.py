"""Packages (套餐包, billing.md R-9…R-14): bought quotas of minutes or SMS that usage draws on before it is charged
pay-as-you-go. A package starts at the next full hour after purchase and lasts whole calendar months, so no
package starts or ends inside an hourly settlement window (R-13)."""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, tzinfo
from enum import StrEnum
from zoneinfo import ZoneInfo

from privnum.domain.billing.meters import Meter, NumberClass

HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS
EXPIRY_WARNING_MS = 7 * DAY_MS
USED_THRESHOLDS_PERCENT = (80, 100)
BILLING_ZONE = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Quota:
    """So many units of ``meter`` for numbers of ``number_class`` (None: any class)."""

    meter: str
    number_class: str | None
    units: int


@dataclass(frozen=True)
class PackageProduct:
    product_id: int
    name: str
    price_micros: int
    quotas: tuple[Quota, ...]
    validity_months: int = 12
    currency: str = "CNY"


@dataclass(frozen=True)
class QuotaBalance:
    meter: str
    number_class: str | None
    granted: int
    used: int = 0

    @property
    def remaining(self) -> int:
        return self.granted - self.used

    def covers(self, meter: str, number_class: str) -> bool:
        return self.meter == meter and self.number_class in (None, number_class)


@dataclass(frozen=True)
class Package:
    """A bought package: an instance of a product with its own window and what is left of each quota."""

    package_id: int
    product_id: int
    purchased_at_ms: int
    effective_from_ms: int
    expires_at_ms: int
    balances: tuple[QuotaBalance, ...]

    def is_in_force(self, at_ms: int) -> bool:
        """R-11: effective_from ≤ t < expires_at."""
        return self.effective_from_ms <= at_ms < self.expires_at_ms

    def state_at(self, at_ms: int) -> PackageState:
        if at_ms < self.effective_from_ms:
            return PackageState.NOT_YET
        return PackageState.IN_FORCE if at_ms < self.expires_at_ms else PackageState.EXPIRED


class PackageState(StrEnum):
    NOT_YET = "not_yet"  # bought; in force from the next full hour
    IN_FORCE = "in_force"
    EXPIRED = "expired"


def effective_from(bought_at_ms: int) -> int:
    """R-10: the next full hour (UTC) strictly after the purchase: 10:03 → 11:00, 11:00:00 → 12:00."""
    return (bought_at_ms // HOUR_MS + 1) * HOUR_MS


def add_months(at_ms: int, months: int, zone: tzinfo = BILLING_ZONE) -> int:
    """``at_ms`` plus ``months`` calendar months on the wall clock of ``zone``. A day the target month lacks is
    its last day: 31 January + 1 month = 28 (or 29) February, 31 March + 1 month = 30 April. The result is
    floored to a full UTC hour, so a package still ends on a settlement boundary in any zone."""
    local = datetime.fromtimestamp(at_ms / 1000, UTC).astimezone(zone)
    month_index = local.month - 1 + months
    year, month = local.year + month_index // 12, month_index % 12 + 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    moved = local.replace(year=year, month=month, day=day, tzinfo=zone)
    return int(moved.timestamp()) * 1000 // HOUR_MS * HOUR_MS


def expires_at(effective_from_ms: int, validity_months: int = 12, zone: tzinfo = BILLING_ZONE) -> int:
    """R-10: effective_from + validity, in calendar months of the billing time zone (see add_months)."""
    return add_months(effective_from_ms, validity_months, zone)


def bought(product: PackageProduct, package_id: int, bought_at_ms: int, zone: tzinfo = BILLING_ZONE) -> Package:
    """The package ``product`` becomes when bought at ``bought_at_ms``; packages bought in one order share
    ``bought_at_ms``, hence both instants (H-21)."""
    start = effective_from(bought_at_ms)
    end = expires_at(start, product.validity_months, zone)
    return Package(package_id, product.product_id, bought_at_ms, start, end, tuple(
        QuotaBalance(q.meter, q.number_class, q.units) for q in product.quotas))


@dataclass(frozen=True)
class PurchaseRefusal:
    code: str  # no_number | insufficient_funds
    reason: str


def purchase_refusal(product: PackageProduct, assigned_numbers: int, balance_micros: int,
                     credit_limit_micros: int) -> PurchaseRefusal | None:
    """R-10: why this purchase is refused (no number held; funds short), or None when it may go ahead."""
    if assigned_numbers < 1:
        return PurchaseRefusal("no_number", "a package needs at least one assigned number")
    if balance_micros + credit_limit_micros < product.price_micros:
        return PurchaseRefusal("insufficient_funds", "balance and credit do not cover the price")
    return None


def used_percent(quota: QuotaBalance) -> int:
    """How much of the quota is used, in whole per cent rounded down (99.9 % used is 99, not 100)."""
    return quota.used * 100 // quota.granted if quota.granted > 0 else 100


@dataclass(frozen=True)
class Draw:
    """Units one usage took from one quota of one package."""

    package_id: int
    meter: str
    number_class: str | None  # the quota's filter
    units: int


@dataclass(frozen=True)
class Drawdown:
    draws: tuple[Draw, ...]
    payg_units: int

    @property
    def package_units(self) -> int:
        return sum(d.units for d in self.draws)


def draw_order(packages: Iterable[Package], meter: str, number_class: str,
               at_ms: int) -> list[tuple[Package, QuotaBalance]]:
    """R-11/R-12: the quotas usage at ``at_ms`` may draw on, in the order it draws them: class-restricted before
    any-class, then earliest expiry, earliest start, earliest purchase, lowest package id."""
    eligible = [(p, q) for p in packages if p.is_in_force(at_ms)
                for q in p.balances if q.covers(meter, number_class) and q.remaining > 0]
    return sorted(eligible, key=lambda pq: (pq[1].number_class is None, pq[0].expires_at_ms,
                                            pq[0].effective_from_ms, pq[0].purchased_at_ms, pq[0].package_id))


def draw(packages: Iterable[Package], meter: str, number_class: str, units: int, at_ms: int) -> Drawdown:
    """R-12: take ``units`` whole units from the packages in force, in draw order; what they lack is PAYG.
    A 12-minute call against 10 left in P1 takes 10 from P1, then 2 from P2, or 2 at PAYG if no P2."""
    if units < 0:
        raise ValueError(f"usage of {units} units")
    draws: list[Draw] = []
    left = units
    for package, quota in draw_order(packages, meter, number_class, at_ms):
        if left == 0:
            break
        taken = min(left, quota.remaining)
        draws.append(Draw(package.package_id, quota.meter, quota.number_class, taken))
        left -= taken
    return Drawdown(tuple(draws), left)


def after_draws(packages: Sequence[Package], draws: Iterable[Draw]) -> list[Package]:
    """The packages with ``draws`` taken from their quotas; refuses a draw beyond what is left."""
    used: dict[tuple[int, str, str | None], int] = {}
    for d in draws:
        used[(d.package_id, d.meter, d.number_class)] = used.get((d.package_id, d.meter, d.number_class), 0) + d.units
    updated = []
    for package in packages:
        balances = []
        for q in package.balances:
            taken = used.pop((package.package_id, q.meter, q.number_class), 0)
            if taken > q.remaining:
                raise ValueError(f"package {package.package_id} has {q.remaining} {q.meter} left, not {taken}")
            balances.append(replace(q, used=q.used + taken))
        updated.append(replace(package, balances=tuple(balances)))
    if used:
        raise ValueError(f"draws on quotas that are not among the packages: {sorted(used)}")
    return updated


def thresholds_crossed(before: QuotaBalance, after: QuotaBalance) -> tuple[int, ...]:
    """R-14: the use thresholds (80 %, 100 %) a quota crossed going from ``before`` to ``after``."""
    if before.granted <= 0:
        return ()
    return tuple(t for t in USED_THRESHOLDS_PERCENT
                 if before.used * 100 < t * before.granted <= after.used * 100)


def expires_within_7_days(package: Package, now_ms: int) -> bool:
    """R-14: the package lapses within 7 days of ``now_ms`` (and has not lapsed yet)."""
    return package.expires_at_ms - EXPIRY_WARNING_MS <= now_ms < package.expires_at_ms


MAX_VALIDITY_MONTHS = 120
PRODUCT_NAME_MAX = 64
MAX_PRICE_MICROS = 10**15  # a billion in the currency
MAX_QUOTA_UNITS = 10**12


def product_refusal(product: PackageProduct) -> str | None:
    """R-9: why ``product`` cannot be in the catalogue, or None. A quota is a positive number of units of a usage
    meter — never ``number.rent``, which no package covers (H-25) — for one number class or any (None), at most one
    quota per (meter, class)."""
    if not 1 <= len(product.name.strip()) <= PRODUCT_NAME_MAX:
        return f"a package product's name is 1 to {PRODUCT_NAME_MAX} characters"
    if not 0 <= product.price_micros <= MAX_PRICE_MICROS:
        return f"a package's price is 0 to {MAX_PRICE_MICROS // 1_000_000}"
    if not 1 <= product.validity_months <= MAX_VALIDITY_MONTHS:
        return f"a package is valid for 1 to {MAX_VALIDITY_MONTHS} months"
    if not product.quotas:
        return "a package product needs at least one quota"
    meters = {m.value for m in Meter} - {Meter.NUMBER_RENT.value}
    classes = {c.value for c in NumberClass}
    seen: set[tuple[str, str | None]] = set()
    for quota in product.quotas:
        if quota.meter not in meters:
            return f"a quota's meter is one of {', '.join(sorted(meters))}, not {quota.meter!r}"
        if quota.number_class is not None and quota.number_class not in classes:
            return (f"a quota's number class is {' or '.join(sorted(classes))} (or none: any), "
                    f"not {quota.number_class!r}")
        if not 0 < quota.units <= MAX_QUOTA_UNITS:
            return f"a quota of {quota.meter} is a positive number of units, at most {MAX_QUOTA_UNITS}"
        if (quota.meter, quota.number_class) in seen:
            return f"two quotas of {quota.meter} for {quota.number_class or 'any class'}"
        seen.add((quota.meter, quota.number_class))
    return None
