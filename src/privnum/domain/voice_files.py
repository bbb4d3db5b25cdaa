"""Voice files (prompts): the name rule, the payload formats they are kept in, and the prompt a call plays.

A voice file is known by the name a binding or an app refers to (Huawei: letters, digits and ``_``/``@``-type
characters, e.g. ``wait_voice1.wav``), owned by one app or by the platform (``PLATFORM``, app id 0: the
defaults every app falls back to). It is kept pre-encoded for the media relay, one raw file per RTP payload
type: ``<base>.0`` (PCMU, G.711 µ-law) and ``<base>.8`` (PCMA, A-law), 8 kHz mono, one byte per sample.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from privnum.domain.operator_errors import OperatorError

PLATFORM = 0
"""The app id of platform defaults: every app falls back to them."""

PCMU = 0
PCMA = 8
PAYLOAD_TYPES = (PCMU, PCMA)
SAMPLE_RATE = 8000
BYTES_PER_MS = SAMPLE_RATE // 1000  # G.711: one byte per sample

MAX_NAME_LENGTH = 128
MAX_DURATION_MS = 2 * 1024 * 1024 // BYTES_PER_MS  # Huawei: an A-law 8 kHz WAV of at most 2 MB
_NAME = re.compile(r"[A-Za-z0-9_@.\-]+")

LANGUAGES = ("zh", "en")


class DefaultPrompt(StrEnum):
    """The prompts the platform ships, by the name the call core asks for."""

    NO_BINDING = "default_no_binding"
    SERVICE_ERROR = "default_service_error"
    ENTER_EXTENSION = "default_enter_extension"
    WRONG_EXTENSION = "default_wrong_extension"


class InvalidVoiceName(OperatorError):
    pass


class AudioRefused(OperatorError):
    """An upload that cannot become a voice file (not audio, empty, too long, no converter); nothing was kept."""


def is_valid_name(name: str) -> bool:
    """Letters, digits and ``_ @ . -``, at most 128 characters, not starting with a dot (one file name)."""
    return 0 < len(name) <= MAX_NAME_LENGTH and _NAME.fullmatch(name) is not None and not name.startswith(".")


def check_name(name: str) -> str:
    if not is_valid_name(name):
        raise InvalidVoiceName(f"{name!r} is not a voice file name: use letters, digits and _ @ . - "
                               f"(at most {MAX_NAME_LENGTH}, not starting with a dot), e.g. wait_voice1.wav")
    return name


def check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise ValueError(f"a prompt language is one of {', '.join(LANGUAGES)}, not {language!r}")
    return language


def duration_ms_of(payload_bytes: int) -> int:
    """How long a G.711 8 kHz payload of this many bytes plays."""
    return payload_bytes // BYTES_PER_MS


@dataclass(frozen=True)
class VoicePrompt:
    """A prompt ready to play: ``base_path`` is what the media relay's play command takes (no extension)."""

    base_path: str
    duration_ms: int

    def path_for(self, payload_type: int) -> str:
        """The raw file for one RTP payload type (0 PCMU, 8 PCMA)."""
        if payload_type not in PAYLOAD_TYPES:
            raise ValueError(f"voice files are kept as PCMU (0) and PCMA (8), not payload type {payload_type}")
        return f"{self.base_path}.{payload_type}"


@dataclass(frozen=True)
class VoiceFile:
    """One stored voice file. ``version`` names the directory holding its raw files, new on every upload, so
    replacing a file is one row update and a call still playing the old version is not cut short."""

    app_id: int
    name: str
    version: str
    duration_ms: int
    created_at_ms: int
