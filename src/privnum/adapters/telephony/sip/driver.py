"""The SIP telephony driver: the call core's ``TelephonyDriver`` over the sippy B2BUA.

The B2BUA runs on the SIP thread (``SipThread``); this driver lives on the asyncio loop. Leg events hop
to the loop (``call_soon_threadsafe``) and reach the call core in order, one queue per call; the core's
commands hop to the SIP thread (``SipThread.call``). The driver knows the core only through ``CallSignals``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from privnum.adapters.telephony.sip.b2bua_config import B2buaConfig
from privnum.adapters.telephony.sip.recording_wav import recording_wav
from privnum.adapters.telephony.sip.sip_thread import SipThread
from privnum.domain.calls.causes import Cause
from privnum.domain.calls.session import Party
from privnum.service.calls.ports import CallSignals, RecordedAudio

if TYPE_CHECKING:
    from privnum.adapters.telephony.sip.b2bua import B2bua, SipCall

log = logging.getLogger("privnum.sip")

DIGIT_TIMEOUT_S = 10.0
RECORDING_SETTLE_S = 2.0

# What the caller's leg is answered with when a call ends before it was connected.
STATUS_OF_CAUSE: dict[Cause, tuple[int, str]] = {
    Cause.CALLEE_BUSY: (486, "Busy Here"),
    Cause.CALLEE_REJECTED: (603, "Decline"),
    Cause.CALL_REFUSED: (603, "Decline"),
    Cause.NO_ANSWER: (480, "Temporarily Unavailable"),
    Cause.CONNECT_TIMEOUT: (480, "Temporarily Unavailable"),
    Cause.CALLEE_UNREACHABLE: (480, "Temporarily Unavailable"),
    Cause.CALLEE_SUSPENDED: (480, "Temporarily Unavailable"),
    Cause.CALLEE_NOT_EXIST: (404, "Not Found"),
    Cause.NUMBER_NOT_EXIST: (404, "Not Found"),
    Cause.NO_BINDING: (404, "Not Found"),
    Cause.AXYB_NO_BINDING: (404, "Not Found"),
    Cause.INVALID_AX_CALL: (404, "Not Found"),
    Cause.EXTENSION_INVALID: (404, "Not Found"),
    Cause.EXTENSION_EMPTY: (484, "Address Incomplete"),
    Cause.NO_CALLBACK_RECORD: (404, "Not Found"),
    Cause.DIRECTION_NOT_ALLOWED: (403, "Forbidden"),
    Cause.NO_PERMISSION: (403, "Forbidden"),
    Cause.USER_FROZEN: (403, "Forbidden"),
    Cause.NUMBER_UNAVAILABLE: (403, "Forbidden"),
    Cause.DIALLED_OWN_NUMBER: (403, "Forbidden"),
    Cause.CUSTOMER_HUNG_UP: (603, "Decline"),
}
DEFAULT_STATUS = (503, "Service Unavailable")

# The platform's own prompt (a voice file name) for a call refused before it was forwarded, when the
# refusal names none: the caller hears why, as early media, before the final response.
NO_BINDING_PROMPT = "default_no_binding"
SERVICE_ERROR_PROMPT = "default_service_error"
ENTER_EXTENSION_PROMPT = "default_enter_extension"
WRONG_EXTENSION_PROMPT = "default_wrong_extension"
PROMPT_OF_CAUSE: dict[Cause, str] = {
    Cause.NO_BINDING: NO_BINDING_PROMPT,
    Cause.AXYB_NO_BINDING: NO_BINDING_PROMPT,
    Cause.INVALID_AX_CALL: NO_BINDING_PROMPT,
    Cause.NUMBER_NOT_EXIST: NO_BINDING_PROMPT,
    Cause.NO_CALLBACK_RECORD: NO_BINDING_PROMPT,
    Cause.EXTENSION_INVALID: WRONG_EXTENSION_PROMPT,
    Cause.EXTENSION_EMPTY: WRONG_EXTENSION_PROMPT,
    Cause.INTERNAL_ERROR: SERVICE_ERROR_PROMPT,
    Cause.INTERNAL_SERVICE_ERROR: SERVICE_ERROR_PROMPT,
    Cause.USER_FROZEN: SERVICE_ERROR_PROMPT,
    Cause.NUMBER_UNAVAILABLE: SERVICE_ERROR_PROMPT,
    Cause.NO_PERMISSION: SERVICE_ERROR_PROMPT,
    Cause.Y_ALLOCATION_FAILED: SERVICE_ERROR_PROMPT,
    Cause.X_MODE_VOICE_MISSING: SERVICE_ERROR_PROMPT,
}


class Prompt(Protocol):
    """A voice file as the media relay plays it: ``base_path`` + ``.<payload type>``."""

    @property
    def base_path(self) -> str: ...

    @property
    def duration_ms(self) -> int: ...


class PromptResolver(Protocol):
    async def __call__(self, app_id: int, name: str) -> Prompt | None:
        """The voice file ``name`` as app ``app_id`` has it (or the platform's default)."""


AppOfCall = Callable[[str], "int | None"]
"""The app of a live call, by session id (asked once, when the call arrives)."""


@dataclass
class LiveSipCall:
    call: SipCall
    session_id: str | None = None
    app_id: int | None = None
    queue: asyncio.Queue[Callable[[], Awaitable[None]] | None] = field(default_factory=asyncio.Queue)
    worker: asyncio.Task[None] | None = None
    recorded: asyncio.Future[tuple[str, str] | None] | None = None


class SipDriver:
    """Attach it to the engine like the sandbox (``engine.attach(driver)``); ``start()`` binds the SIP port
    (raises OSError when it is taken), ``stop()`` ends the loop."""

    name = "sip"

    def __init__(self, signals: CallSignals, config: B2buaConfig, prompts: PromptResolver | None = None,
                 app_of: AppOfCall | None = None, spool_dir: str | os.PathLike[str] | None = None,
                 wav: Callable[[bytes], bytes] | None = None) -> None:
        self.signals = signals
        self.wav = wav  # A-law samples -> the platform's WAV file bytes (recordings.wav.alaw_wav)
        self.app_of = app_of
        self.config = config
        self.prompts = prompts
        self.spool_dir = Path(spool_dir or config.spool_dir)
        self.thread = SipThread()
        self.b2bua: B2bua | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.by_key: dict[int, LiveSipCall] = {}
        self.by_session: dict[str, LiveSipCall] = {}

    # ------------------------------------------------------------ lifecycle
    async def start(self) -> None:
        self.loop = asyncio.get_running_loop()
        config, events = self.config, _ThreadEvents(self)
        self.b2bua = await asyncio.to_thread(self.thread.start, lambda module: module.B2bua(config, events))

    async def stop(self) -> None:
        for live in list(self.by_key.values()):
            self.thread.call(live.call.release, 503, "Service Unavailable", None, 0.0)
            if live.worker is not None:
                live.worker.cancel()
        await asyncio.sleep(0.05)
        await asyncio.to_thread(self.thread.stop)

    # ------------------------------------------------------------ leg events (on the loop)
    def _enqueue(self, call: SipCall, step: Callable[[LiveSipCall], Awaitable[None]]) -> None:
        live = self.by_key.get(call.key)
        if live is None:
            return
        live.queue.put_nowait(lambda: step(live))

    def _invited(self, call: SipCall, caller: str, called: str) -> None:
        live = LiveSipCall(call)
        self.by_key[call.key] = live
        live.worker = asyncio.get_running_loop().create_task(self._drain(live), name=f"sip call {call.key}")

        async def arrive(live: LiveSipCall) -> None:
            session_id = await self.signals.call_arrived(caller, called, self.name)
            if session_id is None:
                self.thread.call(call.release, 404, "Not Found", None, 0.0)
                self._forget(live)
                return
            live.session_id = session_id
            live.app_id = self.app_of(session_id) if self.app_of is not None else None
            self.by_session[session_id] = live

        live.queue.put_nowait(lambda: arrive(live))

    async def _drain(self, live: LiveSipCall) -> None:
        while True:
            step = await live.queue.get()
            if step is None:
                return
            try:
                await step()
            except Exception:
                log.exception("SIP call %s: a signal to the call core failed", live.session_id or live.call.key)

    def _signal(self, call: SipCall, make: Callable[[str], Awaitable[None]]) -> None:
        async def step(live: LiveSipCall) -> None:
            if live.session_id is not None:
                await make(live.session_id)

        self._enqueue(call, step)

    def _recorded(self, call: SipCall, files: tuple[str, str] | None) -> None:
        live = self.by_key.get(call.key)
        if live is not None and live.recorded is not None and not live.recorded.done():
            live.recorded.set_result(files)

    def _forget(self, live: LiveSipCall) -> None:
        self.by_key.pop(live.call.key, None)
        if live.session_id is not None:
            self.by_session.pop(live.session_id, None)
        live.queue.put_nowait(None)

    # ------------------------------------------------------------ TelephonyDriver
    async def collect_digits(self, session_id: str, max_digits: int, prompt: str | None) -> None:
        live = self.by_session.get(session_id)
        if live is not None:
            base = await self._prompt_base(live, prompt or ENTER_EXTENSION_PROMPT)
            self.thread.call(live.call.collect, max_digits, base, DIGIT_TIMEOUT_S)

    async def dial(self, session_id: str, callee: str, display: str, caller_tone: str | None) -> None:
        live = self.by_session.get(session_id)
        if live is not None:
            base = await self._prompt_base(live, caller_tone)
            self.thread.call(live.call.dial, callee, display, base)

    async def play(self, session_id: str, prompt: str, to: Party | None) -> None:
        live = self.by_session.get(session_id)
        if live is None:
            return
        base = await self._prompt_base(live, prompt)
        if base is not None:
            self.thread.call(live.call.play, base, to in (None, Party.CALLER), to in (None, Party.CALLEE))

    async def start_recording(self, session_id: str) -> None:
        live = self.by_session.get(session_id)
        if live is not None:
            self.thread.call(live.call.start_recording)

    async def stop_recording(self, session_id: str) -> RecordedAudio | None:
        live = self.by_session.get(session_id)
        if live is None:
            return None
        live.recorded = asyncio.get_running_loop().create_future()
        self.thread.call(live.call.stop_recording)
        try:
            files = await asyncio.wait_for(live.recorded, 5.0)
        except TimeoutError:
            return None
        if files is None:
            return None
        path = await asyncio.to_thread(self._to_wav, live, files)
        return RecordedAudio(path) if path is not None else None

    def _to_wav(self, live: LiveSipCall, files: tuple[str, str]) -> Path | None:
        target = self.spool_dir / f"sip-{live.call.key}.wav"
        deadline = time.monotonic() + RECORDING_SETTLE_S  # the relay moves the files after the session ends
        while not all(os.path.exists(name) for name in files) and time.monotonic() < deadline:
            time.sleep(0.01)
        try:
            wav = recording_wav(files[0], files[1], self.wav) if self.wav is not None else None
            if wav is None:
                return None
            self.spool_dir.mkdir(parents=True, exist_ok=True)
            target.write_bytes(wav)
            return target
        finally:
            for name in files:
                for leftover in (name, name.removesuffix(".rtp") + ".rtcp"):
                    with contextlib.suppress(OSError):
                        os.unlink(leftover)

    async def release(self, session_id: str, tone: str | None = None, cause: Cause | None = None) -> None:
        live = self.by_session.get(session_id)
        if live is None:
            return
        status, reason = STATUS_OF_CAUSE.get(cause, DEFAULT_STATUS) if cause is not None else (487, "Terminated")
        prompt = await self._prompt(live, tone or (PROMPT_OF_CAUSE.get(cause) if cause is not None else None))
        self.thread.call(live.call.release, status, reason, prompt.base_path if prompt else None,
                         (prompt.duration_ms / 1000) if prompt else 0.0)
        self._forget(live)

    async def _prompt(self, live: LiveSipCall, name: str | None) -> Prompt | None:
        if not name or self.prompts is None or live.app_id is None:
            return None
        return await self.prompts(live.app_id, name)

    async def _prompt_base(self, live: LiveSipCall, name: str | None) -> str | None:
        prompt = await self._prompt(live, name)
        return prompt.base_path if prompt is not None else None


class _ThreadEvents:
    """``LegEvents`` for the SIP thread: every report hops to the driver's loop."""

    def __init__(self, driver: SipDriver) -> None:
        self.driver = driver

    def _hop(self, function: Callable[..., None], *args: Any) -> None:
        loop = self.driver.loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(function, *args)

    def invited(self, call: SipCall, caller: str, called: str) -> None:
        self._hop(self.driver._invited, call, caller, called)

    def ringing(self, call: SipCall) -> None:
        self._hop(self.driver._signal, call, self.driver.signals.forward_alerting)

    def answered(self, call: SipCall, dialogs: dict[str, Any]) -> None:
        signals = self.driver.signals
        self._hop(self.driver._signal, call, lambda sid: signals.forward_answered(sid, dialogs))

    def failed(self, call: SipCall, status: int) -> None:
        signals = self.driver.signals
        self._hop(self.driver._signal, call, lambda sid: signals.forward_failed(sid, status))

    def hung_up(self, call: SipCall, by_caller: bool) -> None:
        signals, party = self.driver.signals, Party.CALLER if by_caller else Party.CALLEE
        self._hop(self.driver._signal, call, lambda sid: signals.party_hung_up(sid, party))

    def digits(self, call: SipCall, digits: str | None) -> None:
        signals = self.driver.signals
        self._hop(self.driver._signal, call, lambda sid: signals.digits_collected(sid, digits))

    def recorded(self, call: SipCall, files: tuple[str, str] | None) -> None:
        self._hop(self.driver._recorded, call, files)
