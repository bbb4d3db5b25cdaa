"""Which voice files a binding names, by option (Huawei's binding-level prompts have no platform default), and
why a named file cannot be played."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from privnum.domain.binding_options import BindingOptions

# the option (domain name) → how Huawei's API calls it, for the sentences tenants read
PROMPT_OPTIONS = {
    "pre_voice.caller_hint_tone": "preVoice.callerHintTone",
    "pre_voice.callee_hint_tone": "preVoice.calleeHintTone",
    "pre_voice_x": "preVoiceX",
    "pre_voice_y": "preVoiceY",
    "record_hint_tone": "recordHintTone",
    "last_min_voice": "lastMinVoice",
    "callback_tone": "callbackTone",
}


def prompt_references(options: BindingOptions) -> list[tuple[str, str]]:
    """(option, file name) of every voice file the options name, in ``PROMPT_OPTIONS`` order."""
    named = {
        "pre_voice.caller_hint_tone": options.pre_voice_tone("caller_hint_tone"),
        "pre_voice.callee_hint_tone": options.pre_voice_tone("callee_hint_tone"),
        "pre_voice_x": options.pre_voice_x,
        "pre_voice_y": options.pre_voice_y,
        "record_hint_tone": options.record_hint_tone,
        "last_min_voice": options.last_min_voice,
        "callback_tone": options.callback_tone,
    }
    return [(option, name) for option, name in named.items() if name]


@dataclass(frozen=True)
class LiveBinding:
    """A binding that has not expired, with the options that may name voice files."""

    id: str
    app_id: int
    number: str  # its X
    options: BindingOptions


class Unplayable(StrEnum):
    MISSING = "missing"
    PENDING = "pending"
    REJECTED = "rejected"


@dataclass(frozen=True)
class VoiceProblem:
    """A live binding naming a voice file a call could not play (the call would fail with 7507 / 8006)."""

    binding_id: str
    app_id: int
    number: str
    option: str
    name: str
    why: Unplayable

    @property
    def wire_option(self) -> str:
        return PROMPT_OPTIONS[self.option]
