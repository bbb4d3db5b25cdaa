"""The pure-Python RTP pcap writer: what it writes reads back as paced, numbered RTP."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rtp_pcap import (
    PCMU,
    SIPP_PCAPS,
    TELEPHONE_EVENT,
    dtmf_digits,
    read_rtp_pcap,
    tone_ulaw,
    ulaw_byte,
    ulaw_linear,
    write_dtmf_pcap,
    write_speech_pcap,
    write_tone_pcap,
)


def test_ulaw_round_trip_is_close() -> None:
    for sample in range(-32000, 32000, 97):
        decoded = ulaw_linear(ulaw_byte(sample))
        assert abs(decoded - sample) <= max(abs(sample) // 16, 8)
    assert ulaw_byte(0) == 0xFF


def test_tone_pcap(tmp_path: Path) -> None:
    packets = read_rtp_pcap(write_tone_pcap(tmp_path / "tone.pcap", 440, 1.0))
    assert len(packets) == 50
    assert {p.payload_type for p in packets} == {PCMU} and {len(p.payload) for p in packets} == {160}
    assert [p.sequence - packets[0].sequence for p in packets] == list(range(50))
    assert [p.timestamp - packets[0].timestamp for p in packets] == [160 * n for n in range(50)]
    assert packets[1].time_s - packets[0].time_s == pytest.approx(0.02)
    assert packets[0].marker and not packets[1].marker and len({p.ssrc for p in packets}) == 1
    assert b"".join(p.payload for p in packets) == tone_ulaw(440, 1.0)


def test_dtmf_pcap(tmp_path: Path) -> None:
    packets = read_rtp_pcap(write_dtmf_pcap(tmp_path / "dtmf.pcap", "19*#", duration_ms=100, gap_ms=100))
    assert dtmf_digits(packets) == "19*#"
    assert {p.payload_type for p in packets} == {TELEPHONE_EVENT}
    first = [p for p in packets if p.payload[0] == 1]
    assert first[0].marker and [p.payload[1] & 0x80 for p in first[-3:]] == [0x80] * 3  # end bit, sent 3 times
    assert int.from_bytes(first[-1].payload[2:4], "big") == 800  # 100 ms at 8 kHz
    assert len({p.sequence for p in packets}) == len(packets)


def test_sipp_dtmf_pcaps_read_back() -> None:
    if not (SIPP_PCAPS / "dtmf_2833_1.pcap").exists():
        pytest.skip("sip-tester's pcaps are not installed")
    for digit, name in [("1", "1"), ("0", "0"), ("#", "pound"), ("*", "star")]:
        assert dtmf_digits(read_rtp_pcap(SIPP_PCAPS / f"dtmf_2833_{name}.pcap")) == digit


def test_speech_pcap(tmp_path: Path) -> None:
    if not (shutil.which("espeak-ng") and shutil.which("sox")):
        pytest.skip("espeak-ng and sox are needed for speech")
    packets = read_rtp_pcap(write_speech_pcap(tmp_path / "speech.pcap", "Hello, this is caller A."))
    assert len(packets) > 25 and {p.payload_type for p in packets} == {PCMU}
    assert len({p.payload for p in packets}) > 10  # not silence
