"""What the number use cases (inventory, orders, the numbers list, release, lock) need from storage, inside one
management transaction. The race between two operators taking the same stock is settled by the database:
``take_from_stock`` is a conditional UPDATE (… WHERE app_id IS NULL)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from privnum.domain.modes import Mode
from privnum.domain.number_inventory import NumberType, StockCount, StockNumber
from privnum.domain.number_orders import NumberOrder, OrderLine, OrderState
from privnum.domain.number_releases import NumberRelease
from privnum.domain.private_numbers import PrivateNumber
from privnum.service.paging import Page, PageRequest


@dataclass(frozen=True)
class NumberFilter:
    tenant_id: int | None = None  # None: every number, stock included (operators)
    app_id: int | None = None
    status: str | None = None  # idle, bound, frozen, blacklisted, unavailable, locked, in_stock
    area_code: str | None = None
    number_type: NumberType | None = None
    query: str | None = None  # part of the number


@dataclass(frozen=True)
class NumberListing:
    """A number with what the list shows of its app."""

    number: PrivateNumber
    tenant_id: int | None = None
    app_name: str | None = None
    app_mode: Mode | None = None
    extension_length: int = 4


@dataclass(frozen=True)
class OrderableApp:
    """An active app of an approved enterprise of the tenant: what an order may be placed for."""

    app_id: int
    app_name: str
    enterprise_id: int
    enterprise_name: str
    mode: Mode
    sms_enabled: bool


@dataclass(frozen=True)
class NewOrder:
    tenant_id: int | None
    enterprise_id: int
    app_id: int
    sms_required: bool
    note: str
    lines: tuple[OrderLine, ...]
    created_by: str


class NumberRows(Protocol):
    async def known_numbers(self, numbers: Sequence[str]) -> set[str]:
        """Those of ``numbers`` already in the numbers table (in stock or in an app's pool)."""
        ...

    async def insert_stock(self, stock: Sequence[StockNumber], now_ms: int) -> bool:
        """Insert all of them (no app), or none (False) when one is already known."""
        ...

    async def stock_counts(self) -> list[StockCount]: ...

    async def listing(self, where: NumberFilter, page: PageRequest) -> Page[NumberListing]: ...

    async def listing_after(self, where: NumberFilter, after: str | None, limit: int) -> list[NumberListing]:
        """The next ``limit`` numbers after ``after`` in number order (for streaming every row)."""
        ...

    async def number_listing(self, number: str) -> NumberListing | None: ...

    async def return_to_stock(self, number: str, app_id: int, now_ms: int) -> bool:
        """Take an unbound number out of ``app_id``'s pool back to stock; False when it is no longer that app's or
        carries bindings."""
        ...

    async def insert_release(self, release: NumberRelease, order_id: int | None, released_by: str) -> None: ...

    async def set_lock(self, number: str, locked: bool, reason: str | None, now_ms: int) -> None: ...

    async def stock_in(self, area_code: str, number_type: NumberType, sms_required: bool) -> int:
        """How many unlocked, available numbers of that city code and type are in stock."""
        ...

    async def stock_candidates(self, area_code: str, number_type: NumberType, sms_required: bool,
                               limit: int) -> list[str]: ...

    async def take_from_stock(self, number: str, app_id: int, order_id: int, now_ms: int) -> bool:
        """Assign a stock number to the app; False when someone else took it first."""
        ...

    async def order_numbers(self, order_id: int) -> list[PrivateNumber]: ...


class OrderRows(Protocol):
    async def orderable_apps(self, tenant_id: int | None) -> list[OrderableApp]: ...

    async def insert_order(self, order: NewOrder, now_ms: int) -> int: ...

    async def order(self, order_id: int) -> NumberOrder | None: ...

    async def orders(self, tenant_id: int | None, state: OrderState | None, page: PageRequest) -> Page[NumberOrder]: ...

    async def rewrite_order(self, order_id: int, lines: tuple[OrderLine, ...], sms_required: bool, note: str,
                            now_ms: int) -> None: ...

    async def move_order(self, order_id: int, from_states: Sequence[OrderState], to: OrderState, now_ms: int) -> bool:
        """Move the order to ``to`` when it is in one of ``from_states``; False (changing nothing) otherwise."""
        ...

    async def set_issued(self, order_id: int, area_code: str, number_type: NumberType, issued: int) -> None: ...


class NumberManagementRows(NumberRows, OrderRows, Protocol):
    """The number area's rows of a management transaction."""
