"""Money as an integer number of micro-units (10⁻⁶ of the account's currency): never a float.

Prices, line amounts and balances are exact micros; only a statement shows cents (half-up), and a plan
may truncate each settlement to cents the way Huawei's Billing Centre does (抹零, research/billing.md R-18).
"""

from __future__ import annotations

import re

Micros = int

MICROS_PER_UNIT = 1_000_000
MICROS_PER_CENT = 10_000
DECIMALS = 6

_DECIMAL = re.compile(r"(-?)([0-9]+)(?:\.([0-9]+))?")


class InvalidAmount(ValueError):
    """A text that is not an amount of at most six decimals."""


def from_decimal_string(text: str) -> Micros:
    """The micros of a decimal amount: ``"0.28"`` → 280_000, ``"-5"`` → -5_000_000.

    Exactly: the digits are read as digits, never through a float. More than six decimals is refused
    rather than rounded (a price of 0.0000001 is a typing error, not a price), as is anything but
    ``[-]digits[.digits]`` (no ``+``, exponent, spaces, thousands separators).
    """
    match = _DECIMAL.fullmatch(text)
    if match is None:
        raise InvalidAmount(f"{text!r} is not an amount: write digits with an optional '-' and '.'")
    sign, whole, fraction = match.group(1), match.group(2), match.group(3) or ""
    if len(fraction) > DECIMALS:
        raise InvalidAmount(f"{text!r} has more than {DECIMALS} decimals")
    micros = int(whole) * MICROS_PER_UNIT + int(fraction.ljust(DECIMALS, "0"))
    return -micros if sign else micros


def to_decimal_string(micros: Micros) -> str:
    """The amount as the shortest decimal text that reads back to it: 280_000 → ``"0.28"``, -5_000_000 → ``"-5"``."""
    sign = "-" if micros < 0 else ""
    whole, fraction = divmod(abs(micros), MICROS_PER_UNIT)
    digits = f"{fraction:06d}".rstrip("0")
    return f"{sign}{whole}.{digits}" if digits else f"{sign}{whole}"


def to_cents(micros: Micros) -> int:
    """Whole cents for a statement, half-up: 0.005 → 1 cent, 0.004999 → 0. Negative amounts mirror positive ones
    (-0.005 → -1 cent), so a credit note and the charge it cancels show the same figure."""
    cents, rest = divmod(abs(micros), MICROS_PER_CENT)
    if rest * 2 >= MICROS_PER_CENT:
        cents += 1
    return -cents if micros < 0 else cents


def truncate_to_cents(micros: Micros) -> tuple[Micros, Micros]:
    """(kept, dropped): the amount cut to whole cents toward zero and the part cut off (Huawei's 抹零, in the
    customer's favour for a charge). ``kept + dropped == micros`` and ``kept`` is a multiple of a cent."""
    dropped = abs(micros) % MICROS_PER_CENT
    if micros < 0:
        dropped = -dropped
    return micros - dropped, dropped
