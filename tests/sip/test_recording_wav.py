"""RTPProxy pcap recordings -> the sandbox's mono A-law WAV (privnum.adapters.telephony.sip.recording_wav)."""

from __future__ import annotations

import base64
import struct
from pathlib import Path

from privnum.adapters.recordings.wav import alaw_decode, alaw_encode, alaw_wav, read_wav_info
from privnum.adapters.telephony.sip import recording_wav as rw
from privnum.adapters.telephony.sip.recording_wav import (
    ALAW_SILENCE,
    alaw_code,
    mix_alaw,
    mix_legs,
    read_rtp_pcap,
    recording_alaw,
    rtp_packets,
    rtpproxy_recording_paths,
)

T0 = 1_796_124_942.0

# The first bytes of a real rtp.io 1.1.1 recording (``rec-<call-id>.a.rtp``, -P): the pcap header and two PCMA
# packets (silence) from 127.0.0.1:6000 to the relay's port 20006, cut after the second record.
REAL_A_RTP = base64.b64decode(
    "1MOyoQIABAAAAAAAAAAAAP//AAABAAAAdrIOa67/CgAmAQAAJgEAAAAAfwAAAQAAfwAAAQgARQABGAA3AAB/ETycfwAAAX8AAAGM"
    "oJSiAQRsfYCI5v0AAADw3uDuj9XV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV"
    "1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV"
    "1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV"
    "1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1XayDmsfdQsAJgEAACYBAAAAAH8AAAEAAH8AAAEIAEUAARgAOgAAfxE8"
    "mX8AAAF/AAABjKCUogEEbAyACOb+AAAB4N7g7o/V1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV"
    "1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV"
    "1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV"
    "1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dU=")


def rtp(pt: int, seq: int, ts: int, ssrc: int, payload: bytes, *, padding: int = 0, csrc: int = 0,
        extension: bytes | None = None) -> bytes:
    first = 0x80 | (0x20 if padding else 0) | (0x10 if extension is not None else 0) | csrc
    out = struct.pack(">BBHII", first, pt, seq & 0xFFFF, ts & 0xFFFFFFFF, ssrc) + b"\x00\x00\x00\x01" * csrc
    if extension is not None:
        out += struct.pack(">HH", 0xBEDE, len(extension) // 4) + extension
    out += payload
    if padding:
        out += b"\x00" * (padding - 1) + bytes([padding])
    return out


def frame(udp_payload: bytes, sport: int = 6000, dport: int = 20006) -> bytes:
    """What rtp.io writes: fake Ethernet (00:00:7f:00:00:01 both ways, IPv4), IPv4 header, UDP header."""
    udp = struct.pack(">HHHH", sport, dport, 8 + len(udp_payload), 0) + udp_payload
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 127, 17, 0, b"\x7f\0\0\1", b"\x7f\0\0\1")
    return b"\x00\x00\x7f\x00\x00\x01" * 2 + b"\x08\x00" + ip + udp


def pcap(records: list[tuple[float, bytes]], linktype: int = 1) -> bytes:
    """Classic little-endian pcap exactly like rtp.io's: magic a1b2c3d4, v2.4, snaplen 65535, µs timestamps."""
    out = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, linktype)
    for when, data in records:
        seconds = int(when)
        micros = round((when - seconds) * 1_000_000)
        out += struct.pack("<IIII", seconds, micros, len(data), len(data)) + data
    return out


def leg(packets: list[tuple[float, int, int, int, bytes]]) -> bytes:
    """(arrival, pt, ts, ssrc, payload) -> pcap bytes."""
    return pcap([(when, frame(rtp(pt, seq, ts, ssrc, payload)))
                 for seq, (when, pt, ts, ssrc, payload) in enumerate(packets)])


def recording_wav(caller: Path | None, callee: Path | None) -> bytes | None:
    return rw.recording_wav(caller, callee, alaw_wav)


def rtpproxy_recording_wav(directory: Path, name: str) -> bytes | None:
    return rw.rtpproxy_recording_wav(directory, name, alaw_wav)


def alaw_frames(wav: bytes | None) -> bytes:
    assert wav is not None
    info = read_wav_info(wav)
    assert (info.format_tag, info.sample_rate, info.channels, info.bits_per_sample) == (6, 8000, 1, 8)
    return info.data


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def ulaw_linear(code: int) -> int:
    code = ~code & 0xFF
    magnitude = (((code & 0x0F) << 3) + 0x84) << ((code & 0x70) >> 4)
    return 0x84 - magnitude if code & 0x80 else magnitude - 0x84


def linear(alaw: bytes) -> list[int]:
    pcm = alaw_decode(alaw)
    return list(struct.unpack(f"<{len(pcm) // 2}h", pcm))


def test_real_rtpio_recording_parses(tmp_path: Path) -> None:
    packets = rtp_packets(REAL_A_RTP)
    assert [(p.payload_type, len(p.payload)) for p in packets] == [(8, 240), (8, 240)]
    assert packets[1].timestamp - packets[0].timestamp == 240
    assert packets[0].ssrc == packets[1].ssrc
    assert pcap([])[:24] == REAL_A_RTP[:24]              # the synthetic writer matches rtp.io's header byte for byte
    real = write(tmp_path, "rec-1-9238_127.0.0.1.a.rtp", REAL_A_RTP)
    assert alaw_frames(recording_wav(real, None)) == bytes([ALAW_SILENCE]) * 480


def test_single_pcma_leg_is_copied_byte_for_byte(tmp_path: Path) -> None:
    chunks = [bytes((i * 7 + j) & 0xFF for j in range(160)) for i in range(5)]
    a = write(tmp_path, "c.a.rtp", leg([(T0 + 0.02 * i, 8, 1000 + 160 * i, 1, c) for i, c in enumerate(chunks)]))
    assert alaw_frames(recording_wav(a, tmp_path / "missing.o.rtp")) == b"".join(chunks)


def test_pcmu_is_transcoded_to_alaw() -> None:
    payload = bytes(range(256))
    alaw = mix_legs(rtp_packets(leg([(T0, 0, 0, 9, payload)])), [])
    assert alaw is not None and len(alaw) == 256
    for code, sample in zip(payload, linear(alaw), strict=True):
        expected = ulaw_linear(code)
        assert abs(sample - expected) <= max(16, abs(expected) // 16), (code, sample, expected)
    assert alaw[0xFF] in (0xD5, 0x55)  # µ-law 0xFF is silence


def test_timestamp_places_samples_not_arrival_jitter() -> None:
    a = b"\x01" * 160
    b = b"\x02" * 160
    # second packet arrives 40 ms late but its timestamp says "right after the first"; third after a 100 ms gap
    alaw = mix_legs(rtp_packets(leg([(T0, 8, 5000, 7, a), (T0 + 0.06, 8, 5160, 7, b), (T0 + 0.14, 8, 6120, 7, a)])), [])
    assert alaw == a + b + bytes([ALAW_SILENCE]) * 800 + a


def test_ssrc_change_and_timestamp_jump_restart_at_arrival_time() -> None:
    a, b, c = b"\x11" * 160, b"\x22" * 160, b"\x33" * 160
    packets = leg([
        (T0, 8, 100, 1, a),
        (T0 + 0.5, 8, 777_777, 2, b),             # new SSRC: placed at arrival (4000 samples)
        (T0 + 1.0, 8, 777_777 + 10_000_000, 2, c),  # same SSRC, absurd timestamp jump: placed at arrival (8000)
    ])
    alaw = mix_legs(rtp_packets(packets), [])
    assert alaw is not None and len(alaw) == 8160
    assert alaw[:160] == a and alaw[4000:4160] == b and alaw[8000:] == c
    assert set(alaw[160:4000]) == {ALAW_SILENCE}


def test_timestamp_wraparound_is_continuous() -> None:
    a, b = b"\x41" * 160, b"\x42" * 160
    alaw = mix_legs(rtp_packets(leg([(T0, 8, 0xFFFFFF60, 3, a), (T0 + 0.02, 8, 0x00000000, 3, b)])), [])
    assert alaw == a + b


def test_non_audio_payload_types_are_skipped_and_rtp_details_parsed() -> None:
    voice = b"\x55" * 80
    records = [
        (T0, frame(rtp(101, 1, 0, 5, b"\x01\x0a\x00\xa0"))),                 # telephone-event
        (T0 + 0.01, frame(rtp(13, 2, 80, 5, b"\x40"))),                      # comfort noise
        (T0 + 0.02, frame(rtp(8, 3, 160, 5, voice, padding=4, csrc=2, extension=b"\x10\x20\x30\x40"))),
        (T0 + 0.03, frame(b"not rtp at all")),
        (T0 + 0.04, b"\x00" * 10),                                           # runt frame
    ]
    packets = rtp_packets(pcap(records))
    assert [p.payload_type for p in packets] == [101, 13, 8]
    assert packets[2].payload == voice
    alaw = mix_legs(packets, [])
    assert alaw == voice                                   # time zero is the first *audio* packet


def test_two_directions_are_mixed_on_one_timeline(tmp_path: Path) -> None:
    talk_a = bytes([0xAA]) * 160
    talk_b = bytes([0x2A]) * 160
    a = write(tmp_path, "r.a.rtp", leg([(T0, 8, 0, 1, talk_a), (T0 + 0.02, 8, 160, 1, talk_a)]))
    o = write(tmp_path, "r.o.rtp", leg([(T0 + 0.02, 0, 90_000, 2, bytes([0xFF]) * 160),  # µ-law silence
                                        (T0 + 0.04, 8, 90_160, 2, talk_b)]))
    data = alaw_frames(recording_wav(a, o))
    assert len(data) == 480
    assert data[:160] == talk_a                             # only A
    assert data[160:320] == talk_a                          # A against B's silence: A unchanged
    assert data[320:] == talk_b                             # only B
    both = mix_alaw(talk_a, talk_b)
    expected = max(-32768, min(32767, linear(talk_a)[0] + linear(talk_b)[0]))
    assert abs(linear(both)[0] - expected) <= abs(expected) // 16 + 16


def test_rtpproxy_names(tmp_path: Path) -> None:
    a, o = rtpproxy_recording_paths(tmp_path, "rec-1-9238_127.0.0.1")
    assert (a.name, o.name) == ("rec-1-9238_127.0.0.1.a.rtp", "rec-1-9238_127.0.0.1.o.rtp")
    o.write_bytes(leg([(T0, 8, 0, 1, b"\x07" * 160)]))
    assert alaw_frames(rtpproxy_recording_wav(tmp_path, "rec-1-9238_127.0.0.1")) == b"\x07" * 160
    assert rtpproxy_recording_wav(tmp_path, "nothing-here") is None


def test_bad_input_never_raises(tmp_path: Path) -> None:
    good = leg([(T0 + 0.02 * i, 8, 160 * i, 1, bytes([i + 1]) * 160) for i in range(4)])
    empty = write(tmp_path, "empty.rtp", b"")
    header_only = write(tmp_path, "hdr.rtp", pcap([]))
    garbage = write(tmp_path, "junk.rtp", b"\xff" * 1000)
    cut = write(tmp_path, "cut.rtp", good[:-100])           # cut inside the 4th record
    assert recording_wav(None, None) is None
    assert recording_wav(tmp_path / "nope.a.rtp", tmp_path / "nope.o.rtp") is None
    assert recording_wav(empty, header_only) is None
    assert recording_wav(garbage, tmp_path) is None         # a directory is unreadable as a file
    assert alaw_frames(recording_wav(cut, garbage)) == b"".join(bytes([i + 1]) * 160 for i in range(3))
    assert read_rtp_pcap(None) == []
    # big-endian and nanosecond pcaps are accepted too
    be = struct.pack(">IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 65535, 101)
    ip_only = frame(rtp(8, 1, 0, 1, b"\x09" * 80))[14:]
    be += struct.pack(">IIII", int(T0), 5, len(ip_only), len(ip_only)) + ip_only
    assert mix_legs(rtp_packets(be), []) == b"\x09" * 80


def test_own_alaw_encoder_matches_the_sandbox_codec() -> None:
    every = struct.pack("<65536h", *range(-32768, 32768))
    assert bytes(alaw_code(s) for s in range(-32768, 32768)) == alaw_encode(every)


def test_recording_alaw_is_the_wav_payload(tmp_path: Path) -> None:
    a = write(tmp_path, "x.a.rtp", leg([(T0, 0, 0, 1, bytes(range(160)))]))
    alaw = recording_alaw(a, None)
    assert alaw is not None and alaw_frames(recording_wav(a, None)) == alaw
