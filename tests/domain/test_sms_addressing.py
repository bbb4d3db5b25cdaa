"""AX addressing (docs/contract/sms.md "@<number>"): the last half-width ``@`` followed by an optional ``+``
and 5–20 digits, then only whitespace, names the receiver; ``+…`` is kept, ``86`` + 11 digits and an
11-digit mobile number become ``+86…``, a ``0`` fixed-line number becomes ``+86`` without the ``0``.
Anything else, or an empty text before the ``@``, is malformed (None). And the ``[From<sender>]`` mark."""

from __future__ import annotations

import pytest

from privnum.domain.sms.addressing import Addressed, mark_sender, read_addressed


@pytest.mark.parametrize(("text", "to"), [
    ("hi @13900000002", "+8613900000002"),
    ("hi @+8613900000002", "+8613900000002"),
    ("hi @8613900000002", "+8613900000002"),
    ("hi @075512345678", "+8675512345678"),
    ("hi @01012345678", "+861012345678"),
    ("hi @+14155550100", "+14155550100"),
    ("hi @+12345", "+12345"),  # + and 5 digits: the shortest
    ("hi @+12345678901234567890", "+12345678901234567890"),  # + and 20 digits: the longest
])
def test_the_suffix_names_the_receiver_in_global_form(text: str, to: str) -> None:
    assert read_addressed(text) == Addressed("hi ", to)


@pytest.mark.parametrize("tail", ["  ", "\n", " \t\r\n", "\u3000"])
def test_whitespace_after_the_number_is_ignored(tail: str) -> None:
    assert read_addressed("hi@13900000002" + tail) == Addressed("hi", "+8613900000002")


def test_whitespace_before_the_at_is_kept_in_the_forwarded_text() -> None:
    assert read_addressed("see you at 8  @13900000002") == Addressed("see you at 8  ", "+8613900000002")
    assert read_addressed("line one\n@13900000002") == Addressed("line one\n", "+8613900000002")


def test_no_space_is_needed_before_the_at() -> None:
    assert read_addressed("ok@13900000002") == Addressed("ok", "+8613900000002")


def test_the_last_at_wins() -> None:
    assert read_addressed("@13800000001 or @13900000002") == Addressed("@13800000001 or ", "+8613900000002")


def test_email_addresses_in_the_text_are_text() -> None:
    assert read_addressed("mail me at li@example.com @13900000002") == Addressed(
        "mail me at li@example.com ", "+8613900000002")


def test_an_email_address_after_the_suffix_makes_it_malformed() -> None:
    assert read_addressed("hi @13900000002 or li@example.com") is None


@pytest.mark.parametrize("text", [
    "hi ＠13900000002",  # full-width ＠ is text, not a suffix
    "hi",
    "",
    "hi @",
    "hi @abc",
    "hi @123",  # too short
    "hi @1234",
    "hi @+1234",  # + and 4 digits
    "hi @+123456789012345678901",  # + and 21 digits
    "hi @139 0000 0002",
    "hi @139-0000-0002",
    "hi @13900000002x",
    "hi @13900000002.",
    "hi @++8613900000002",
    "hi @12345",  # 5 digits, but not a Chinese mobile, fixed-line or + number
    "hi @23900000002",  # 11 digits not starting with 1
    "hi @139000000021",  # 12 digits starting with 1
    "hi @00861390000000",  # 00: an international prefix, not a fixed-line number
    "hi @0755",  # too short for a fixed-line number
])
def test_a_missing_or_malformed_suffix_is_none(text: str) -> None:
    assert read_addressed(text) is None


@pytest.mark.parametrize("text", [
    "hi @+１２３４５６",  # full-width digits
    "hi @1３900000002",
    "hi @+٨٦١٣٩٠٠٠٠٠٠٠٢",  # Arabic-Indic digits
])
def test_only_ascii_digits_make_a_number(text: str) -> None:
    assert read_addressed(text) is None


def test_a_plus_number_starting_with_zero_is_not_global() -> None:
    assert read_addressed("hi @+0123456") is None


@pytest.mark.parametrize("text", ["@13900000002", " @13900000002", "  \n@13900000002 "])
def test_an_empty_text_before_the_at_is_malformed(text: str) -> None:
    assert read_addressed(text) is None


def test_mark_sender_appends_from_and_the_sender() -> None:
    assert mark_sender("hello", "+8613900000002") == "hello[From+8613900000002]"
    assert mark_sender("", "+8613900000002") == "[From+8613900000002]"
    assert mark_sender("bye\n", "+8613900000002") == "bye\n[From+8613900000002]"
