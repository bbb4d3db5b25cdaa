"""Billing notifications (billing.md R-14, R-27): what the operator is told when a tenant's money needs attention,
and when. Pure: each event is a ``Notice`` with a key that names the event once (raising it again is a no-op) and
a JSON body — tenant id and name, kind, the figures behind it and the instant, ISO 8601 UTC."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from privnum.domain.billing.money import to_decimal_string


class NoticeKind(StrEnum):
    LOW_BALANCE = "low_balance"
    ARREARS_STARTED = "arrears_started"
    RECOVERED = "recovered"
    PACKAGE_USED_80 = "package_used_80"
    PACKAGE_USED_100 = "package_used_100"
    PACKAGE_EXPIRING = "package_expiring"


USED_KINDS = {80: NoticeKind.PACKAGE_USED_80, 100: NoticeKind.PACKAGE_USED_100}


@dataclass(frozen=True)
class Notice:
    tenant_id: int
    kind: NoticeKind
    key: str  # unique: one event, one row
    body: dict[str, Any]
    at_ms: int


def iso(at_ms: int) -> str:
    return datetime.fromtimestamp(at_ms / 1000, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _body(tenant_id: int, tenant_name: str, kind: NoticeKind, at_ms: int, **figures: Any) -> dict[str, Any]:
    return {"kind": kind.value, "tenant_id": tenant_id, "tenant": tenant_name, "at": iso(at_ms), **figures}


def is_low(balance_micros: int, threshold_micros: int | None) -> bool:
    """R-27: the balance is below the account's low-balance threshold (None: no threshold, never low)."""
    return threshold_micros is not None and balance_micros < threshold_micros


def low_since(balance_micros: int, threshold_micros: int | None, since_ms: int | None, now_ms: int) -> int | None:
    """Since when the balance has been below its threshold after it was found ``balance_micros`` at ``now_ms``
    (None: it is not); ``since_ms`` is what it was before. A crossing is where this goes from None to ``now_ms``:
    one notice per crossing, another only after the balance went back to the threshold or above."""
    if not is_low(balance_micros, threshold_micros):
        return None
    return since_ms if since_ms is not None else now_ms


def low_balance(tenant_id: int, tenant_name: str, currency: str, balance_micros: int, threshold_micros: int,
                since_ms: int) -> Notice:
    kind = NoticeKind.LOW_BALANCE
    return Notice(tenant_id, kind, f"{kind.value}:{tenant_id}:{since_ms}",
                  _body(tenant_id, tenant_name, kind, since_ms, currency=currency,
                        balance=to_decimal_string(balance_micros), threshold=to_decimal_string(threshold_micros)),
                  since_ms)


def standing_moved(tenant_id: int, tenant_name: str, currency: str, balance_micros: int, credit_limit_micros: int,
                   kind: NoticeKind, at_ms: int) -> Notice:
    """``arrears_started`` or ``recovered``, keyed by the instant the standing changed."""
    return Notice(tenant_id, kind, f"{kind.value}:{tenant_id}:{at_ms}",
                  _body(tenant_id, tenant_name, kind, at_ms, currency=currency,
                        balance=to_decimal_string(balance_micros),
                        credit_limit=to_decimal_string(credit_limit_micros)), at_ms)


@dataclass(frozen=True)
class QuotaFigures:
    package_id: int
    product: str
    meter: str
    number_class: str | None
    granted: int
    used: int
    expires_at_ms: int


def package_used(tenant_id: int, tenant_name: str, quota: QuotaFigures, percent: int, at_ms: int) -> Notice:
    """R-14: a quota of a package reached ``percent`` (80 or 100) of its units; once per package and threshold
    (a package with two quotas tells of the first to reach it)."""
    kind = USED_KINDS[percent]
    return Notice(tenant_id, kind, f"{kind.value}:{quota.package_id}",
                  _body(tenant_id, tenant_name, kind, at_ms, **_quota(quota)), at_ms)


def package_expiring(tenant_id: int, tenant_name: str, quotas: tuple[QuotaFigures, ...], at_ms: int) -> Notice:
    """R-14: the package (``quotas``: all of it, at least one) lapses within 7 days; once per package."""
    kind = NoticeKind.PACKAGE_EXPIRING
    first = quotas[0]
    return Notice(tenant_id, kind, f"{kind.value}:{first.package_id}",
                  _body(tenant_id, tenant_name, kind, at_ms, package_id=first.package_id, product=first.product,
                        expires_at=iso(first.expires_at_ms),
                        quotas=[{k: v for k, v in _quota(q).items()
                                 if k not in ("package_id", "product", "expires_at")} for q in quotas]), at_ms)


def _quota(quota: QuotaFigures) -> dict[str, Any]:
    return {"package_id": quota.package_id, "product": quota.product, "meter": quota.meter,
            "number_class": quota.number_class, "granted": quota.granted, "used": quota.used,
            "remaining": quota.granted - quota.used, "expires_at": iso(quota.expires_at_ms)}
