"""Voice-file rules without I/O: names, descriptions and sizes refused with their field, how a conversion is
described, and which binding options name voice files."""

from __future__ import annotations

import pytest

from privnum.domain.binding_options import BindingOptions
from privnum.domain.management_errors import Invalid
from privnum.domain.voice_files import (
    MAX_UPLOAD_BYTES,
    AudioFormat,
    check_description,
    check_upload_name,
    check_upload_size,
)
from privnum.domain.voice_references import PROMPT_OPTIONS, prompt_references


@pytest.mark.parametrize("name", ["wait_voice1.wav", "a@b.c-d_e", "x" * 128])
def test_huawei_names_are_accepted(name: str) -> None:
    assert check_upload_name(name) == name


@pytest.mark.parametrize("name", ["", "bad name.wav", ".hidden", "a/b.wav", "中文.wav", "x" * 129])
def test_other_names_are_refused_on_the_name_field(name: str) -> None:
    with pytest.raises(Invalid) as refused:
        check_upload_name(name)
    assert (refused.value.code, refused.value.field) == ("invalid_name", "name")


def test_descriptions_are_trimmed_and_at_most_128() -> None:
    assert check_description("  等待音  ") == "等待音"
    assert check_description("x" * 128) == "x" * 128
    with pytest.raises(Invalid) as refused:
        check_description("x" * 129)
    assert refused.value.field == "description"


def test_sizes_up_to_2_mb_and_not_empty() -> None:
    check_upload_size(MAX_UPLOAD_BYTES)
    for size, code in ((MAX_UPLOAD_BYTES + 1, "file_too_large"), (0, "format_invalid")):
        with pytest.raises(Invalid) as refused:
            check_upload_size(size)
        assert (refused.value.code, refused.value.field) == (code, "file")


def test_an_alaw_8khz_mono_wav_is_kept_as_is_everything_else_converted() -> None:
    alaw = AudioFormat("wav", "8-bit A-law", 8000, 1, 500)
    assert alaw.is_prompt_format and alaw.conversion() == "WAV 8-bit A-law 8 kHz mono 0.5 s: kept as is"
    flac = AudioFormat("flac", "24-bit FLAC", 44100, 2, 12_345)
    assert not flac.is_prompt_format
    assert flac.conversion() == "FLAC 24-bit FLAC 44.1 kHz stereo 12.3 s → A-law 8 kHz mono"
    assert not AudioFormat("wav", "8-bit A-law", 8000, 2, 500).is_prompt_format
    assert not AudioFormat("wav", "8-bit A-law", 16000, 1, 500).is_prompt_format
    assert "6 channels" in AudioFormat("wav", "16-bit Signed Integer PCM", 48000, 6, 1000).label()


def test_every_prompt_option_of_a_binding_is_found() -> None:
    options = BindingOptions.from_dict({
        "pre_voice": {"caller_hint_tone": "a.wav", "callee_hint_tone": "b.wav"}, "pre_voice_x": "c.wav",
        "pre_voice_y": "d.wav", "record_hint_tone": "e.wav", "last_min_voice": "f.wav", "callback_tone": "g.wav",
        "user_data": "not-a-file.wav"})
    assert prompt_references(options) == [(option, f"{letter}.wav")
                                          for option, letter in zip(PROMPT_OPTIONS, "abcdefg", strict=True)]
    assert prompt_references(BindingOptions()) == []
