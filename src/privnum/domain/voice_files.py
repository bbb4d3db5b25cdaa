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

from privnum.domain.management_errors import Invalid
from privnum.domain.operator_errors import OperatorError

PLATFORM = 0
"""The app id of platform defaults: every app falls back to them."""

PCMU = 0
PCMA = 8
PAYLOAD_TYPES = (PCMU, PCMA)
SAMPLE_RATE = 8000
BYTES_PER_MS = SAMPLE_RATE // 1000  # G.711: one byte per sample

MAX_NAME_LENGTH = 128
MAX_DESCRIPTION_LENGTH = 128  # Huawei's 文件说明
MAX_UPLOAD_BYTES = 2 * 1024 * 1024  # Huawei: a voice file is at most 2 MB
MAX_DURATION_MS = 2 * 1024 * 1024 // BYTES_PER_MS  # Huawei: an A-law 8 kHz WAV of at most 2 MB
_NAME = re.compile(r"[A-Za-z0-9_@.\-]+")

LANGUAGES = ("zh", "en")


class DefaultPrompt(StrEnum):
    """The prompts the platform ships, by the name the call core asks for."""

    NO_BINDING = "default_no_binding"
    SERVICE_ERROR = "default_service_error"
    ENTER_EXTENSION = "default_enter_extension"
    WRONG_EXTENSION = "default_wrong_extension"


class VoiceFileState(StrEnum):
    """Only an approved file is played; a pending or rejected one is, to a call, missing."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


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


def check_upload_name(name: str) -> str:
    """The name rule, as the management plane's refusal (422 ``invalid_name`` on the field ``name``)."""
    if not is_valid_name(name):
        raise Invalid("invalid_name", f"a voice file name is letters, digits and _ @ . - (at most {MAX_NAME_LENGTH}, "
                      "not starting with a dot), e.g. wait_voice1.wav", field="name")
    return name


def check_description(description: str) -> str:
    description = description.strip()
    if len(description) > MAX_DESCRIPTION_LENGTH:
        raise Invalid("description_too_long", f"a description has at most {MAX_DESCRIPTION_LENGTH} characters",
                      field="description")
    return description


def check_upload_size(size: int) -> None:
    if size > MAX_UPLOAD_BYTES:
        raise Invalid("file_too_large", f"a voice file is at most {MAX_UPLOAD_BYTES // (1024 * 1024)} MB "
                      f"({MAX_UPLOAD_BYTES} bytes); shorten it or lower its quality", field="file")
    if size == 0:
        raise Invalid("format_invalid", f"the file is empty; {ACCEPTED_FORMATS}", field="file")


ACCEPTED_FORMATS = ("upload an 8 kHz mono A-law WAV (kept as is) or audio to convert: PCM WAV, FLAC, Ogg Vorbis, "
                    "AIFF, AU")


@dataclass(frozen=True)
class AudioFormat:
    """What an upload holds, as the converter read it."""

    file_type: str  # "wav", "flac", "mp3", ...
    encoding: str  # "8-bit A-law", "16-bit Signed Integer PCM", ...
    sample_rate: int
    channels: int
    duration_ms: int

    @property
    def is_prompt_format(self) -> bool:
        """Huawei's own format: an A-law 8 kHz mono WAV, kept as it is."""
        return (self.file_type == "wav" and "a-law" in self.encoding.lower() and self.sample_rate == SAMPLE_RATE
                and self.channels == 1)

    def label(self) -> str:
        """e.g. "WAV 16-bit Signed Integer PCM 44.1 kHz stereo 12.3 s"."""
        channels = {1: "mono", 2: "stereo"}.get(self.channels, f"{self.channels} channels")
        return (f"{self.file_type.upper()} {self.encoding} {self.sample_rate / 1000:g} kHz {channels} "
                f"{self.duration_ms / 1000:.1f} s")

    def conversion(self) -> str:
        """What was done to it, e.g. "FLAC ... 44.1 kHz stereo 12.3 s → A-law 8 kHz mono"."""
        if self.is_prompt_format:
            return f"{self.label()}: kept as is"
        return f"{self.label()} → A-law 8 kHz mono"


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
    id: int = 0
    state: VoiceFileState = VoiceFileState.APPROVED
    description: str = ""
    original_name: str | None = None
    original_format: str | None = None
    conversion: str | None = None
    size_bytes: int | None = None
    uploaded_by: str | None = None
    tenant_id: int | None = None
