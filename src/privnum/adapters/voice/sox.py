"""Conversion with SoX (``sox``, Debian package ``sox``): whatever it reads (WAV, AIFF, FLAC, Ogg, AU...;
MP3 only when built with it) becomes 8 kHz mono raw G.711."""

from __future__ import annotations

import asyncio
import contextlib
import re
from pathlib import Path

from privnum.domain.voice_files import PCMA, PCMU, SAMPLE_RATE, AudioFormat, AudioRefused

SOX = "sox"
TIMEOUT_S = 120.0
_ENCODINGS = {PCMU: "u-law", PCMA: "a-law"}


async def _run(command: list[str], source: Path, sox: str) -> tuple[int, bytes, str]:
    try:
        process = await asyncio.create_subprocess_exec(*command, stdin=asyncio.subprocess.DEVNULL,
                                                       stdout=asyncio.subprocess.PIPE,
                                                       stderr=asyncio.subprocess.PIPE)
    except FileNotFoundError:
        raise AudioRefused(f"cannot convert voice files: {sox!r} is not installed (Debian: apt-get install sox)"
                           ) from None
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(), TIMEOUT_S)
    except BaseException as error:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()
        if isinstance(error, TimeoutError):
            raise AudioRefused(f"sox took more than {TIMEOUT_S:.0f} s on {source.name}; nothing was kept") from None
        raise
    return process.returncode or 0, stdout, stderr.decode(errors="replace")


def _refusal(source: Path, returncode: int, stderr: str) -> AudioRefused:
    said = stderr.strip().splitlines()
    reason = said[-1].removeprefix("sox FAIL ").strip() if said else f"sox exited {returncode}"
    return AudioRefused(f"{source.name} is not audio sox can read ({reason}); nothing was kept")


_INFO = re.compile(r"^(Channels|Sample Rate|Duration|Sample Encoding)\s*: (.*)$", re.MULTILINE)
_SAMPLES = re.compile(r"= (\d+) samples")


async def probe(source: Path, *, sox: str = SOX) -> AudioFormat:
    """What ``source`` holds (``sox --i``): its type, encoding, rate, channels and length."""
    returncode, out, err = await _run([sox, "--i", str(source)], source, sox)
    if returncode != 0:
        raise _refusal(source, returncode, err)
    info = dict(_INFO.findall(out.decode(errors="replace")))
    _, file_type, _ = await _run([sox, "--i", "-t", str(source)], source, sox)
    samples = _SAMPLES.search(info.get("Duration", ""))  # no Duration line: an empty file
    try:
        rate = int(float(info["Sample Rate"]))
        duration_ms = int(samples.group(1)) * 1000 // rate if samples and rate else 0
        return AudioFormat(file_type=file_type.decode(errors="replace").strip() or source.suffix.lstrip("."),
                           encoding=info.get("Sample Encoding", "unknown").strip(), sample_rate=rate,
                           channels=int(info["Channels"]), duration_ms=duration_ms)
    except (KeyError, ValueError):
        raise AudioRefused(f"{source.name}: sox cannot tell what it holds; nothing was kept") from None


async def convert(source: Path, target: Path, payload_type: int, *, sox: str = SOX) -> None:
    """Write ``source`` as raw 8 kHz mono G.711 (µ-law for payload type 0, A-law for 8) to ``target``."""
    command = [sox, "-V1", str(source), "-t", "raw", "-r", str(SAMPLE_RATE), "-c", "1",
               "-e", _ENCODINGS[payload_type], "-b", "8", str(target)]
    returncode, _, stderr = await _run(command, source, sox)
    if returncode != 0:
        raise _refusal(source, returncode, stderr)


async def pcm16_wav(alaw: Path, *, sox: str = SOX) -> bytes:
    """A stored raw A-law prompt as a 16-bit PCM WAV, the WAV encoding every browser's ``<audio>`` plays (Debian's
    Chromium plays A-law WAV too, but answers "" to ``canPlayType('audio/wav; codecs="6"')``: not promised)."""
    command = [sox, "-V1", "-t", "raw", "-r", str(SAMPLE_RATE), "-c", "1", "-e", "a-law", "-b", "8", str(alaw),
               "-t", "wav", "-e", "signed-integer", "-b", "16", "-"]
    returncode, wav, stderr = await _run(command, alaw, sox)
    if returncode != 0:
        raise _refusal(alaw, returncode, stderr)
    return wav
