"""What the billing views (accounts, usage, statements, the rated lines' export) and the operators' credit limits
need from storage, as protocols. Reads see one consistent snapshot per ``BillingReportUnit.run``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from privnum.domain.billing.ledger import Journal
from privnum.domain.billing.usage_buckets import UsageGroup, UsageSlice
from privnum.service.billing.ports import BillingAccount

T = TypeVar("T")


@dataclass(frozen=True)
class AccountSummary:
    account: BillingAccount
    tenant_name: str


@dataclass(frozen=True)
class JournalLine:
    """A journal as a statement lists it: what it did to the wallet."""

    key: str
    kind: str
    at_ms: int
    memo: str | None
    wallet_change_micros: int  # + raises the balance, − lowers it


@dataclass(frozen=True)
class LineToExport:
    """A rated line with the usage record it prices and the call or text behind it (None for the other sources)."""

    id: int
    occurred_at_ms: int
    source: str  # cdr | sms | rent
    meter: str
    number_class: str
    app_id: int
    app_name: str | None
    x_number: str
    key: str  # the icid, the sms id, or <number>:<YYYY-MM> for rent
    settlement_key: str | None
    units: int
    unit_price_micros: int
    amount_micros: int
    caller: str | None = None
    callee: str | None = None
    answered_at_ms: int | None = None
    ended_at_ms: int | None = None
    talk_seconds: int | None = None
    segments: int | None = None


class BillingReportTx(Protocol):
    async def accounts(self, tenant_id: int | None) -> Sequence[AccountSummary]:
        """Every billing account (``tenant_id`` None) or that tenant's, by tenant id."""
        ...

    async def usage_slices(self, tenant_id: int, start_ms: int, end_ms: int, by: UsageGroup) -> Sequence[UsageSlice]:
        """The tenant's usage records in [start_ms, end_ms) summed per quarter hour, group and meter, with what
        their rated lines charged."""
        ...

    async def app_names(self, app_ids: Sequence[int]) -> dict[int, str]: ...

    async def wallet_balance_before(self, tenant_id: int, before_ms: int) -> int:
        """−Σ of the tenant's wallet postings in journals before ``before_ms``."""
        ...

    async def journals(self, tenant_id: int, start_ms: int, end_ms: int) -> Sequence[tuple[Journal, str | None]]:
        """The tenant's journals in [start_ms, end_ms) with their postings and memos, oldest first."""
        ...

    async def lines_after(self, tenant_id: int, start_ms: int, end_ms: int, after_id: int,
                          limit: int) -> Sequence[LineToExport]:
        """The next ``limit`` rated lines (by id, after ``after_id``) of usage in [start_ms, end_ms)."""
        ...


class BillingReportUnit(Protocol):
    async def run(self, work: Callable[[BillingReportTx], Awaitable[T]], *, read_only: bool = False) -> T: ...
