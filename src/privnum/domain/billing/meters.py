"""What privnum counts (meters) and the class of privacy number a count is priced by (research/billing.md §3.1).

A rate is keyed by (meter, number class), so Huawei's split — a virtual-operator number's rent and SMS cost
less than a carrier number's — is data, not code.
"""

from __future__ import annotations

from enum import StrEnum

from privnum.domain.number_inventory import NumberType


class Meter(StrEnum):
    CALL_FORWARDED = "call.forwarded"  # billable minutes of the leg X → real callee (Huawei bills only this)
    CALL_INBOUND = "call.inbound"  # the same interval for the caller → X leg (peers bill it; 0 in huawei-cn)
    CALL_RECORDING = "call.recording"  # the same interval of a recorded call (Huawei includes recording)
    SMS_FORWARDED = "sms.forwarded"  # segments sent on from X
    NUMBER_RENT = "number.rent"  # number-months
    BINDING_CREATED = "binding.created"  # successful binds (a per-session fee, as Plivo's)


CALL_METERS = (Meter.CALL_FORWARDED, Meter.CALL_INBOUND, Meter.CALL_RECORDING)


class NumberClass(StrEnum):
    VIRTUAL = "virtual"  # 虚拟运营商号码: +86 170/171/165/167
    CARRIER = "carrier"  # 运营商号码 (实号)


VIRTUAL_PREFIXES = ("+86170", "+86171", "+86165", "+86167")


def number_class_of(number: str, number_type: str | None) -> NumberClass:
    """The class of a privacy number: its ``number_type`` (``numbers.number_type``, ``PrivateNumber.number_type``:
    ``"virtual"`` or ``"carrier"``, set for numbers imported into the inventory) when it has one, else read from
    the number itself — the virtual-operator ranges 170/171/165/167 are virtual, any other number is a carrier's
    (numbers added one by one from the CLI have no type; a type privnum does not know counts as none)."""
    if number_type is not None:
        try:
            return NumberClass(NumberType(number_type.strip().lower()).value)
        except ValueError:
            pass
    return NumberClass.VIRTUAL if number.startswith(VIRTUAL_PREFIXES) else NumberClass.CARRIER
