"""The telephony-driver interface: what the call engine asks of a driver, and what a driver reports.

A driver owns the real legs (the sandbox's simulated ones now, SIP B2BUA legs next). It reports
what happens on them to the engine's ``CallSignals``; the engine decides and gives it commands.
Every command is keyed by privnum's session id; the driver keeps its own leg mapping.
"""

from __future__ import annotations

from typing import Protocol

from privnum.domain.calls.session import Party


class TelephonyDriver(Protocol):
    name: str

    async def collect_digits(self, session_id: str, max_digits: int, prompt: str | None) -> None:
        """Ask the caller for digits (AXE extension); answer with CallSignals.digits_collected."""

    async def dial(self, session_id: str, callee: str, display: str, caller_tone: str | None) -> None:
        """Start the forwarded leg to ``callee`` showing ``display``; report alerting/answer/failure."""

    async def play(self, session_id: str, prompt: str, to: Party | None) -> None:
        """Play a voice file to one party (None: both)."""

    async def start_recording(self, session_id: str) -> None: ...

    async def stop_recording(self, session_id: str) -> bytes | None:
        """End recording; the A-law WAV recorded so far, or None."""

    async def release(self, session_id: str, tone: str | None = None) -> None:
        """End every leg of the call (after ``tone`` when given); no further signals are expected."""


class CallSignals(Protocol):
    """What a driver reports to the call engine."""

    async def call_arrived(self, caller: str, called: str, driver_ref: str) -> str | None:
        """A call to ``called`` reached the platform; the session id, or None to refuse it (unknown X)."""

    async def digits_collected(self, session_id: str, digits: str | None) -> None: ...

    async def forward_alerting(self, session_id: str) -> None: ...

    async def forward_answered(self, session_id: str) -> None: ...

    async def forward_failed(self, session_id: str, sip_status: int) -> None: ...

    async def party_hung_up(self, session_id: str, party: Party) -> None: ...
