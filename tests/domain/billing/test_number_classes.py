"""A privacy number's class (virtual or carrier) prices its rent and SMS (research/billing.md §3.1): read from the
number's ``number_type`` (inventory numbers) or, without one, from the virtual-operator ranges 170/171/165/167."""

from __future__ import annotations

import pytest

from privnum.domain.billing.meters import Meter, NumberClass, number_class_of


@pytest.mark.parametrize(("number", "number_type", "expected"), [
    ("+8613800000001", "virtual", NumberClass.VIRTUAL),  # the inventory says so, whatever the range
    ("+8617000000001", "carrier", NumberClass.CARRIER),
    ("+8617000000001", " Virtual ", NumberClass.VIRTUAL),
    ("+8617000000001", None, NumberClass.VIRTUAL),
    ("+8617112345678", None, NumberClass.VIRTUAL),
    ("+8616512345678", None, NumberClass.VIRTUAL),
    ("+8616712345678", None, NumberClass.VIRTUAL),
    ("+8613800000001", None, NumberClass.CARRIER),
    ("+8616612345678", None, NumberClass.CARRIER),
    ("+8617212345678", None, NumberClass.CARRIER),
    ("+8617000000001", "satellite", NumberClass.VIRTUAL),  # an unknown type counts as none
])
def test_a_numbers_class(number: str, number_type: str | None, expected: NumberClass) -> None:
    assert number_class_of(number, number_type) is expected


def test_the_meters_are_the_six_of_the_research_note() -> None:
    assert [m.value for m in Meter] == ["call.forwarded", "call.inbound", "call.recording", "sms.forwarded",
                                        "number.rent", "binding.created"]
