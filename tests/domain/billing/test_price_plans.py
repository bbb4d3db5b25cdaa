"""Price plans (research/billing.md §3.1, §4): rates keyed by (meter, number class), in integer micros, in versions
that take effect at an instant — the version in force when the usage occurred prices it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from privnum.domain.billing.meters import Meter, NumberClass
from privnum.domain.billing.money import from_decimal_string
from privnum.domain.billing.plans import NoRate, PlanVersion, PricePlan, Rate, huawei_cn_plan, price_at, version_at

CALL_PRICE = from_decimal_string("0.076")
DEC_1 = int(datetime(2026, 12, 1, tzinfo=UTC).timestamp() * 1000)
JAN_1 = int(datetime(2027, 1, 1, tzinfo=UTC).timestamp() * 1000)


@pytest.mark.parametrize(("meter", "number_class", "price"), [
    (Meter.CALL_FORWARDED, NumberClass.VIRTUAL, "0.076"),
    (Meter.CALL_FORWARDED, NumberClass.CARRIER, "0.076"),
    (Meter.CALL_INBOUND, NumberClass.VIRTUAL, "0"),
    (Meter.CALL_RECORDING, NumberClass.CARRIER, "0"),
    (Meter.SMS_FORWARDED, NumberClass.VIRTUAL, "0.28"),
    (Meter.SMS_FORWARDED, NumberClass.CARRIER, "0.27"),
    (Meter.NUMBER_RENT, NumberClass.VIRTUAL, "5"),
    (Meter.NUMBER_RENT, NumberClass.CARRIER, "15"),
    (Meter.BINDING_CREATED, NumberClass.VIRTUAL, "0"),
])
def test_the_huawei_cn_example_plan_has_huaweis_list_prices(meter: Meter, number_class: NumberClass,
                                                            price: str) -> None:
    plan = huawei_cn_plan(CALL_PRICE)
    rate = price_at(plan, meter, number_class, DEC_1)
    assert (plan.name, plan.currency, plan.truncate_to_cents) == ("huawei-cn", "CNY", False)
    assert rate.unit_price == from_decimal_string(price)
    assert (rate.increment_s, rate.min_units) == (60, 0)  # per started minute, a 0 s call free


def test_the_version_in_force_at_the_instant_prices_it() -> None:
    old = {(Meter.SMS_FORWARDED, NumberClass.VIRTUAL): Rate(from_decimal_string("0.28"))}
    new = {(Meter.SMS_FORWARDED, NumberClass.VIRTUAL): Rate(from_decimal_string("0.30"))}
    plan = PricePlan("p", "CNY", (PlanVersion(JAN_1, new), PlanVersion(DEC_1, old)))  # any order
    assert [v.effective_from_ms for v in plan.versions] == [DEC_1, JAN_1]
    assert price_at(plan, Meter.SMS_FORWARDED, NumberClass.VIRTUAL, DEC_1).unit_price == 280_000
    assert price_at(plan, Meter.SMS_FORWARDED, NumberClass.VIRTUAL, JAN_1 - 1).unit_price == 280_000
    assert price_at(plan, Meter.SMS_FORWARDED, NumberClass.VIRTUAL, JAN_1).unit_price == 300_000
    assert version_at(plan, JAN_1 + 10**12).effective_from_ms == JAN_1
    with pytest.raises(NoRate, match="no version in force"):
        price_at(plan, Meter.SMS_FORWARDED, NumberClass.VIRTUAL, DEC_1 - 1)


def test_a_meter_the_version_does_not_price_is_said_so() -> None:
    plan = PricePlan("p", "CNY", (PlanVersion(0, {(Meter.SMS_FORWARDED, NumberClass.VIRTUAL): Rate(1)}),))
    with pytest.raises(NoRate, match=r"no rate for sms\.forwarded on carrier numbers"):
        price_at(plan, Meter.SMS_FORWARDED, NumberClass.CARRIER, DEC_1)


def test_a_plan_needs_versions_at_distinct_instants() -> None:
    with pytest.raises(ValueError, match="no version"):
        PricePlan("p", "CNY", ())
    with pytest.raises(ValueError, match="same instant"):
        PricePlan("p", "CNY", (PlanVersion(DEC_1, {}), PlanVersion(DEC_1, {})))


@pytest.mark.parametrize("price", [0.28, 1.0, True, -1, "0.28"])
def test_a_price_is_never_a_float_nor_negative(price: object) -> None:
    with pytest.raises(ValueError, match="whole number of micros"):
        Rate(price)  # type: ignore[arg-type]


@pytest.mark.parametrize(("increment_s", "min_units"), [(0, 0), (-6, 0), (6.0, 0), (60, -1)])
def test_an_increment_is_a_whole_positive_second_and_min_units_not_negative(increment_s: object,
                                                                            min_units: int) -> None:
    with pytest.raises(ValueError):
        Rate(1, increment_s, min_units)  # type: ignore[arg-type]


def test_an_amount_is_units_times_the_unit_price_exactly() -> None:
    assert Rate(from_decimal_string("0.28")).amount(3) == from_decimal_string("0.84")
    assert Rate(from_decimal_string("0.000007")).amount(1_000_000) == from_decimal_string("7")
