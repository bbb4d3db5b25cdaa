"""Telephone numbers in global format (``+`` country code, digits), as Huawei's API carries them."""

from __future__ import annotations

import re

from privnum.domain.areas import province_of

GLOBAL_NUMBER = re.compile(r"\+[1-9][0-9]{2,29}")  # ASCII digits: "\d" also matches "١" or "٣"
UNESCAPED_PLUS_NUMBER = re.compile(r" [1-9][0-9]{2,29}")


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
