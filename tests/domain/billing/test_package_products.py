"""A package product the catalogue takes (billing.md R-9, H-25): a name, a price of 0 or more, 1 to 120 months, and
quotas of positive units on usage meters — never number rent — one per (meter, class)."""

from __future__ import annotations

import pytest

from privnum.domain.billing.packages import PackageProduct, Quota, product_refusal

CALL = Quota("call.forwarded", None, 500)
SMS_VIRTUAL = Quota("sms.forwarded", "virtual", 50)


def product(name: str = "500 min + 50 SMS", price: int = 38_000_000, quotas: tuple[Quota, ...] = (CALL, SMS_VIRTUAL),
            months: int = 12) -> PackageProduct:
    return PackageProduct(0, name, price, quotas, months)


def test_huaweis_smallest_tier_is_a_product() -> None:
    assert product_refusal(product()) is None
    assert product_refusal(product(price=0, months=1)) is None
    assert product_refusal(product(quotas=(CALL, Quota("call.forwarded", "virtual", 10)))) is None


@pytest.mark.parametrize(("made", "refusal"), [
    (product(name=" "), "name is 1 to 64"),
    (product(name="x" * 65), "name is 1 to 64"),
    (product(price=-1), "price is 0 to"),
    (product(months=0), "1 to 120 months"),
    (product(months=121), "1 to 120 months"),
    (product(quotas=()), "at least one quota"),
    (product(quotas=(Quota("number.rent", None, 1),)), "meter is one of"),
    (product(quotas=(Quota("call.forwarded", "premium", 1),)), "number class is"),
    (product(quotas=(Quota("call.forwarded", None, -5),)), "positive number of units"),
    (product(quotas=(CALL, CALL)), "two quotas of call.forwarded for any class"),
])
def test_a_product_the_rules_refuse(made: PackageProduct, refusal: str) -> None:
    found = product_refusal(made)
    assert found is not None and refusal in found
