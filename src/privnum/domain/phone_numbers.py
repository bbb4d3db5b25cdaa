"""Telephone numbers in global format (``+`` country code, digits), as Huawei's API carries them."""

from __future__ import annotations

import re

from privnum.domain.areas import province_of
from privnum.domain.result_codes import invalid

GLOBAL_NUMBER = re.compile(r"\+[1-9]\d{2,29}")
UNESCAPED_PLUS_NUMBER = re.compile(r" [1-9]\d{2,29}")


def parse_global_number(text: object, field: str, *, in_query: bool = False) -> str:
    """Return ``text`` as a global number or raise 1010002 naming ``field``.

    A query-string value that arrives as `` 86…`` had its ``+`` sent unescaped (decoded as a
    space); Huawei requires ``%2B`` and so does privnum, but the message says so plainly.
    """
    if not isinstance(text, str):
        raise invalid(field, "must be a string holding a number in global format, e.g. +8613800000000")
    if GLOBAL_NUMBER.fullmatch(text):
        return text
    if in_query and UNESCAPED_PLUS_NUMBER.fullmatch(text):
        raise invalid(field, "the '+' of a global number must be sent as %2B in a query string")
    raise invalid(field, f"{text!r} is not a number in global format (+ country code and digits, 4-31 characters)")


def is_global_number(text: str) -> bool:
    return bool(GLOBAL_NUMBER.fullmatch(text))


def fixed_line_area_code(number: str) -> str | None:
    """The city code of a Chinese fixed-line number in global form (+86 755 …→ "0755"); None for mobiles."""
    if not number.startswith("+86"):
        return None
    rest = number[3:]
    if rest.startswith("1"):
        return "010" if rest.startswith("10") and len(rest) == 10 else None
    for digits in (2, 3):
        code = "0" + rest[:digits]
        if province_of(code):
            return code
    return None
