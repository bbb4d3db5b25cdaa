"""Number orders (号码订购): a tenant asks for numbers per city and type for one app; an operator reviews the order
and issues numbers from stock.

States: ``pending_review`` (待审核) → ``processing`` (处理中, approved) → ``completed`` (完成, issued);
``rejected`` (审核不通过) → edited and resubmitted → ``pending_review``; ``cancelled`` only from
``pending_review``. ``processing`` and ``completed`` orders cannot be changed: place a new order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from privnum.domain.areas import normalize_area_code
from privnum.domain.management_errors import Conflict, Invalid
from privnum.domain.number_inventory import NumberType, parse_number_type

MAX_LINES = 100
MAX_QUANTITY = 1000
MAX_NOTE_LENGTH = 500


class OrderState(StrEnum):
    PENDING_REVIEW = "pending_review"
    PROCESSING = "processing"
    COMPLETED = "completed"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


EDITABLE = frozenset({OrderState.PENDING_REVIEW, OrderState.REJECTED})


@dataclass(frozen=True)
class OrderLine:
    area_code: str
    number_type: NumberType
    quantity: int
    city: str | None = None
    issued: int = 0


@dataclass(frozen=True)
class NumberOrder:
    id: int
    tenant_id: int | None
    enterprise_id: int
    app_id: int
    state: OrderState
    sms_required: bool
    note: str
    lines: tuple[OrderLine, ...]
    created_by: str
    created_at_ms: int
    updated_at_ms: int
    completed_at_ms: int | None = None
    app_name: str = ""
    enterprise_name: str = ""

    @property
    def label(self) -> str:
        return f"order {self.id}: {self.requested} numbers for {self.app_name or self.app_id}"

    @property
    def requested(self) -> int:
        return sum(line.quantity for line in self.lines)


@dataclass(frozen=True)
class RequestedLine:
    """One line as the tenant sent it, before the checks."""

    area_code: str
    number_type: str
    quantity: int
    city: str | None = None


@dataclass(frozen=True)
class Shortfall:
    area_code: str
    number_type: NumberType
    wanted: int
    in_stock: int

    def __str__(self) -> str:
        return f"{self.area_code} {self.number_type.value}: {self.wanted - self.in_stock} short " \
               f"({self.wanted} wanted, {self.in_stock} in stock)"


@dataclass(frozen=True)
class OrderRequest:
    enterprise_id: int
    app_id: int
    lines: Sequence[RequestedLine] = field(default_factory=tuple)
    sms_required: bool = False
    note: str = ""


def check_lines(lines: Sequence[RequestedLine]) -> tuple[OrderLine, ...]:
    """The order's lines, checked: 1 to 100 lines, 1 to 1000 numbers each, one line per city code and type."""
    if not lines:
        raise Invalid("no_lines", "an order has at least one line (city code, type, quantity)", field="lines")
    if len(lines) > MAX_LINES:
        raise Invalid("too_many_lines", f"an order has at most {MAX_LINES} lines (cities); place a second order "
                      "for the rest", field="lines")
    checked: list[OrderLine] = []
    seen: set[tuple[str, NumberType]] = set()
    for index, line in enumerate(lines):
        where = f"lines.{index}"
        area_code = normalize_area_code(line.area_code)
        if area_code is None:
            raise Invalid("invalid_area_code", f"line {index + 1}: {line.area_code!r} is not a city code such as "
                          "0755", field=f"{where}.area_code")
        number_type = parse_number_type(line.number_type)
        if number_type is None:
            raise Invalid("invalid_number_type", f"line {index + 1}: the number type is carrier or virtual",
                          field=f"{where}.number_type")
        if not 1 <= line.quantity <= MAX_QUANTITY:
            raise Invalid("invalid_quantity", f"line {index + 1}: a quantity is 1 to {MAX_QUANTITY}",
                          field=f"{where}.quantity")
        if (area_code, number_type) in seen:
            raise Invalid("duplicate_line", f"line {index + 1}: {area_code} {number_type.value} is already "
                          "ordered on another line; add the quantities up in one line", field=f"{where}.area_code")
        seen.add((area_code, number_type))
        city = (line.city or "").strip() or None
        if city is not None and len(city) > 32:
            raise Invalid("invalid_city", f"line {index + 1}: a city has at most 32 characters",
                          field=f"{where}.city")
        checked.append(OrderLine(area_code, number_type, line.quantity, city))
    return tuple(checked)


def check_note(note: str) -> str:
    note = note.strip()
    if len(note) > MAX_NOTE_LENGTH:
        raise Invalid("note_too_long", f"a note has at most {MAX_NOTE_LENGTH} characters", field="note")
    return note


def check_editable(order: NumberOrder) -> None:
    if order.state not in EDITABLE:
        raise Conflict("not_editable", f"this order is {order.state.value}; only an order pending review or "
                       "rejected can be changed — place a new order instead")


def check_cancellable(order: NumberOrder) -> None:
    if order.state is not OrderState.PENDING_REVIEW:
        raise Conflict("not_cancellable", f"this order is {order.state.value}; only an order pending review can be "
                       "cancelled — ask an operator")


def check_issuable(order: NumberOrder) -> None:
    if order.state is not OrderState.PROCESSING:
        raise Conflict("not_issuable", f"this order is {order.state.value}; numbers are issued to approved "
                       "(processing) orders only")
