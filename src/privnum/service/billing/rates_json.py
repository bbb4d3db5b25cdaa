"""A plan version's rates as JSON text (the ``price_plans.rates`` column): ``{"meter:class": {"unit_price": micros,
"increment_s": s, "min_units": n}}``, integers only."""

from __future__ import annotations

import json
from collections.abc import Mapping

from privnum.domain.billing.meters import Meter, NumberClass
from privnum.domain.billing.plans import Rate


def rates_to_json(rates: Mapping[tuple[Meter, NumberClass], Rate]) -> str:
    return json.dumps({f"{meter.value}:{number_class.value}": {"unit_price": rate.unit_price,
                                                               "increment_s": rate.increment_s,
                                                               "min_units": rate.min_units}
                       for (meter, number_class), rate in rates.items()}, sort_keys=True)


def rates_from_json(text: str) -> dict[tuple[Meter, NumberClass], Rate]:
    rates = {}
    for key, value in json.loads(text).items():
        meter, number_class = key.split(":")
        rates[(Meter(meter), NumberClass(number_class))] = Rate(value["unit_price"], value["increment_s"],
                                                                value["min_units"])
    return rates
