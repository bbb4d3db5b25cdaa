"""RTPProxy's pcap recordings of a call -> the platform's WAV (placeholder until the converter lands)."""

from __future__ import annotations

from pathlib import Path


def recording_to_wav(caller_side: Path, callee_side: Path) -> bytes | None:
    return None
