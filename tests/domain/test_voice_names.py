"""Voice file names (Huawei: letters, digits and _/@-type characters) and the prompt's payload files."""

from __future__ import annotations

import re

import pytest

from privnum.domain.operator_errors import OperatorError
from privnum.domain.voice_files import (
    InvalidVoiceName,
    VoicePrompt,
    check_language,
    check_name,
    duration_ms_of,
    is_valid_name,
)


@pytest.mark.parametrize("name", ["wait_voice1.wav", "lastMinVoice.wav", "a@b.wav", "pre-voice.wav", "x",
                                  "default_no_binding", "A" * 128])
def test_names_huawei_accepts(name: str) -> None:
    assert is_valid_name(name)
    assert check_name(name) == name


@pytest.mark.parametrize("name", ["", ".wav", "..", "../etc/passwd", "a/b.wav", "a b.wav", "语音.wav", "a\x00.wav",
                                  "a\\b.wav", "A" * 129, "x.wav\n"])
def test_names_that_cannot_be_one_file_are_refused_with_the_rule(name: str) -> None:
    assert not is_valid_name(name)
    with pytest.raises(InvalidVoiceName, match=re.escape("letters, digits and _ @ . -")) as refused:
        check_name(name)
    assert isinstance(refused.value, OperatorError)


def test_a_prompt_names_one_raw_file_per_payload_type() -> None:
    prompt = VoicePrompt("/var/voice/3/v1/welcome.wav", 1500)
    assert prompt.path_for(0) == "/var/voice/3/v1/welcome.wav.0"
    assert prompt.path_for(8) == "/var/voice/3/v1/welcome.wav.8"
    with pytest.raises(ValueError, match="payload type 18"):
        prompt.path_for(18)


def test_g711_plays_one_byte_per_sample_at_8_khz() -> None:
    assert duration_ms_of(12_000) == 1500
    assert duration_ms_of(7) == 0


def test_prompt_languages() -> None:
    assert check_language("zh") == "zh" and check_language("en") == "en"
    with pytest.raises(ValueError, match="one of zh, en"):
        check_language("fr")
