"""The sandbox telephony driver: simulated call legs that run the real call pipeline.

A sandbox call names its caller, the dialled X, optional extension digits and how the callee
behaves (answer after N ms, ring without answer, busy, reject with a SIP code, talk for N ms,
who hangs up). Everything after that is the real engine: routing, events, CDRs, recordings.
Customers use it to test their integration without a carrier; the tests use it too. Like every
driver it knows the call core only through ``CallSignals``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import tempfile
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from privnum.domain.calls.causes import Cause
from privnum.domain.calls.session import CallEvent, CallSession, Party
from privnum.service.calls.ports import CallSignals, RecordedAudio

log = logging.getLogger("privnum.sandbox")


class Outcome(StrEnum):
    ANSWER = "answer"
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    REJECT = "reject"


@dataclass(frozen=True)
class CalleeBehaviour:
    outcome: Outcome = Outcome.ANSWER
    alert_after_ms: int = 100
    answer_after_ms: int = 500
    reject_sip_status: int = 603
    talk_ms: int = 1000
    hang_up_by: Party = Party.CALLER
    caller_gives_up_after_ms: int | None = None


@dataclass
class SandboxCall:
    session_id: str
    digits: str | None
    behaviour: CalleeBehaviour
    tasks: list[asyncio.Task] = field(default_factory=list)
    trace: list[dict[str, Any]] = field(default_factory=list)
    prompts: list[dict[str, Any]] = field(default_factory=list)
    recording_started_ms: float | None = None
    released: bool = False


class SandboxDriver:
    """Attach it to the engine (``engine.attach(driver)``) and let it hear events (``engine.subscribe(driver.
    record_event)``). ``audio(duration_ms)`` makes a recording's WAV file bytes; recordings are written as
    files under ``spool_dir`` and handed to the engine, as a media relay would."""

    name = "sandbox"

    def __init__(self, signals: CallSignals, audio: Callable[[int], bytes] | None = None, keep: int = 10_000,
                 spool_dir: str | os.PathLike[str] | None = None) -> None:
        self.engine = signals
        self.audio = audio
        self.calls: dict[str, SandboxCall] = {}
        self.keep = keep
        self.spool_dir = Path(spool_dir) if spool_dir is not None else Path(tempfile.gettempdir())

    async def place_call(self, caller: str, called: str, digits: str | None,
                         behaviour: CalleeBehaviour) -> str | None:
        """Start a simulated call; the session id once the engine accepted and saved it, None if X is unknown."""
        session_id = await self.engine.call_arrived(caller, called, self.name)
        if session_id is None:
            return None
        call = self.calls.setdefault(session_id, SandboxCall(session_id, digits, behaviour))
        call.digits, call.behaviour = digits, behaviour
        if behaviour.caller_gives_up_after_ms is not None:
            self._later(call, behaviour.caller_gives_up_after_ms, self.engine.party_hung_up(session_id, Party.CALLER))
        self._forget_old()
        return session_id

    def trace(self, session_id: str) -> SandboxCall | None:
        return self.calls.get(session_id)

    # ------------------------------------------------------------ TelephonyDriver
    async def collect_digits(self, session_id: str, max_digits: int, prompt: str | None) -> None:
        call = self._call(session_id)
        digits = (call.digits or "")[:max_digits] or None
        self._later(call, 50, self.engine.digits_collected(session_id, digits))

    async def dial(self, session_id: str, callee: str, display: str, caller_tone: str | None) -> None:
        call = self._call(session_id)
        b = call.behaviour
        if caller_tone:
            call.prompts.append({"prompt": caller_tone, "to": "caller"})
        if b.outcome is Outcome.BUSY:
            self._later(call, b.alert_after_ms, self.engine.forward_failed(session_id, 486))
            return
        if b.outcome is Outcome.REJECT:
            self._later(call, b.alert_after_ms, self.engine.forward_failed(session_id, b.reject_sip_status))
            return
        self._later(call, b.alert_after_ms, self.engine.forward_alerting(session_id))
        if b.outcome is Outcome.ANSWER:
            answer_at = max(b.answer_after_ms, b.alert_after_ms + 1)
            self._later(call, answer_at, self.engine.forward_answered(session_id))
            self._later(call, answer_at + b.talk_ms, self.engine.party_hung_up(session_id, b.hang_up_by))

    async def play(self, session_id: str, prompt: str, to: Party | None) -> None:
        call = self.calls.get(session_id)
        if call is not None:
            call.prompts.append({"prompt": prompt, "to": to.value if to else "both"})

    async def start_recording(self, session_id: str) -> None:
        self._call(session_id).recording_started_ms = asyncio.get_running_loop().time() * 1000

    async def stop_recording(self, session_id: str) -> RecordedAudio | None:
        call = self.calls.get(session_id)
        if call is None or call.recording_started_ms is None or self.audio is None:
            return None
        duration = asyncio.get_running_loop().time() * 1000 - call.recording_started_ms
        call.recording_started_ms = None
        wav = self.audio(int(duration))
        return RecordedAudio(await asyncio.to_thread(self._spool, wav))

    def _spool(self, wav: bytes) -> Path:
        self.spool_dir.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix="sandbox-", suffix=".wav", dir=self.spool_dir)
        with os.fdopen(fd, "wb") as out:
            out.write(wav)
        return Path(name)

    async def release(self, session_id: str, tone: str | None = None, cause: Cause | None = None) -> None:
        call = self.calls.get(session_id)
        if call is None:
            return
        if tone:
            call.prompts.append({"prompt": tone, "to": "caller"})
        call.released = True
        current = asyncio.current_task()
        for task in call.tasks:
            if task is not current:
                task.cancel()
        call.tasks.clear()

    # ------------------------------------------------------------ helpers
    def _call(self, session_id: str) -> SandboxCall:
        call = self.calls.get(session_id)
        if call is None:  # the engine reports and asks before place_call stored it (same tick)
            call = self.calls[session_id] = SandboxCall(session_id, None, CalleeBehaviour())
        return call

    def _later(self, call: SandboxCall, delay_ms: int, action: Coroutine[Any, Any, None]) -> None:
        async def fire() -> None:
            try:
                await asyncio.sleep(delay_ms / 1000)
                if not call.released:
                    await action
            except Exception:
                log.exception("sandbox call %s: a simulated signal failed", call.session_id)
            finally:
                with contextlib.suppress(Exception):
                    action.close()

        call.tasks.append(asyncio.get_running_loop().create_task(fire()))

    def record_event(self, session: CallSession, event: CallEvent) -> None:
        call = self._call(session.id)
        call.trace.append({"event": event.kind.value, "at_ms": event.at_ms, "state": session.state.value,
                           "state_code": int(session.cause) if session.cause is not None else None})

    def _forget_old(self) -> None:
        if len(self.calls) > self.keep:
            for session_id in [s for s, c in self.calls.items() if c.released][: len(self.calls) - self.keep]:
                self.calls.pop(session_id, None)
