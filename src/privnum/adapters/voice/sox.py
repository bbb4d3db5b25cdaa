"""Conversion with SoX (``sox``, Debian package ``sox``): whatever it reads (WAV, AIFF, FLAC, Ogg, AU...;
MP3 only when built with it) becomes 8 kHz mono raw G.711."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

from privnum.domain.voice_files import PCMA, PCMU, SAMPLE_RATE, AudioRefused

SOX = "sox"
TIMEOUT_S = 120.0
_ENCODINGS = {PCMU: "u-law", PCMA: "a-law"}


async def convert(source: Path, target: Path, payload_type: int, *, sox: str = SOX) -> None:
    """Write ``source`` as raw 8 kHz mono G.711 (µ-law for payload type 0, A-law for 8) to ``target``."""
    command = [sox, "-V1", str(source), "-t", "raw", "-r", str(SAMPLE_RATE), "-c", "1",
               "-e", _ENCODINGS[payload_type], "-b", "8", str(target)]
    try:
        process = await asyncio.create_subprocess_exec(*command, stdin=asyncio.subprocess.DEVNULL,
                                                       stdout=asyncio.subprocess.DEVNULL,
                                                       stderr=asyncio.subprocess.PIPE)
    except FileNotFoundError:
        raise AudioRefused(f"cannot convert voice files: {sox!r} is not installed (Debian: apt-get install sox)"
                           ) from None
    try:
        _, stderr = await asyncio.wait_for(process.communicate(), TIMEOUT_S)
    except BaseException as error:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()
        if isinstance(error, TimeoutError):
            raise AudioRefused(f"sox took more than {TIMEOUT_S:.0f} s on {source.name}; nothing was kept") from None
        raise
    if process.returncode != 0:
        said = stderr.decode(errors="replace").strip().splitlines()
        reason = said[-1].removeprefix("sox FAIL ").strip() if said else f"sox exited {process.returncode}"
        raise AudioRefused(f"{source.name} is not audio sox can read ({reason}); nothing was kept")
