"""What the billing use cases need from storage, as protocols.

One billing action is one transaction: ``BillingUnit.run(work)`` hands ``work`` a ``BillingTx``. A journal, the
cached balance it changes and the usage records it settles are written in the same transaction, so they commit
together or not at all; the journal key's unique constraint makes every money movement happen at most once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from privnum.domain.billing.arrears import AccountStanding, BalanceSide
from privnum.domain.billing.ledger import Journal
from privnum.domain.billing.plans import PricePlan
from privnum.domain.billing.rent import RentAssignment
from privnum.domain.private_numbers import PrivateNumber
from privnum.domain.pushes import OutboundPush
from privnum.service.billing.notice_ports import NoticeTx
from privnum.service.billing.package_ports import PackageTx

T = TypeVar("T")


@dataclass(frozen=True)
class BillingAccount:
    tenant_id: int
    currency: str
    price_plan: str
    balance_micros: int
    credit_limit_micros: int
    standing: str
    short_since_ms: int | None = None  # the balance's side of the credit line (domain BalanceSide)
    covered_since_ms: int | None = None


@dataclass(frozen=True)
class CallToRate:
    """An ended call (a ``cdrs`` row) not yet ingested, with whose account it bills and its X's number type."""

    tenant_id: int
    price_plan: str
    app_id: int
    icid: str
    privacy_number: str
    number_type: str | None
    answered_at_ms: int | None
    ended_at_ms: int
    recorded: bool


@dataclass(frozen=True)
class TextToRate:
    """A finished text (an ``sms_messages`` row) not yet ingested."""

    tenant_id: int
    app_id: int
    sms_id: str
    privacy_number: str
    number_type: str | None
    segments: int
    send_result: int | None
    received_at_ms: int


@dataclass(frozen=True)
class NewUsage:
    tenant_id: int
    app_id: int
    source: str  # cdr | sms | rent
    key: str
    meter: str
    number_class: str
    x_number: str
    quantity: int
    units: int
    occurred_at_ms: int


@dataclass(frozen=True)
class StoredUsage:
    id: int
    meter: str
    number_class: str
    units: int
    occurred_at_ms: int


@dataclass(frozen=True)
class RatedLine:
    usage_record_id: int
    units: int
    unit_price_micros: int
    package_id: int | None = None  # None: pay as you go

    @property
    def amount_micros(self) -> int:
        return self.units * self.unit_price_micros


@dataclass(frozen=True)
class TenantNumber:
    """A number assigned to one of a tenant's apps, and where that app wants numStatus pushes (None: it does
    not)."""

    app_id: int
    number: PrivateNumber
    status_url: str | None


class BillingTx(PackageTx, NoticeTx, Protocol):
    async def tenant_id(self, name: str) -> int | None: ...

    async def account(self, tenant_id: int, *, lock: bool = False) -> BillingAccount | None:
        """The tenant's account; ``lock``: held until the transaction ends (PostgreSQL's FOR UPDATE; SQLite has
        one writer anyway), so two runs of one job for one tenant take turns and the second finds the journal."""

    async def open_account(self, tenant_id: int, currency: str, price_plan: str, now_ms: int) -> None:
        """Create the tenant's account, or move it to another plan."""

    async def plan(self, name: str) -> PricePlan | None: ...

    async def add_plan_version(self, plan: PricePlan, now_ms: int) -> int:
        """Store the newest version of ``plan`` (its last); its version number."""

    async def calls_to_rate(self, limit: int) -> Sequence[CallToRate]:
        """Answered calls of billed tenants with no usage record yet."""

    async def texts_to_rate(self, limit: int) -> Sequence[TextToRate]:
        """Finished, sent texts of billed tenants with no usage record yet."""

    async def add_usage(self, records: Sequence[NewUsage], now_ms: int) -> int:
        """Insert the records, skipping any already there (unique app, source, key, meter); how many were new."""

    async def tenants_with_unsettled(self, before_ms: int, sources: Sequence[str]) -> Sequence[int]: ...

    async def oldest_unsettled(self, sources: Sequence[str]) -> int | None:
        """The earliest ``occurred_at_ms`` of any unsettled usage record from ``sources``; None when none is."""

    async def unsettled(self, tenant_id: int, before_ms: int, sources: Sequence[str]) -> Sequence[StoredUsage]:
        """The tenant's unsettled usage records from ``sources`` with ``occurred_at_ms < before_ms``."""

    async def mark_settled(self, tenant_id: int, lines: Sequence[RatedLine], settlement_key: str) -> None:
        """Write the rated lines and mark their usage records (the tenant's) settled under ``settlement_key``;
        no other record, not even one of the tenant's ingested meanwhile."""

    async def post(self, tenant_id: int, entry: Journal, memo: str | None) -> bool:
        """Write the journal and its postings and move the tenant's cached balance by its wallet change; False
        (nothing written) when a journal of that key exists."""

    async def has_journal(self, key: str) -> bool: ...

    async def set_credit_limit(self, tenant_id: int, credit_limit_micros: int) -> None: ...

    async def set_standing(self, tenant_id: int, standing: AccountStanding, side: BalanceSide,
                           changed_at_ms: int | None) -> None:
        """Store the account's standing and its balance's side; ``changed_at_ms``: the standing changed then."""

    async def tenants_to_watch(self) -> Sequence[int]:
        """Tenants whose standing may change with time alone: in arrears, or short and within their grace."""

    async def tenant_numbers(self, tenant_id: int) -> Sequence[TenantNumber]: ...

    async def enqueue(self, pushes: Sequence[OutboundPush], now_ms: int) -> None:
        """Add pushes to the outbox, committed with the transaction."""

    async def rent_assignments(self, month_start_ms: int) -> Sequence[tuple[int, RentAssignment]]:
        """(app_id, assignment) of every number of a billed tenant assigned, or released during the month before
        ``month_start_ms`` or later (the domain decides which of those still owe the month)."""

    async def rent_usage(self, tenant_id: int, keys: Sequence[str]) -> Mapping[str, StoredUsage | None]:
        """The tenant's rent usage records of ``keys`` (``<number>:<YYYY-MM>``), in any of its apps: each key found,
        with its record while unsettled, None once settled."""


class BillingUnit(Protocol):
    async def run(self, work: Callable[[BillingTx], Awaitable[T]], *, read_only: bool = False) -> T: ...


class JobLeases(Protocol):
    async def take(self, name: str, holder: str, until_ms: int, now_ms: int) -> bool:
        """Hold lease ``name`` until ``until_ms`` if it is free, expired or ``holder``'s already; whether held."""

    async def release(self, name: str, holder: str) -> None: ...
