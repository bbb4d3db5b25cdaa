"""Segment counting, Huawei's way (docs/contract/sms.md "splitNum"; huawei-wire.md §4.4 "Segmenting and
billing"): a text of printable ASCII and newlines is GSM, 1 up to 160 characters, else ⌈n/154⌉; any other
text is UCS-2, 1 up to 70 UTF-16 units, else ⌈n/67⌉ (an emoji is two units); an empty text is 1."""

from __future__ import annotations

import pytest

from privnum.domain.sms.segments import is_gsm, segment_count, utf16_units

EMOJI = "\U0001f600"  # 😀, outside the BMP: a surrogate pair in UTF-16
HAN = "中"


@pytest.mark.parametrize(("length", "segments"), [
    (1, 1), (159, 1), (160, 1), (161, 2), (307, 2), (308, 2), (309, 3), (462, 3), (463, 4),
    (154 * 10, 10), (154 * 10 + 1, 11),
])
def test_gsm_text_is_one_up_to_160_then_154_per_segment(length: int, segments: int) -> None:
    assert segment_count("a" * length) == segments


@pytest.mark.parametrize(("length", "segments"), [
    (1, 1), (69, 1), (70, 1), (71, 2), (133, 2), (134, 2), (135, 3), (200, 3), (201, 3), (202, 4),
])
def test_ucs2_text_is_one_up_to_70_then_67_per_segment(length: int, segments: int) -> None:
    assert segment_count(HAN * length) == segments


@pytest.mark.parametrize(("emoji", "segments"), [(1, 1), (35, 1), (36, 2), (67, 2), (68, 3)])
def test_an_emoji_counts_two_units(emoji: int, segments: int) -> None:
    assert utf16_units(EMOJI * emoji) == 2 * emoji
    assert segment_count(EMOJI * emoji) == segments


def test_an_emoji_among_han_characters_counts_two_units() -> None:
    assert segment_count(HAN * 68 + EMOJI) == 1  # 70 units
    assert segment_count(HAN * 69 + EMOJI) == 2  # 71 units, though 70 characters


def test_one_non_ascii_character_makes_the_whole_text_ucs2() -> None:
    text = "a" * 70 + "é"  # 71 characters: 1 in GSM, but é is not printable ASCII
    assert not is_gsm(text)
    assert segment_count(text) == 2
    assert segment_count("hello " + HAN) == 1
    assert segment_count("a" * 69 + HAN) == 1
    assert segment_count("a" * 70 + HAN) == 2


def test_newlines_stay_gsm() -> None:
    text = ("line\n" * 32)  # 160 characters with newlines
    assert is_gsm(text)
    assert segment_count(text) == 1
    assert segment_count(text + "\r") == 2


def test_an_empty_text_is_one_segment() -> None:
    assert segment_count("") == 1
    assert is_gsm("")


@pytest.mark.parametrize("text", ["plain text", " ~!@#$%^&*()_+{}|:\"<>?`-=[]\\;',./", "0123456789", "a\nb\r\nc"])
def test_printable_ascii_and_line_breaks_are_gsm(text: str) -> None:
    assert is_gsm(text)


@pytest.mark.parametrize("text", ["tab\there", "bell\x07", "del\x7f", "café", HAN, EMOJI, "＠", "\u00a0", "€"])
def test_anything_else_is_not_gsm(text: str) -> None:
    assert not is_gsm(text)
