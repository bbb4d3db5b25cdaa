"""SMS records' result filter and text: Huawei's ``sendResult`` (0–13) as people type it and read it."""

from __future__ import annotations

from privnum.domain.management_errors import Invalid
from privnum.domain.sms.results import DESCRIPTIONS, SendResult, send_result


def parse_send_result(value: str) -> SendResult:
    """A ``send_result`` filter: one of Huawei's codes 0–13; anything else is Invalid (``invalid_result``)."""
    text = value.strip()
    known = send_result(int(text)) if text.isascii() and text.isdigit() and len(text) <= 2 else None
    if known is not None:
        return known
    raise Invalid("invalid_result", "send_result is one of Huawei's sendResult codes, 0 to 13", field="send_result")


def send_result_text(code: int | None) -> str:
    """What a ``sendResult`` means; "pending" while the message is not settled yet (no result)."""
    if code is None:
        return "pending"
    try:
        return DESCRIPTIONS[SendResult(code)]
    except ValueError:
        return f"result {code}"
