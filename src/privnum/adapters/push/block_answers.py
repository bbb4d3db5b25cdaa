"""Reading a customer's answer to a Block ``callin`` (X mode) into a routing decision.

``{"operation": "connect", "connectInfo": {...}}`` connects the caller to ``calleeNum``;
``{"operation": "close", "closeInfo": {"closeHintTone": ...}}`` plays the tone and hangs up (8017).
``connectInfo``/``closeInfo`` may be an object or a one-element array (Huawei's Java sample sends
an array). Anything else is invalid: the call ends with 8014.
"""

from __future__ import annotations

from typing import Any

from privnum.domain.calls.causes import Cause
from privnum.domain.calls.routing import OTHER_CALLED_A, Rejection, Route
from privnum.domain.lifetimes import MAX_CALL_MINUTES
from privnum.domain.phone_numbers import is_global_number


def _single(value: Any) -> dict[str, Any] | None:
    if isinstance(value, list):
        return value[0] if len(value) == 1 and isinstance(value[0], dict) else None
    return value if isinstance(value, dict) else None


def _flag(value: Any) -> bool | None:
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def _voice(value: Any) -> str | bool | None:
    """A voice file name, None when absent, False when malformed."""
    if value is None or value == "":
        return None
    return value if isinstance(value, str) and len(value) <= 128 else False


def read_block_answer(answer: Any, called: str, recording_allowed: bool) -> Route | Rejection | None:
    """The decision the customer asked for, or None when the answer is not a valid one."""
    if not isinstance(answer, dict):
        return None
    operation = answer.get("operation")
    if operation == "close":
        info = _single(answer.get("closeInfo")) if answer.get("closeInfo") is not None else {}
        if info is None:
            return None
        tone = _voice(info.get("closeHintTone"))
        if tone is False:
            return None
        return Rejection(Cause.CUSTOMER_HUNG_UP, tone=tone or None)  # type: ignore[arg-type]
    if operation != "connect":
        return None
    info = _single(answer.get("connectInfo"))
    if info is None:
        return None
    callee = info.get("calleeNum")
    display = info.get("displayCalleeNum") or called
    if not isinstance(callee, str) or not is_global_number(callee):
        return None
    if display != called:  # carriers intercept a forwarded call that does not show this call's X
        return None
    max_minutes = info.get("maxDuration")
    if max_minutes is None:
        max_minutes = 0
    if isinstance(max_minutes, bool) or not isinstance(max_minutes, int) or not 0 <= max_minutes <= MAX_CALL_MINUTES:
        return None
    record = _flag(info.get("recordFlag"))
    voices = [_voice(info.get(k)) for k in ("waitVoice", "recordHintTone", "lastMinVoice")]
    if record is None or any(v is False for v in voices):
        return None
    user_data = info.get("userData")
    if user_data is not None and (not isinstance(user_data, str) or len(user_data) > 256
                                  or any(c in user_data for c in "{}")
                                  or any(ord(c) > 127 for c in user_data)):
        return None
    wait_voice, hint, last_min = voices
    return Route(callee=callee, display=display, direction=OTHER_CALLED_A, record=record and recording_allowed,
                 record_hint_tone=hint or None, max_duration_min=max_minutes,  # type: ignore[arg-type]
                 last_min_voice=last_min or None, caller_tone=wait_voice or None,  # type: ignore[arg-type]
                 user_data=user_data or None)
