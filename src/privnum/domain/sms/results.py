"""Huawei's ``sendResult`` of an SMS notification (huawei-wire.md §4.4)."""

from __future__ import annotations

from enum import IntEnum


class SendResult(IntEnum):
    SENT = 0
    ACCOUNT_FROZEN = 1
    NO_BINDING = 2
    NUMBER_SUSPENDED = 3
    APP_NOT_COMMERCIAL = 4
    INTERNAL_ERROR = 5
    CUSTOMER_DISCARDED = 6
    CUSTOMER_TIMED_OUT = 7
    BLACKLISTED = 8
    PARTLY_SENT = 9
    NOT_SENT = 10
    NO_SMS_CAPABILITY = 11
    MISSING_KEYWORD = 12
    FORBIDDEN_WORDS = 13


DESCRIPTIONS = {
    SendResult.SENT: "sent",
    SendResult.ACCOUNT_FROZEN: "failed: account frozen",
    SendResult.NO_BINDING: "failed: no binding",
    SendResult.NUMBER_SUSPENDED: "failed: privacy number suspended",
    SendResult.APP_NOT_COMMERCIAL: "failed: app not in service",
    SendResult.INTERNAL_ERROR: "failed: internal error",
    SendResult.CUSTOMER_DISCARDED: "failed: the customer discarded it",
    SendResult.CUSTOMER_TIMED_OUT: "failed: no valid answer from the customer in time",
    SendResult.BLACKLISTED: "failed: blacklist",
    SendResult.PARTLY_SENT: "partly sent",
    SendResult.NOT_SENT: "failed: the carrier did not take it",
    SendResult.NO_SMS_CAPABILITY: "failed: no SMS on this privacy number",
    SendResult.MISSING_KEYWORD: "failed: a required keyword is missing",
    SendResult.FORBIDDEN_WORDS: "failed: forbidden words",
}


def send_result(code: int | None) -> SendResult | None:
    """The SendResult of a stored code; None for no code or one Huawei does not define."""
    try:
        return SendResult(code) if code is not None else None
    except ValueError:
        return None
