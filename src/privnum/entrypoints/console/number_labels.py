"""Words the console shows for the numbers area's values: order states, number statuses and types (msgids), with
their badge tones; and the refusals of the area a page explains in the user's language."""

from __future__ import annotations

from privnum.entrypoints.console.i18n import N_
from privnum.entrypoints.console.rendering import environment

ORDER_STATES: dict[str, tuple[str, str]] = {
    "pending_review": (N_("Pending review"), "warn"),
    "processing": (N_("Processing"), "info"),
    "completed": (N_("Completed"), "ok"),
    "rejected": (N_("Rejected"), "bad"),
    "cancelled": (N_("Cancelled"), "muted"),
}

NUMBER_STATUSES: dict[str, tuple[str, str]] = {
    "idle": (N_("Idle"), "ok"),
    "bound": (N_("Bound"), "info"),
    "locked": (N_("Locked"), "warn"),
    "in_stock": (N_("In stock"), "muted"),
    "frozen": (N_("Frozen"), "bad"),
    "blacklisted": (N_("Blacklisted"), "bad"),
    "unavailable": (N_("Unavailable"), "bad"),
}

NUMBER_TYPES: dict[str, str] = {"virtual": N_("Virtual operator number"), "carrier": N_("Carrier number")}

# refusals shown next to a field or on top of a form, in the user's language (others show their own sentence)
REFUSALS: dict[str, str] = {
    "too_many_lines": N_("An order has at most 100 lines; place a second order for the rest."),
    "invalid_quantity": N_("A quantity is 1 to 1000."),
    "duplicate_line": N_("This city code and type is already on another line; add the quantities up."),
    "invalid_area_code": N_("Enter a city code such as 0755."),
    "invalid_number_type": N_("Choose a number type."),
    "no_lines": N_("Add at least one line."),
    "sms_not_enabled": N_("The app has SMS switched off; switch it on first, or order without SMS."),
    "no_stock": N_("Not enough numbers in stock; nothing was issued."),
    "number_bound": N_("The number still carries bindings; unbind them first."),
}


def order_state(state: str) -> tuple[str, str]:
    return ORDER_STATES.get(state, (state, "muted"))


def number_status(status: str) -> tuple[str, str]:
    return NUMBER_STATUSES.get(status, (status, "muted"))


def number_type(kind: str | None) -> str:
    return NUMBER_TYPES.get(kind or "", kind or "")


environment.globals.update(order_state=order_state, number_status=number_status, number_type=number_type)
