"""A call's result, from its CDR: answered (the callee picked up), not answered (the call was forwarded and
the callee was tried but did not pick up: rang out, busy, rejected, the caller gave up), failed (never
forwarded: no binding, refused, a missing voice file, a platform error). A filter is one of the three or a
cause code (``ulFailReason``)."""

from __future__ import annotations

from enum import StrEnum

from privnum.domain.calls.causes import Cause
from privnum.domain.management_errors import Invalid


class CallResult(StrEnum):
    ANSWERED = "answered"
    NOT_ANSWERED = "not_answered"
    FAILED = "failed"


def result_of(answered_at_ms: int | None, forwarded_at_ms: int | None) -> CallResult:
    if answered_at_ms is not None:
        return CallResult.ANSWERED
    return CallResult.NOT_ANSWERED if forwarded_at_ms is not None else CallResult.FAILED


def parse_result(value: str) -> CallResult | Cause:
    """A ``result`` filter: answered / not_answered / failed, or a cause code such as 8014."""
    try:
        return CallResult(value)
    except ValueError:
        pass
    if value.isdigit():
        try:
            return Cause(int(value))
        except ValueError:
            pass
    raise Invalid("invalid_result", "result is answered, not_answered, failed or a cause code (ulFailReason) "
                  "such as 8014", field="result")
