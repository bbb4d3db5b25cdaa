"""Money is integer micros, read from decimal text exactly (research/billing.md §3: no floats anywhere); statements
show cents half-up, and the truncate_to_cents plan option keeps whole cents and says what it dropped (R-18)."""

from __future__ import annotations

import pytest

from privnum.domain.billing.money import (
    InvalidAmount,
    from_decimal_string,
    to_cents,
    to_decimal_string,
    truncate_to_cents,
)


@pytest.mark.parametrize(("text", "micros"), [
    ("0.28", 280_000), ("0.27", 270_000), ("5", 5_000_000), ("15.00", 15_000_000), ("0", 0), ("-0", 0),
    ("0.000001", 1), ("-5", -5_000_000), ("-0.28", -280_000), ("123456789.123456", 123_456_789_123_456),
    ("007.5", 7_500_000), ("0.076", 76_000),
])
def test_a_decimal_text_is_its_exact_micros(text: str, micros: int) -> None:
    assert from_decimal_string(text) == micros


def test_tenths_add_up_exactly_where_floats_do_not() -> None:
    assert 0.1 + 0.2 != 0.3  # the reason money is never a float
    assert from_decimal_string("0.1") + from_decimal_string("0.2") == from_decimal_string("0.3") == 300_000
    assert sum(from_decimal_string("0.01") for _ in range(100)) == from_decimal_string("1")
    assert 3 * from_decimal_string("0.28") == from_decimal_string("0.84")


@pytest.mark.parametrize("text", ["0.0000001", "1.1234567", "-0.0000005"])
def test_more_than_six_decimals_is_refused_not_rounded(text: str) -> None:
    with pytest.raises(InvalidAmount, match="more than 6 decimals"):
        from_decimal_string(text)


@pytest.mark.parametrize("text", ["", "abc", "1e3", "+1", " 1", "1 ", "1,5", "1.", ".5", "--1", "0x10", "1_000",
                                  "١"])
def test_anything_but_digits_sign_and_point_is_refused(text: str) -> None:
    with pytest.raises(InvalidAmount):
        from_decimal_string(text)


def test_an_amount_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="is not an amount"):
        from_decimal_string("0,28")


@pytest.mark.parametrize(("micros", "text"), [
    (280_000, "0.28"), (5_000_000, "5"), (0, "0"), (1, "0.000001"), (-280_000, "-0.28"), (-1, "-0.000001"),
    (15_010_000, "15.01"),
])
def test_micros_are_written_as_the_shortest_decimal(micros: int, text: str) -> None:
    assert to_decimal_string(micros) == text


@pytest.mark.parametrize(("micros", "cents"), [
    (0, 0), (4_999, 0), (5_000, 1), (9_999, 1), (10_000, 1), (14_999, 1), (15_000, 2), (280_000, 28),
    (1_234_565_000, 123_457), (-4_999, 0), (-5_000, -1), (-15_000, -2), (-280_000, -28),
])
def test_statements_round_to_cents_half_up(micros: int, cents: int) -> None:
    assert to_cents(micros) == cents


@pytest.mark.parametrize(("micros", "kept", "dropped"), [
    (0, 0, 0), (280_000, 280_000, 0), (285_999, 280_000, 5_999), (9_999, 0, 9_999), (1_234_567, 1_230_000, 4_567),
    (-285_999, -280_000, -5_999),
])
def test_truncating_to_cents_keeps_whole_cents_and_says_what_it_dropped(micros: int, kept: int,
                                                                        dropped: int) -> None:
    assert truncate_to_cents(micros) == (kept, dropped)
    assert kept + dropped == micros
