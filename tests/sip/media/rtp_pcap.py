"""RTP audio for SIPp's ``play_pcap_audio``, written at test time: no binary fixtures.

SIPp replays the UDP payloads of a pcap with the pcap's own timing, to the media address of the
peer's SDP; it rewrites addresses and ports only. So the pcap must hold well-formed RTP (sequence
numbers and timestamps that advance, one SSRC) spaced 20 ms apart. This module writes such pcaps
in pure Python (Ethernet / IPv4 / UDP / RTP) and reads them back:

- ``write_tone_pcap(path, 440, 2.0)``: a PCMU (payload 0) sine tone;
- ``write_speech_pcap(path, "hello")``: espeak-ng speech turned into PCMU by sox;
- ``write_dtmf_pcap(path, "12#")``: RFC 2833 / 4733 telephone-events (payload 101);
- ``read_rtp_pcap(path)``: the RTP packets of a pcap, to check what was written or captured;
- ``RtpSink()``: a UDP socket that keeps the RTP it receives (point an SDP at its port).

SIPp ships ``/usr/share/sip-tester/dtmf_2833_<digit>.pcap`` (one digit each) and ``g711a.pcap``
(PCMA, payload 8); ``SIPP_PCAPS`` points there.
"""

from __future__ import annotations

import math
import shutil
import socket
import struct
import subprocess
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

SIPP_PCAPS = Path("/usr/share/sip-tester")
SAMPLE_RATE = 8000
PACKET_MS = 20
SAMPLES_PER_PACKET = SAMPLE_RATE * PACKET_MS // 1000  # 160 samples = 160 bytes of G.711
PCMU, PCMA, TELEPHONE_EVENT = 0, 8, 101
DTMF_EVENTS = {**{str(d): d for d in range(10)}, "*": 10, "#": 11, "A": 12, "B": 13, "C": 14, "D": 15}

_PCAP_HEADER = struct.Struct("<IHHiIII")
_RECORD_HEADER = struct.Struct("<IIII")
_PCAP_MAGIC = 0xA1B2C3D4
_LINKTYPE_ETHERNET = 1


@dataclass(frozen=True)
class RtpPacket:
    time_s: float
    payload_type: int
    marker: bool
    sequence: int
    timestamp: int
    ssrc: int
    payload: bytes
    source: tuple[str, int]
    destination: tuple[str, int]


# ---- G.711 ---------------------------------------------------------------------------------------


def ulaw_byte(sample: int) -> int:
    """One 16-bit linear sample as a G.711 mu-law byte (bias 0x84, clipped at 32635)."""
    bias, clip = 0x84, 32635
    sign = 0x80 if sample < 0 else 0
    magnitude = min(abs(sample), clip) + bias
    exponent = max(magnitude.bit_length() - 8, 0)
    mantissa = (magnitude >> (exponent + 3)) & 0x0F
    return ~(sign | (exponent << 4) | mantissa) & 0xFF


def ulaw_linear(byte: int) -> int:
    """A G.711 mu-law byte back to a 16-bit linear sample."""
    byte = ~byte & 0xFF
    magnitude = ((((byte & 0x0F) << 3) + 0x84) << ((byte & 0x70) >> 4)) - 0x84
    return -magnitude if byte & 0x80 else magnitude


def tone_ulaw(frequency_hz: float, seconds: float, amplitude: float = 0.5) -> bytes:
    count = round(seconds * SAMPLE_RATE)
    peak = amplitude * 32767
    return bytes(ulaw_byte(round(peak * math.sin(2 * math.pi * frequency_hz * n / SAMPLE_RATE)))
                 for n in range(count))


def speech_ulaw(text: str, workdir: Path) -> bytes:
    """``text`` spoken by espeak-ng, resampled to 8 kHz mu-law by sox (both must be installed)."""
    for tool in ("espeak-ng", "sox"):
        if shutil.which(tool) is None:
            raise RuntimeError(f"{tool} is not installed")
    wav, raw = workdir / "speech.wav", workdir / "speech.ulaw"
    subprocess.run(["espeak-ng", "-w", str(wav), text], check=True, capture_output=True)
    subprocess.run(["sox", str(wav), "-r", "8000", "-c", "1", "-t", "raw", "-e", "u-law", str(raw)],
                   check=True, capture_output=True)
    return raw.read_bytes()


# ---- pcap writing --------------------------------------------------------------------------------


@dataclass
class RtpWriter:
    """Builds the frames of one RTP stream; ``frames`` are (time in s, UDP datagram bytes)."""

    ssrc: int = 0x5052_4956  # "PRIV"
    sequence: int = 1000
    timestamp: int = 160_000
    source: tuple[str, int] = ("127.0.0.1", 6000)
    destination: tuple[str, int] = ("127.0.0.1", 6002)

    def __post_init__(self) -> None:
        self.frames: list[tuple[float, bytes]] = []

    def add(self, time_s: float, payload_type: int, payload: bytes, *, marker: bool = False,
            timestamp: int | None = None) -> None:
        header = struct.pack("!BBHII", 0x80, (0x80 if marker else 0) | payload_type, self.sequence & 0xFFFF,
                             (self.timestamp if timestamp is None else timestamp) & 0xFFFF_FFFF, self.ssrc)
        self.frames.append((time_s, header + payload))
        self.sequence += 1

    def add_audio(self, audio: bytes, payload_type: int = PCMU, start_s: float = 0.0) -> float:
        """G.711 bytes cut into 20 ms packets from ``start_s``; the time after the last one."""
        time_s = start_s
        for offset in range(0, len(audio), SAMPLES_PER_PACKET):
            chunk = audio[offset:offset + SAMPLES_PER_PACKET]
            chunk += bytes([0xFF if payload_type == PCMU else 0xD5]) * (SAMPLES_PER_PACKET - len(chunk))
            self.add(time_s, payload_type, chunk, marker=offset == 0)
            self.timestamp += SAMPLES_PER_PACKET
            time_s += PACKET_MS / 1000
        return time_s

    def add_dtmf(self, digit: str, start_s: float, duration_ms: int = 100, volume: int = 10) -> float:
        """One RFC 4733 event: a packet every 20 ms, the end packet sent three times."""
        event = DTMF_EVENTS[digit.upper()]
        steps = max(duration_ms // PACKET_MS, 1)
        time_s = start_s
        for step in range(1, steps + 1):
            end = step == steps
            duration = step * SAMPLES_PER_PACKET
            payload = struct.pack("!BBH", event, (0x80 if end else 0) | volume, duration)
            for _ in range(3 if end else 1):
                self.add(time_s, TELEPHONE_EVENT, payload, marker=step == 1, timestamp=self.timestamp)
            time_s += PACKET_MS / 1000
        self.timestamp += steps * SAMPLES_PER_PACKET
        return time_s

    def silence(self, seconds: float) -> None:
        """A gap with no packets: the RTP clock still runs."""
        self.timestamp += round(seconds * SAMPLE_RATE)

    def write(self, path: Path) -> Path:
        write_pcap(path, ((t, udp_frame(self.source, self.destination, data)) for t, data in self.frames))
        return path


def _checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def udp_frame(source: tuple[str, int], destination: tuple[str, int], payload: bytes) -> bytes:
    """An Ethernet II frame holding IPv4 / UDP / ``payload`` (UDP checksum 0: none)."""
    src_ip, dst_ip = (bytes(int(part) for part in host.split(".")) for host, _ in (source, destination))
    udp = struct.pack("!HHHH", source[1], destination[1], 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0x4000, 64, 17, 0, src_ip, dst_ip)
    ip = ip[:10] + struct.pack("!H", _checksum(ip)) + ip[12:]
    ethernet = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00"
    return ethernet + ip + udp


def write_pcap(path: Path, frames: Iterable[tuple[float, bytes]]) -> None:
    with path.open("wb") as out:
        out.write(_PCAP_HEADER.pack(_PCAP_MAGIC, 2, 4, 0, 0, 65535, _LINKTYPE_ETHERNET))
        for time_s, frame in frames:
            seconds = int(time_s)
            out.write(_RECORD_HEADER.pack(seconds, round((time_s - seconds) * 1e6), len(frame), len(frame)))
            out.write(frame)


def write_tone_pcap(path: Path, frequency_hz: float = 440.0, seconds: float = 2.0, amplitude: float = 0.5) -> Path:
    writer = RtpWriter()
    writer.add_audio(tone_ulaw(frequency_hz, seconds, amplitude))
    return writer.write(path)


def write_speech_pcap(path: Path, text: str) -> Path:
    writer = RtpWriter()
    writer.add_audio(speech_ulaw(text, path.parent))
    return writer.write(path)


def write_dtmf_pcap(path: Path, digits: str, *, duration_ms: int = 100, gap_ms: int = 100,
                    lead_in_ms: int = 200) -> Path:
    """The digits as RFC 4733 events, ``gap_ms`` apart, after ``lead_in_ms`` without packets."""
    writer = RtpWriter()
    time_s = lead_in_ms / 1000
    writer.silence(time_s)
    for digit in digits:
        time_s = writer.add_dtmf(digit, time_s, duration_ms)
        writer.silence(gap_ms / 1000)
        time_s += gap_ms / 1000
    return writer.write(path)


# ---- pcap reading --------------------------------------------------------------------------------


def _frames(path: Path) -> Iterator[tuple[float, bytes, int]]:
    data = path.read_bytes()
    magic, _, _, _, _, _, linktype = _PCAP_HEADER.unpack_from(data)
    order = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    fraction = 1e-9 if magic in (0xA1B23C4D, 0x4D3CB2A1) else 1e-6
    offset = _PCAP_HEADER.size
    while offset + _RECORD_HEADER.size <= len(data):
        seconds, part, length, _ = struct.unpack_from(order + "IIII", data, offset)
        offset += _RECORD_HEADER.size
        yield seconds + part * fraction, data[offset:offset + length], linktype
        offset += length


def read_rtp_pcap(path: Path) -> list[RtpPacket]:
    """The RTP packets (UDP over IPv4, Ethernet or Linux cooked capture) of a pcap, in file order."""
    packets = []
    for time_s, frame, linktype in _frames(path):
        ip_offset = {1: 14, 113: 16}.get(linktype)
        if ip_offset is None or frame[ip_offset] >> 4 != 4 or frame[ip_offset + 9] != 17:
            continue
        header_length = (frame[ip_offset] & 0x0F) * 4
        src_ip, dst_ip = frame[ip_offset + 12:ip_offset + 16], frame[ip_offset + 16:ip_offset + 20]
        udp = frame[ip_offset + header_length:]
        src_port, dst_port, length, _ = struct.unpack_from("!HHHH", udp)
        packet = parse_rtp(udp[8:length], time_s, (".".join(map(str, src_ip)), src_port),
                           (".".join(map(str, dst_ip)), dst_port))
        if packet is not None:
            packets.append(packet)
    return packets


def parse_rtp(data: bytes, time_s: float, source: tuple[str, int], destination: tuple[str, int]) -> RtpPacket | None:
    """A UDP payload as RTP (version 2), or None."""
    if len(data) < 12 or data[0] >> 6 != 2:
        return None
    first, second, sequence, timestamp, ssrc = struct.unpack_from("!BBHII", data)
    header_end = 12 + 4 * (first & 0x0F)
    return RtpPacket(time_s, second & 0x7F, bool(second & 0x80), sequence, timestamp, ssrc, data[header_end:],
                     source, destination)


class RtpSink:
    """A UDP socket on 127.0.0.1 that keeps every RTP packet it gets, read by a thread (a context manager)."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.socket.bind((host, 0))
        self.socket.settimeout(0.1)
        self.port: int = self.socket.getsockname()[1]
        self.packets: list[RtpPacket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> RtpSink:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()
        self.socket.close()

    def _run(self) -> None:
        local = self.socket.getsockname()
        while not self._stop.is_set():
            try:
                data, source = self.socket.recvfrom(65535)
            except TimeoutError:
                continue
            packet = parse_rtp(data, time.monotonic(), source, local)
            if packet is not None:
                self.packets.append(packet)


def dtmf_digits(packets: Iterable[RtpPacket], payload_type: int = TELEPHONE_EVENT) -> str:
    """The digits of the telephone-events in ``packets`` (one per RTP timestamp)."""
    names = {code: name for name, code in DTMF_EVENTS.items()}
    seen: dict[int, str] = {}
    for packet in packets:
        if packet.payload_type == payload_type and packet.payload:
            seen.setdefault(packet.timestamp, names.get(packet.payload[0], "?"))
    return "".join(seen.values())
