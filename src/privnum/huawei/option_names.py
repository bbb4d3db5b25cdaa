"""Huawei's wire names for binding options <-> privnum's domain names. Only huawei/ and the API layer know both."""

from __future__ import annotations

from typing import Any

WIRE_TO_DOMAIN = {
    "callDirection": "call_direction",
    "recordFlag": "record",
    "recordHintTone": "record_hint_tone",
    "maxDuration": "max_duration",
    "lastMinVoice": "last_min_voice",
    "privateSms": "private_sms",
    "preVoice": "pre_voice",
    "preVoiceX": "pre_voice_x",
    "preVoiceY": "pre_voice_y",
    "userData": "user_data",
    "calleeNumDisplay": "callee_display",
    "turnFlag": "turn",
    "displayNumMode": "display_num_mode",
    "callbackTone": "callback_tone",
    "callbackNum": "callback_num",
    "timeUnit": "time_unit",
    "bindExpiredTime": "bind_expired_time",
    "callbackExpiredTime": "callback_expired_time",
    "callerHintTone": "caller_hint_tone",
    "calleeHintTone": "callee_hint_tone",
}
DOMAIN_TO_WIRE = {v: k for k, v in WIRE_TO_DOMAIN.items()}


def _convert(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {names.get(k, k): _convert(v, names) for k, v in value.items() if v is not None}
    return value


def to_domain(wire: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    """The options among ``fields`` that the request carries, under domain names."""
    return {WIRE_TO_DOMAIN[f]: _convert(wire[f], WIRE_TO_DOMAIN) for f in fields if wire.get(f) is not None}


def to_wire(settings: dict[str, Any], fields: tuple[str, ...], flags_as_text: bool = True) -> dict[str, Any]:
    """The stored options among ``fields`` under Huawei's names; flags as "true"/"false" strings."""
    out: dict[str, Any] = {}
    for f in fields:
        value = settings.get(WIRE_TO_DOMAIN[f])
        if value is None:
            continue
        if isinstance(value, bool) and flags_as_text:
            value = "true" if value else "false"
        out[f] = _convert(value, DOMAIN_TO_WIRE)
    return out
