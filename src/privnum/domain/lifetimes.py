"""When bindings expire: Huawei's lifetime fields, their ranges, and the expiry instant they give."""

from __future__ import annotations

from privnum.domain.result_codes import invalid

MAX_DURATION_S = 7_776_000  # 90 days
MIN_DURATION_S = 60
MAX_CALL_MINUTES = 1440
TEMP_CALLEE_DEFAULT_S = 60
TEMP_CALLEE_MAX_S = 259_200  # 3 days
AXE_MAX_HOURS = 720
AXE_MAX_MINUTES = 43_200


def check_duration(seconds: int, field: str = "duration") -> int:
    """0 (never expires) or 60..7 776 000 seconds."""
    if seconds != 0 and not MIN_DURATION_S <= seconds <= MAX_DURATION_S:
        raise invalid(field, f"must be 0 (never expires) or {MIN_DURATION_S}-{MAX_DURATION_S} seconds, got {seconds}")
    return seconds


def check_max_call_minutes(minutes: int, field: str = "max_duration") -> int:
    if not 0 <= minutes <= MAX_CALL_MINUTES:
        raise invalid(field, f"must be 0 (no limit) to {MAX_CALL_MINUTES} minutes, got {minutes}")
    return minutes


def check_temp_callee_seconds(seconds: int, field: str = "duration") -> int:
    if not 1 <= seconds <= TEMP_CALLEE_MAX_S:
        raise invalid(field, f"must be 1-{TEMP_CALLEE_MAX_S} seconds, got {seconds}")
    return seconds


def axe_unit_seconds(time_unit: str | None) -> int:
    """AXE timeUnit: "0" hours (the default), "1" minutes."""
    return 60 if time_unit == "1" else 3600


def check_axe_lifetime(value: int, time_unit: str | None, field: str) -> int:
    limit = AXE_MAX_MINUTES if time_unit == "1" else AXE_MAX_HOURS
    unit = "minutes" if time_unit == "1" else "hours"
    if not 0 <= value <= limit:
        raise invalid(field, f"must be 0 (never expires) to {limit} {unit}, got {value}")
    return value


def expiry(now_ms: int, seconds: int | None) -> int | None:
    """The instant a lifetime of ``seconds`` started now ends; 0 or None means never."""
    if not seconds:
        return None
    return now_ms + seconds * 1000
