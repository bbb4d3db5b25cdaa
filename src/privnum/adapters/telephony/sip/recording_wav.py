"""RTPProxy (rtp.io) pcap recordings of one call -> the sandbox's recording format (mono A-law 8 kHz WAV).

The adapters-independence contract keeps this module from importing ``privnum.adapters.recordings``: it yields
the A-law samples (``recording_alaw``) and takes the WAV container as an argument (``recording_wav(...,
container=alaw_wav)``, wired in bootstrap), with its own G.711 tables (the tests check them against
``recordings.wav.alaw_encode``).

rtp.io started with ``-P -S <spool> -r <final>`` records ``C`` commands as pcap files: ``<name>.a.rtp`` holds the
RTP packets the relay *received from the caller*, ``<name>.o.rtp`` those *received from the callee* (plus empty
``.rtcp`` twins). They live in the spool directory while the call runs and are moved to the final directory when
the session is deleted (``D``). Observed format: little-endian classic pcap (magic ``a1b2c3d4``, v2.4, snaplen
65535), linktype 1 (a fake Ethernet header, then IPv4/UDP/RTP), timestamps = arrival time in microseconds.
Prompts rtp.io plays are not in the files (only received packets are).

Both directions are mixed into one mono track, like the sandbox's recordings. Each packet is placed by its RTP
timestamp relative to the first packet of its stream; a stream restarts at its arrival time when the SSRC changes,
the timestamp runs backwards, or the timestamp and the arrival clock drift apart by more than ``RESYNC_SAMPLES``.
The two files share the arrival clock, so the earliest packet of either file is time zero.

G.711 µ-law (PT 0) and A-law (PT 8) payloads are kept; telephone-event, comfort noise and any other payload type
are skipped. Pure Python (no ``audioop``, gone in 3.13), and no sippy import. Bad input never raises: unreadable,
empty, truncated or audio-less files give an empty leg, and a call with no audio at all gives ``None``.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

SAMPLE_RATE = 8000
PT_PCMU = 0
PT_PCMA = 8
RESYNC_SAMPLES = SAMPLE_RATE // 2          # ts vs arrival drift (0.5 s) that makes a stream restart at arrival time
MAX_SECONDS = 6 * 3600                     # never build a track longer than this, whatever the timestamps say
MAX_FILE_BYTES = 512 * 1024 * 1024
ALAW_SILENCE = 0xD5                         # A-law code of the 0 sample

_PCAP_MAGIC = {b"\xd4\xc3\xb2\xa1": ("<", 1e-6), b"\xa1\xb2\xc3\xd4": (">", 1e-6),
               b"\x4d\x3c\xb2\xa1": ("<", 1e-9), b"\xa1\xb2\x3c\x4d": (">", 1e-9)}
_LINK_ETHERNET, _LINK_NULL, _LINK_RAW, _LINK_RAW_BSD, _LINK_LOOP, _LINK_SLL = 1, 0, 101, 12, 108, 113
_LINK_IPV4, _LINK_IPV6 = 228, 229
_UDP = 17


@dataclass(frozen=True, slots=True)
class RtpPacket:
    """One RTP packet of a recording: arrival time (s), header fields, and the payload without padding."""

    arrival: float
    payload_type: int
    sequence: int
    timestamp: int
    ssrc: int
    payload: bytes


def _ip_payload(frame: bytes, linktype: int) -> bytes | None:
    """The UDP payload of a link-layer frame, or None when it is not IPv4/IPv6 UDP."""
    if linktype == _LINK_ETHERNET:
        offset, ethertype = 14, frame[12:14]
        while ethertype in (b"\x81\x00", b"\x88\xa8") and len(frame) >= offset + 4:   # VLAN tags
            ethertype, offset = frame[offset + 2:offset + 4], offset + 4
        ip = frame[offset:]
    elif linktype in (_LINK_NULL, _LINK_LOOP):
        ip = frame[4:]
    elif linktype == _LINK_SLL:
        ip = frame[16:]
    elif linktype in (_LINK_RAW, _LINK_RAW_BSD, _LINK_IPV4, _LINK_IPV6):
        ip = frame
    else:
        return None
    if len(ip) < 20:
        return None
    version = ip[0] >> 4
    if version == 4:
        ihl = (ip[0] & 0x0F) * 4
        if ip[9] != _UDP or ihl < 20:
            return None
        udp = ip[ihl:]
    elif version == 6:
        if len(ip) < 40 or ip[6] != _UDP:      # no extension headers on RTP in practice
            return None
        udp = ip[40:]
    else:
        return None
    if len(udp) < 8:
        return None
    (length,) = struct.unpack_from(">H", udp, 4)
    end = length if 8 <= length <= len(udp) else len(udp)
    return udp[8:end]


def _rtp(arrival: float, data: bytes) -> RtpPacket | None:
    """Parse an RTP packet (version 2, CSRCs, header extension, padding); None when it is not one."""
    if len(data) < 12 or data[0] >> 6 != 2:
        return None
    header = 12 + 4 * (data[0] & 0x0F)
    if data[0] & 0x10:
        if len(data) < header + 4:
            return None
        (words,) = struct.unpack_from(">H", data, header + 2)
        header += 4 + 4 * words
    end = len(data)
    if data[0] & 0x20:
        end -= data[-1]
    if header > end:
        return None
    sequence, timestamp, ssrc = struct.unpack_from(">HII", data, 2)
    return RtpPacket(arrival, data[1] & 0x7F, sequence, timestamp, ssrc, bytes(data[header:end]))


def rtp_packets(pcap: bytes) -> list[RtpPacket]:
    """Every UDP-carried RTP packet of a pcap file, in file order; a truncated file yields what precedes the cut."""
    magic = _PCAP_MAGIC.get(bytes(pcap[:4]))
    if magic is None or len(pcap) < 24:
        return []
    endian, unit = magic
    (linktype,) = struct.unpack_from(endian + "I", pcap, 20)
    linktype &= 0x0FFFFFFF
    record = struct.Struct(endian + "IIII")
    out: list[RtpPacket] = []
    offset = 24
    while offset + 16 <= len(pcap):
        seconds, fraction, captured, _original = record.unpack_from(pcap, offset)
        offset += 16
        if offset + captured > len(pcap):
            break
        frame = pcap[offset:offset + captured]
        offset += captured
        udp = _ip_payload(frame, linktype)
        if udp is None:
            continue
        packet = _rtp(seconds + fraction * unit, udp)
        if packet is not None:
            out.append(packet)
    return out


def read_rtp_pcap(path: str | os.PathLike[str] | None) -> list[RtpPacket]:
    """``rtp_packets`` of a file; [] when the path is None, missing, unreadable or too big."""
    if path is None:
        return []
    try:
        p = Path(path)
        if p.stat().st_size > MAX_FILE_BYTES:
            return []
        return rtp_packets(p.read_bytes())
    except (OSError, ValueError):
        return []


def _ulaw_to_linear(code: int) -> int:
    code = ~code & 0xFF
    magnitude = (((code & 0x0F) << 3) + 0x84) << ((code & 0x70) >> 4)
    return 0x84 - magnitude if code & 0x80 else magnitude - 0x84


def _alaw_to_linear(code: int) -> int:
    code ^= 0x55
    magnitude = (code & 0x0F) << 4
    segment = (code & 0x70) >> 4
    magnitude = magnitude + 8 if segment == 0 else (magnitude + 0x108) << (segment - 1)
    return magnitude if code & 0x80 else -magnitude


def alaw_code(sample: int) -> int:
    """ITU-T G.711 A-law code of a signed 16-bit sample (same result as ``recordings.wav.alaw_encode``)."""
    value = sample >> 3
    if value >= 0:
        mask = 0xD5
    else:
        mask = 0x55
        value = -value - 1
    for segment, end in enumerate(_SEGMENT_ENDS):
        if value <= end:
            code = segment << 4
            code |= (value >> 1) & 0x0F if segment < 2 else (value >> segment) & 0x0F
            return code ^ mask
    return 0x7F ^ mask


def _alaw_bytes(samples: Iterable[int]) -> bytes:
    return bytes(alaw_code(s) for s in samples)


_SEGMENT_ENDS = (0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF)
_ALAW_LINEAR = tuple(_alaw_to_linear(c) for c in range(256))
_ULAW_TO_ALAW = _alaw_bytes(_ulaw_to_linear(c) for c in range(256))       # bytes.translate table


def _build_mix() -> bytes:
    """65536-entry table: (A-law a, A-law b) -> A-law of the clipped sum; silence on one side keeps the other as is."""
    table = bytearray(_alaw_bytes(max(-32768, min(32767, _ALAW_LINEAR[a] + _ALAW_LINEAR[b]))
                                  for a in range(256) for b in range(256)))
    for c in range(256):
        table[(c << 8) | ALAW_SILENCE] = c
        table[(ALAW_SILENCE << 8) | c] = c
    return bytes(table)


_MIX: bytes | None = None


def _mix_table() -> bytes:
    global _MIX
    if _MIX is None:
        _MIX = _build_mix()
    return _MIX


def _placed(packets: Iterable[RtpPacket], origin: float) -> Iterator[tuple[int, bytes]]:
    """(sample offset from ``origin``, A-law payload) per audio packet, by RTP timestamp with arrival-time resync."""
    ssrc: int | None = None
    base_ts = 0
    base_pos = 0
    for p in packets:
        if p.payload_type == PT_PCMA:
            alaw = p.payload
        elif p.payload_type == PT_PCMU:
            alaw = p.payload.translate(_ULAW_TO_ALAW)
        else:
            continue
        if not alaw:
            continue
        arrival_pos = round((p.arrival - origin) * SAMPLE_RATE)
        delta = (p.timestamp - base_ts) & 0xFFFFFFFF
        position = base_pos + delta
        if (ssrc != p.ssrc or delta >= 0x80000000 or abs(position - arrival_pos) > RESYNC_SAMPLES):
            ssrc, base_ts, base_pos, position = p.ssrc, p.timestamp, max(0, arrival_pos), max(0, arrival_pos)
        yield position, alaw


def _track(packets: list[RtpPacket], origin: float) -> bytearray:
    """One leg as A-law samples on the common timeline (silence where nothing arrived)."""
    limit = MAX_SECONDS * SAMPLE_RATE
    track = bytearray()
    for position, alaw in _placed(packets, origin):
        if position >= limit:
            continue
        alaw = alaw[:limit - position]
        end = position + len(alaw)
        if end > len(track):
            track.extend(bytes([ALAW_SILENCE]) * (end - len(track)))
        track[position:end] = alaw
    return track


def mix_alaw(first: bytes | bytearray, second: bytes | bytearray) -> bytes:
    """Sample-by-sample mix of two A-law tracks (the shorter one is padded with silence)."""
    if len(first) < len(second):
        first, second = second, first
    if not second:
        return bytes(first)
    table = _mix_table()
    head = bytes(table[(a << 8) | b] for a, b in zip(first, second, strict=False))
    return head + bytes(first[len(second):])


def mix_legs(caller: list[RtpPacket], callee: list[RtpPacket]) -> bytes | None:
    """Both directions as one mono A-law track from the earliest audio packet; None when neither has audio."""
    audio = [p.arrival for p in (*caller, *callee) if p.payload_type in (PT_PCMU, PT_PCMA) and p.payload]
    if not audio:
        return None
    origin = min(audio)
    return mix_alaw(_track(caller, origin), _track(callee, origin))


def recording_alaw(caller_pcap: str | os.PathLike[str] | None,
                   callee_pcap: str | os.PathLike[str] | None) -> bytes | None:
    """The call's mono A-law 8 kHz samples (both directions mixed), or None without any audio."""
    return mix_legs(read_rtp_pcap(caller_pcap), read_rtp_pcap(callee_pcap))


def recording_wav(caller_pcap: str | os.PathLike[str] | None, callee_pcap: str | os.PathLike[str] | None,
                  container: Callable[[bytes], bytes]) -> bytes | None:
    """The call's recording as the sandbox makes it: ``container`` is ``recordings.wav.alaw_wav``."""
    alaw = recording_alaw(caller_pcap, callee_pcap)
    return None if alaw is None else container(alaw)


def rtpproxy_recording_paths(directory: str | os.PathLike[str], name: str) -> tuple[Path, Path]:
    """(caller file, callee file) that ``start_recording(name)`` leaves in rtp.io's final directory (``-r``)."""
    base = Path(directory)
    return base / f"{name}.a.rtp", base / f"{name}.o.rtp"


def rtpproxy_recording_wav(directory: str | os.PathLike[str], name: str,
                           container: Callable[[bytes], bytes]) -> bytes | None:
    """``recording_wav`` of the two files rtp.io wrote for recording ``name`` (after the session's ``D``)."""
    caller, callee = rtpproxy_recording_paths(directory, name)
    return recording_wav(caller, callee, container)
