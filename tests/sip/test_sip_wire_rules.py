"""The SIP driver's pure rules: numbers on the wire, trusted sources, what SDP crosses, digit collection."""

from __future__ import annotations

import pytest

from privnum.adapters.telephony.sip.datagram_screen import why_not_sip
from privnum.adapters.telephony.sip.dtmf import DigitCollector, digit_of_event, digit_of_info
from privnum.adapters.telephony.sip.sdp_privacy import private_sdp
from privnum.adapters.telephony.sip.trusted_sources import TrustedSources
from privnum.adapters.telephony.sip.wire_numbers import WireNumbers


@pytest.mark.parametrize("user", ["+8617000000001", "8617000000001", "008617000000001", "017000000001",
                                  "17000000001", "+86-170-0000-0001", "tel:+8617000000001", "+8617000000001;npdi"])
def test_every_carrier_form_of_a_number_is_one_e164_number(user: str) -> None:
    assert WireNumbers().to_e164(user) == "+8617000000001"


@pytest.mark.parametrize("user", ["", None, "anonymous", "+86abc", "123", "+1234567890123456", "١٧٠٠٠٠٠٠٠٠١"])
def test_what_is_no_number_is_refused(user: str | None) -> None:
    assert WireNumbers().to_e164(user) is None


def test_the_trunk_prefix_and_national_length_are_settings() -> None:
    uk = WireNumbers(country_code="44", trunk_prefix="0", national_digits=10)
    assert uk.to_e164("07700900123") == "+447700900123"
    assert uk.to_e164("7700900123") == "+447700900123"
    assert WireNumbers(trunk_prefix="").to_e164("017000000001") is None


def test_trusted_sources_are_the_trunk_host_and_the_listed_networks() -> None:
    trusted = TrustedSources.of("10.0.0.5", ["192.168.1.0/24", "2001:db8::1"])
    assert trusted.allows("10.0.0.5") and trusted.allows("192.168.1.77") and trusted.allows("2001:db8::1")
    assert not trusted.allows("10.0.0.6") and not trusted.allows("not-an-ip")
    assert not TrustedSources.of(None, []).allows("127.0.0.1")
    with pytest.raises(ValueError, match=r"no-such-host\.invalid"):
        TrustedSources.of(None, ["no-such-host.invalid"])


A_OFFER = ("v=0\r\no=alice-13800000001 53655765 2353687637 IN IP4 10.1.2.3\r\ns=Alice's phone 13800000001\r\n"
           "i=call from 13800000001\r\nu=http://a.example/13800000001\r\ne=alice@example.com\r\n"
           "c=IN IP4 10.1.2.3\r\nt=0 0\r\nm=audio 6000 RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\n"
           "a=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=ptime:20\r\n"
           "a=tool:softphone 13800000001\r\na=candidate:1 1 UDP 1 10.1.2.3 6000 typ host\r\na=sendrecv\r\n")


def test_only_the_allowed_sdp_lines_cross_and_the_origin_is_privnums() -> None:
    out = private_sdp(A_OFFER, "192.0.2.10", 42)
    assert "13800000001" not in out and "alice" not in out.lower()
    lines = out.split("\r\n")
    assert lines[0] == "v=0" and lines[1].startswith("o=privnum 42 ") and lines[1].endswith("IN IP4 192.0.2.10")
    assert lines[2] == "s=privnum"
    assert [line for line in lines if line.startswith("a=")] == [
        "a=rtpmap:0 PCMU/8000", "a=rtpmap:8 PCMA/8000", "a=rtpmap:101 telephone-event/8000", "a=fmtp:101 0-15",
        "a=ptime:20", "a=sendrecv"]
    assert out.endswith("\r\n")


def test_dtmf_bodies_and_events() -> None:
    assert digit_of_info("Signal=5\r\nDuration=160\r\n") == "5"
    assert digit_of_info("Signal= #\r\n") == "#"
    assert digit_of_info("Duration=160") is None and digit_of_info("Signal=x") is None and digit_of_info(None) is None
    assert digit_of_event(bytes([1, 0x80 | 10, 0, 160])) == ("1", True)
    assert digit_of_event(bytes([11, 10, 0, 160])) == ("#", False)
    assert digit_of_event(b"\x20\x00\x00\x00") is None and digit_of_event(b"\x01") is None


class FakeTimers:
    def __init__(self) -> None:
        self.pending: list[tuple[object, float]] = []

    def __call__(self, fire, delay):  # type: ignore[no-untyped-def]
        timers = self

        class Handle:
            def cancel(self) -> None:
                timers.pending = [p for p in timers.pending if p[0] is not fire or p[1] != delay]

        self.pending.append((fire, delay))
        return Handle()

    def fire_last(self) -> None:
        fire, _ = self.pending.pop()
        fire()  # type: ignore[operator]


def test_digits_end_at_the_count_at_hash_or_after_silence() -> None:
    results: list[str | None] = []
    timers = FakeTimers()
    collector = DigitCollector(4, 5.0, results.append, timers)
    collector.start()
    for d in "1234":
        collector.press(d)
    collector.press("5")
    assert results == ["1234"]

    collector = DigitCollector(4, 5.0, results.append, timers)
    collector.start()
    collector.press("9")
    collector.press("#")
    assert results[-1] == "9"

    collector = DigitCollector(4, 5.0, results.append, timers)
    collector.start()
    timers.fire_last()
    assert results[-1] is None and len(results) == 3


@pytest.mark.parametrize(("datagram", "reason"), [
    (b"\xff\xfe" + b"x" * 40, "not UTF-8"),
    (b"X" * 70000, "too large"),
    (b"INVITE sip:x SIP/2.0\r\nVia: a\r\n", "no end of headers"),
    (b"GARBAGE\r\n\r\n", "no start line"),
    (b"HELLO there friend\r\n\r\n", "not SIP/2.0"),
    (b"INVITE sip:x SIP/2.0\r\nContent-Length: 9999\r\n\r\nv=0\r\n", "body shorter than Content-Length"),
    (b"INVITE sip:x SIP/2.0\r\nl: 6\r\n\r\nv=0\r\n", "body shorter than Content-Length"),
    (b"OPTIONS sip:x SIP/2.0\r\nContent-Length: 0\r\n\r\n", None),
    (b"SIP/2.0 200 OK\r\nContent-Length: 3\r\n\r\nabc", None),
])
def test_datagrams_that_cannot_be_sip_are_dropped_before_parsing(datagram: bytes, reason: str | None) -> None:
    assert why_not_sip(datagram) == reason
