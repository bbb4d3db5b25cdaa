"""A binding's options: how calls and messages through it behave (direction, recording, tones, limits,
lifetimes), under domain names; which ones a mode takes is the mode's API schema's business.

Stored as a JSON object of the options that are set (``to_dict``/``from_dict``); an option that is
not set is None and keeps its documented default (``direction`` is both ways, ``turn`` is on, ...).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from enum import IntEnum
from typing import Any


class CallDirection(IntEnum):
    BOTH_WAYS = 0
    ONLY_A_CALLS = 1
    ONLY_OTHERS_CALL = 2


@dataclass(frozen=True)
class PreVoice:
    """Tones the caller hears before being connected: A calling (caller) or the other party calling (callee)."""

    caller_hint_tone: str | None = None
    callee_hint_tone: str | None = None


@dataclass(frozen=True)
class TemporaryCallee:
    """AX: whom A's calls to X reach until ``expires_at_ms``."""

    number: str
    expires_at_ms: int
    user_data: str | None = None


@dataclass(frozen=True)
class LastCaller:
    """AXE: the last caller of an extension, whom its A is called back to."""

    number: str
    at_ms: int


@dataclass(frozen=True)
class BindingOptions:
    call_direction: CallDirection | None = None
    record: bool | None = None
    record_hint_tone: str | None = None
    max_duration: int | None = None  # minutes per call
    last_min_voice: str | None = None
    private_sms: bool | None = None
    pre_voice: PreVoice | None = None
    pre_voice_x: str | None = None  # AXYB: heard by B calling X
    pre_voice_y: str | None = None  # AXYB: heard by A calling Y
    user_data: str | None = None
    duration: int | None = None  # seconds the binding lives (AXB, AXYB's AX relation), 0 for ever
    yb_duration: int | None = None  # AXYB: seconds a YB relation lives
    area_code: str | None = None  # AXYB: where the AX relation's Y numbers are sought
    callee_display: str | None = None  # AX: "1" shows the real caller to A
    turn: str | None = None  # AX: "off" refuses every call
    temporary_callee: TemporaryCallee | None = None
    display_num_mode: str | None = None  # AXE: "1" shows the real caller to A
    callback_tone: str | None = None
    callback_num: str | None = None
    time_unit: str | None = None  # AXE: unit of the two lifetimes below
    bind_expired_time: int | None = None
    callback_expired_time: int | None = None
    _as_dict: dict[str, Any] | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def direction(self) -> CallDirection:
        return self.call_direction if self.call_direction is not None else CallDirection.BOTH_WAYS

    @property
    def wants_recording(self) -> bool:
        return bool(self.record)

    def pre_voice_tone(self, key: str) -> str | None:
        return getattr(self.pre_voice, key) if self.pre_voice is not None else None

    def merged(self, changes: Mapping[str, Any]) -> BindingOptions:
        """These options with ``changes`` (domain names; None clears an option) applied."""
        return replace(self, **_typed(changes))

    def to_dict(self) -> dict[str, Any]:
        """The options that are set, as JSON-ready values under domain names."""
        if self._as_dict is not None:  # read from that form and unchanged since (options are frozen)
            return dict(self._as_dict)
        out: dict[str, Any] = {}
        for f in _FIELDS:
            value = getattr(self, f.name)
            if value is None:
                continue
            if isinstance(value, PreVoice | TemporaryCallee):
                value = {k: v for k, v in asdict(value).items() if v is not None}
            elif isinstance(value, CallDirection):
                value = int(value)
            out[f.name] = value
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BindingOptions:
        """Options under domain names (the stored form, or an API request's); unknown names are refused."""
        options = cls(**_typed(data))
        if all(v is not None for v in data.values()):  # data is exactly what to_dict would give
            object.__setattr__(options, "_as_dict", dict(data))
        return options


_FIELDS = tuple(f for f in fields(BindingOptions) if f.init)
_NAMES = frozenset(f.name for f in _FIELDS)


def _typed(data: Mapping[str, Any]) -> dict[str, Any]:
    if not data.keys() <= _NAMES:
        raise ValueError(f"not binding options: {', '.join(sorted(set(data) - _NAMES))}")
    out = dict(data)
    direction = out.get("call_direction")
    if direction is not None and not isinstance(direction, CallDirection):
        out["call_direction"] = CallDirection(int(direction))
    if isinstance(out.get("pre_voice"), Mapping):
        out["pre_voice"] = PreVoice(**out["pre_voice"])
    if isinstance(out.get("temporary_callee"), Mapping):
        out["temporary_callee"] = TemporaryCallee(**out["temporary_callee"])
    return out
