"""A-law WAV files as Huawei delivers recordings: G.711 A-law, 8000 Hz, mono, 8 bits a sample (64 kbit/s).

Pure Python (the stdlib ``audioop`` is deprecated since 3.11 and gone in 3.13): G.711 A-law encoding
through a precomputed 8192-entry table over the 13 significant bits of a 16-bit sample.
"""

from __future__ import annotations

import math
import struct
from array import array
from dataclasses import dataclass

WAVE_FORMAT_ALAW = 6
SAMPLE_RATE = 8000
CHANNELS = 1
BITS_PER_SAMPLE = 8

_SEGMENT_ENDS = (0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF)


def _encode_13bit(value: int) -> int:
    """ITU-T G.711 A-law of a signed 13-bit sample (the 16-bit sample shifted right by 3)."""
    if value >= 0:
        mask = 0xD5
    else:
        mask = 0x55
        value = -value - 1
    segment = next((i for i, end in enumerate(_SEGMENT_ENDS) if value <= end), None)
    if segment is None:
        return 0x7F ^ mask
    code = segment << 4
    code |= (value >> 1) & 0x0F if segment < 2 else (value >> segment) & 0x0F
    return code ^ mask


def _decode(code: int) -> int:
    """ITU-T G.711 A-law byte -> signed 16-bit sample."""
    code ^= 0x55
    magnitude = (code & 0x0F) << 4
    segment = (code & 0x70) >> 4
    if segment == 0:
        magnitude += 8
    else:
        magnitude = (magnitude + 0x108) << (segment - 1)
    return magnitude if code & 0x80 else -magnitude


# index: (sample >> 3) & 0x1FFF, i.e. the 13-bit two's complement value
_ENCODE = bytes(_encode_13bit(i - 0x2000 if i & 0x1000 else i) for i in range(0x2000))
_DECODE = tuple(_decode(code) for code in range(256))


def alaw_encode(pcm16: bytes) -> bytes:
    """16-bit signed little-endian mono PCM -> A-law bytes (one a sample)."""
    samples = array("h")
    samples.frombytes(pcm16[: len(pcm16) - len(pcm16) % 2])
    if samples.itemsize != 2:  # pragma: no cover - every CPython platform has a 2-byte short
        raise RuntimeError("array('h') is not 16-bit here")
    if struct.pack("=h", 1) != struct.pack("<h", 1):  # pragma: no cover - big-endian host
        samples.byteswap()
    table = _ENCODE
    return bytes([table[(s >> 3) & 0x1FFF] for s in samples])


def alaw_decode(alaw: bytes) -> bytes:
    """A-law bytes -> 16-bit signed little-endian PCM."""
    samples = array("h", [_DECODE[b] for b in alaw])
    if struct.pack("=h", 1) != struct.pack("<h", 1):  # pragma: no cover - big-endian host
        samples.byteswap()
    return samples.tobytes()


def alaw_wav(alaw: bytes) -> bytes:
    """A complete RIFF/WAVE file around A-law samples: fmt (18 bytes, cbSize 0), fact, data."""
    frames = len(alaw)
    block_align = CHANNELS * BITS_PER_SAMPLE // 8
    fmt = struct.pack("<HHIIHHH", WAVE_FORMAT_ALAW, CHANNELS, SAMPLE_RATE, SAMPLE_RATE * block_align,
                      block_align, BITS_PER_SAMPLE, 0)
    fact = struct.pack("<I", frames)
    pad = b"\x00" if frames % 2 else b""
    body = (b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"fact" + struct.pack("<I", len(fact)) + fact
            + b"data" + struct.pack("<I", frames) + alaw + pad)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def synthesize_call_audio(duration_ms: int, freq_hz: float = 440) -> bytes:
    """A quiet sine tone (about -20 dBFS) of ``duration_ms``, as A-law samples: stand-in audio of simulated calls."""
    total = max(0, duration_ms) * SAMPLE_RATE // 1000
    amplitude = 3277
    # a whole number of cycles fits one second: encode one second and repeat it
    period = SAMPLE_RATE if float(freq_hz).is_integer() else total
    step = 2 * math.pi * freq_hz / SAMPLE_RATE
    one = array("h", [round(amplitude * math.sin(step * n)) for n in range(min(period, total))])
    if struct.pack("=h", 1) != struct.pack("<h", 1):  # pragma: no cover - big-endian host
        one.byteswap()
    block = alaw_encode(one.tobytes())
    if not block:
        return b""
    repeats, rest = divmod(total, len(block))
    return block * repeats + block[:rest]


@dataclass(frozen=True)
class WavInfo:
    format_tag: int
    sample_rate: int
    channels: int
    bits_per_sample: int
    byte_rate: int
    block_align: int
    frames: int
    data: bytes


def read_wav_info(wav: bytes) -> WavInfo:
    """The fmt fields, frame count and sample bytes of a RIFF/WAVE file; ValueError when it is not one."""
    if len(wav) < 12 or wav[:4] != b"RIFF" or wav[8:12] != b"WAVE":
        raise ValueError("not a RIFF/WAVE file")
    riff_end = min(len(wav), 8 + struct.unpack_from("<I", wav, 4)[0])
    fmt: tuple[int, ...] | None = None
    data: bytes | None = None
    offset = 12
    while offset + 8 <= riff_end:
        chunk_id = wav[offset:offset + 4]
        (size,) = struct.unpack_from("<I", wav, offset + 4)
        start = offset + 8
        if start + size > riff_end:
            raise ValueError(f"chunk {chunk_id!r} runs past the end of the file")
        if chunk_id == b"fmt ":
            if size < 16:
                raise ValueError("fmt chunk too short")
            fmt = struct.unpack_from("<HHIIHH", wav, start)
        elif chunk_id == b"data":
            data = wav[start:start + size]
        offset = start + size + (size % 2)
    if fmt is None or data is None:
        raise ValueError("fmt or data chunk missing")
    format_tag, channels, rate, byte_rate, block_align, bits = fmt
    if block_align <= 0:
        raise ValueError("block_align is 0")
    return WavInfo(format_tag, rate, channels, bits, byte_rate, block_align, len(data) // block_align, data)
