"""How many segments a text is sent as, Huawei's way (huawei-wire.md §4.4, "Segmenting and billing").

A text of printable ASCII and line breaks goes in the GSM alphabet: one message up to 160 characters,
else 154 per segment (Huawei's billing unit; the GSM standard and Kannel split at 153, so Kannel sends one
more segment than this counts at 307–308, 460–462, … characters). Any other text goes in UCS-2: one
message up to 70 UTF-16 units (an emoji is two), else 67 per segment.
"""

from __future__ import annotations

GSM_SINGLE, GSM_PART = 160, 154
UCS2_SINGLE, UCS2_PART = 70, 67


def is_gsm(text: str) -> bool:
    """True when the text can go as GSM 7-bit as privnum sends it: printable ASCII, ``\\n`` and ``\\r``."""
    return all(" " <= c <= "~" or c in "\n\r" for c in text)


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def segment_count(text: str) -> int:
    """The segments ``text`` is sent as; 1 for an empty text."""
    if is_gsm(text):
        n, single, part = len(text), GSM_SINGLE, GSM_PART
    else:
        n, single, part = utf16_units(text), UCS2_SINGLE, UCS2_PART
    return 1 if n <= single else -(-n // part)
