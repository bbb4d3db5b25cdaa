"""AX addressing: the ``@<number>`` an A puts at the end of a text to say who gets it, and the
``[From<number>]`` mark added to a text that reaches A (docs/contract/sms.md, "@<number>")."""

from __future__ import annotations

import re
from dataclasses import dataclass

_SUFFIX = re.compile(r"@(\+[1-9][0-9]{4,19}|[0-9]{5,20})\s*\Z")  # ASCII digits: "\d" also matches "１" or "٣"


@dataclass(frozen=True)
class Addressed:
    text: str  # what is forwarded: the text without the suffix
    to: str  # the receiver, global (+…)


def global_number(digits: str) -> str | None:
    """A number as written after ``@``, in global form; None when it cannot be read as one."""
    if digits.startswith("+"):
        return digits if 6 <= len(digits) <= 21 else None
    if len(digits) == 13 and digits.startswith("861"):
        return "+" + digits
    if len(digits) == 11 and digits.startswith("1"):
        return "+86" + digits
    if digits.startswith("0") and not digits.startswith("00") and 9 <= len(digits) <= 12:
        return "+86" + digits[1:]
    return None


def read_addressed(text: str) -> Addressed | None:
    """The receiver named by a trailing half-width ``@<number>``, and the text before it; None when the
    suffix is missing or malformed, or nothing is left to send."""
    at = text.rfind("@")
    if at < 0:
        return None
    match = _SUFFIX.match(text, at)
    if match is None:
        return None
    to = global_number(match.group(1))
    body = text[:at]
    if to is None or not body.strip():
        return None
    return Addressed(body, to)


def mark_sender(text: str, sender: str) -> str:
    """The text A receives from someone through X: Huawei appends ``[From<number>]``."""
    return f"{text}[From{sender}]"
