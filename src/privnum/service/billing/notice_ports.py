"""What billing notifications need from storage (billing.md R-14, R-27): the billing transaction raises them with
the posting or draw that caused them (``NoticeTx``, which ``BillingTx`` also speaks), and the deliverer claims and
settles them outside any transaction that moves money (``NoticeOutbox``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from privnum.domain.billing.notices import Notice, QuotaFigures


@dataclass(frozen=True)
class LowBalance:
    threshold_micros: int | None  # None: no threshold
    since_ms: int | None  # below it since (None: not below)


@dataclass(frozen=True)
class ExpiringPackage:
    tenant_id: int
    quotas: tuple[QuotaFigures, ...]  # one per quota of the package; all share its id, product and expiry


@dataclass(frozen=True)
class StoredNotice:
    id: int
    tenant_id: int
    tenant_name: str
    kind: str
    key: str
    body: str  # JSON, byte for byte what the webhook receives
    created_at_ms: int
    delivered_at_ms: int | None
    attempts: int
    next_attempt_at_ms: int
    last_error: str | None


class NoticeTx(Protocol):
    async def tenant_name(self, tenant_id: int) -> str: ...

    async def low_balance(self, tenant_id: int) -> LowBalance: ...

    async def set_low_balance(self, tenant_id: int, threshold_micros: int | None) -> None:
        """Store the threshold; the balance counts as not below it until the next look (``set_low_since``)."""

    async def set_low_since(self, tenant_id: int, since_ms: int | None) -> None: ...

    async def raise_notice(self, notice: Notice, now_ms: int) -> bool:
        """Store ``notice`` due for delivery at ``now_ms``, unless one of its key exists; whether it was new."""

    async def package_quotas(self, package_ids: Sequence[int]) -> Sequence[QuotaFigures]:
        """Every quota of those packages as it stands now."""

    async def packages_expiring(self, from_ms: int, until_ms: int) -> Sequence[ExpiringPackage]:
        """Packages of any tenant expiring in ``(from_ms, until_ms]`` not yet told of (no ``package_expiring``)."""

    async def notices(self, tenant_id: int | None, undelivered: bool, limit: int) -> Sequence[StoredNotice]:
        """The newest notifications first, of one tenant or all, only the undelivered ones or all."""


@dataclass(frozen=True)
class ClaimedNotice:
    id: int
    key: str
    body: str
    attempts: int  # before this one
    lease_until_ms: int


@dataclass(frozen=True)
class NoticeOutcome:
    notice: ClaimedNotice
    delivered: bool
    error: str | None
    at_ms: int


class NoticeOutbox(Protocol):
    async def claim(self, now_ms: int, limit: int, lease_ms: int) -> Sequence[ClaimedNotice]:
        """Undelivered notifications due at ``now_ms``, each leased until ``now + lease_ms`` (its next attempt
        moves there, so one whose deliverer died falls due again by itself); oldest first."""

    async def record(self, outcomes: Sequence[NoticeOutcome], time_scale: float) -> None:
        """Delivered ones are done; a failed one is due again after the retry ladder's delay (its last rung
        once past the end: an operator's notice is never dropped)."""
