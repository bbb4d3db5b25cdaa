"""The call engine: one call core for every telephony driver.

A driver reports what happens on its legs (``CallSignals``); the engine routes the call by the
bindings (or, in X mode, by asking the customer's server live), tells the driver what to do, and
records every transition through the journal (session row, pushes and CDR in one transaction).
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from itertools import count
from typing import Any

from privnum.domain.apps import App
from privnum.domain.binding_options import LastCaller
from privnum.domain.bindings import Binding
from privnum.domain.calls.causes import Q850_NO_ANSWER, Cause, forward_failure
from privnum.domain.calls.routing import (
    AskCustomer,
    CollectDigits,
    Decision,
    NeedsY,
    Rejection,
    Route,
    route_call,
)
from privnum.domain.calls.session import CallEvent, CallSession, CallState, EventKind, Party
from privnum.domain.modes import Mode
from privnum.domain.result_codes import Refused
from privnum.service import log_context
from privnum.service.calls.facts import load_facts
from privnum.service.calls.journal import CallJournal
from privnum.service.calls.live_calls import LiveCall, LiveCalls
from privnum.service.calls.ports import (
    Apps,
    BlockDecider,
    CallObserver,
    CallPushFormatter,
    CallStore,
    CallTx,
    GiveY,
    LegTeardown,
    RecordingSink,
    TelephonyDriver,
)
from privnum.service.calls.recovery import Recovery
from privnum.service.clock import now_ms
from privnum.service.metrics import NO_METER, Meter
from privnum.service.voice_files import VoicePrompts

log = logging.getLogger("privnum.calls")

LAST_MINUTE_S = 60


@dataclass(frozen=True)
class EngineSettings:
    connect_timeout_s: float = 90.0
    recovery_stale_s: float = 30.0
    heartbeat_s: float = 5.0


class CallEngine:
    """Implements ``CallSignals`` for the drivers attached to it."""

    def __init__(self, store: CallStore, apps: Apps, formatter: CallPushFormatter, *,
                 block: BlockDecider | None = None, recordings: RecordingSink | None = None,
                 settings: EngineSettings | None = None, on_enqueued: Callable[[], None] | None = None,
                 give_y: GiveY | None = None, voices: VoicePrompts | None = None,
                 teardowns: Mapping[str, LegTeardown] | None = None, meter: Meter = NO_METER) -> None:
        self.store = store
        self.apps = apps
        self.formatter = formatter
        self.block = block
        self.recordings = recordings
        self.settings = settings or EngineSettings()
        self.give_y = give_y
        self.voices = voices
        self.journal = CallJournal(store, formatter, on_enqueued, meter)
        self.recovery = Recovery(store, apps, self.journal, heartbeat_s=self.settings.heartbeat_s,
                                 stale_s=self.settings.recovery_stale_s, teardowns=teardowns)
        self.live = LiveCalls()
        self.drivers: dict[str, TelephonyDriver] = {}
        self._seq = count(1)
        self._routing: set[asyncio.Task[None]] = set()

    # ---------------------------------------------------------------- wiring
    def attach(self, driver: TelephonyDriver) -> None:
        self.drivers[driver.name] = driver

    def subscribe(self, observer: CallObserver) -> None:
        """Hear every saved call event (e.g. the sandbox's live trace)."""
        self.journal.subscribe(observer)

    def new_session_id(self) -> str:
        stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime())
        host = self.store.instance_id.split(":")[0]
        return f"{next(self._seq)}_{os.getpid()}_{os.urandom(4).hex()}_{stamp}@{host}"

    async def start(self) -> None:
        await self.recovery.start()

    async def stop(self) -> None:
        for task in list(self._routing):
            task.cancel()
        for session_id in self.live.ids():
            await self._end(session_id, Cause.INTERNAL_ERROR, Party.PLATFORM)
        await self.recovery.stop()

    # ---------------------------------------------------------------- signals from drivers
    async def call_arrived(self, caller: str, called: str, driver_name: str) -> str | None:
        number = await self.store.run(lambda tx: tx.number(called), read_only=True)
        if number is None or number.app_id is None:
            return None
        app = await self.apps.by_id(number.app_id)
        if app is None:
            return None
        session = CallSession(id=self.new_session_id(), app_id=app.id, mode=app.mode, caller=caller, called=called,
                              started_at_ms=now_ms(), area_code=number.area_code)
        self.live.add(session, self.drivers[driver_name])
        decision: Decision | None = None
        if app.mode is not Mode.X:
            decision = route_call(await load_facts(self.store, session, app))  # before callin: its userData
            self._bind_to_decided(session, app, decision)
        if app.mode is Mode.X:  # the callin is the Block exchange itself, not a pushed event
            await self.journal.record(session, [], app, new=True)
            self.journal.notify(session, session.arrive())
        else:
            await self.journal.record(session, session.arrive(), app, new=True)
        with log_context.about_call(session.id, session.binding_id, app.app_key):  # the routing task's lines too
            task = asyncio.get_running_loop().create_task(self._after_arrival(session.id, app, decision),
                                                          name=f"route {session.id}")
        self._routing.add(task)
        task.add_done_callback(self._routing.discard)
        return session.id

    @staticmethod
    def _bind_to_decided(session: CallSession, app: App, decision: Decision) -> None:
        """The callin names the binding the decision found (AXE's callin names none)."""
        if app.mode is Mode.AXE:
            return
        binding: Binding | None = None
        if isinstance(decision, Route | Rejection):
            binding = decision.binding
        elif isinstance(decision, NeedsY):
            binding = decision.ax_relation
        if binding is None:
            return
        session.bind_to(binding.id, binding.options.user_data)
        if isinstance(decision, Route) and decision.user_data:
            session.user_data = decision.user_data

    async def _after_arrival(self, session_id: str, app: App, decision: Decision | None) -> None:
        try:
            await self._route(session_id, app, decision)
        except Exception:
            log.exception("routing %s failed", session_id)
            await self._end(session_id, Cause.INTERNAL_ERROR, Party.PLATFORM)

    async def digits_collected(self, session_id: str, digits: str | None) -> None:
        call = self.live.get(session_id)
        if call is None:
            return
        async with call.lock:
            if call.session.is_released:
                return
            events = call.session.collect(digits, now_ms())
            app = await self.apps.by_id(call.session.app_id)
            await self.journal.record(call.session, events, app)
        if app is not None:
            await self._route(session_id, app)

    async def forward_alerting(self, session_id: str) -> None:
        await self._transition(session_id, lambda s, now: s.ringing(now))

    async def forward_answered(self, session_id: str, teardown: dict[str, Any] | None = None) -> None:
        def answer(session: CallSession, now: int) -> list[CallEvent]:
            events = session.answer(now)
            if events:
                session.teardown = teardown
            return events

        if await self._transition(session_id, answer):
            await self._on_answered(session_id)

    async def forward_failed(self, session_id: str, sip_status: int) -> None:
        failure = forward_failure(sip_status)
        await self._end(session_id, failure.cause, Party.CALLEE, q850=failure.q850, sip_status=sip_status)

    async def party_hung_up(self, session_id: str, party: Party) -> None:
        call = self.live.get(session_id)
        if call is None:
            return
        cause = call.session.caller_hung_up_cause() if party is Party.CALLER else Cause.NORMAL
        await self._end(session_id, cause, party)

    # ---------------------------------------------------------------- commands from outside
    def owns(self, session_id: str) -> bool:
        """Is this live call one of this process's?"""
        return self.live.get(session_id) is not None

    async def stop_call(self, session_id: str, app_id: int) -> bool:
        """End a live call of ``app_id`` at the customer's request (callStop); False if no such live call here."""
        call = self.live.get(session_id)
        if call is None or call.session.app_id != app_id:
            return False
        await self._end(session_id, Cause.NORMAL, Party.PLATFORM)
        return True

    # ---------------------------------------------------------------- routing
    async def _route(self, session_id: str, app: App, decision: Decision | None = None) -> None:
        call = self.live.get(session_id)
        if call is None or call.session.is_released:
            return
        session = call.session
        if decision is None:
            decision = route_call(await load_facts(self.store, session, app))
        if isinstance(decision, CollectDigits):
            await call.driver.collect_digits(session_id, decision.max_digits, None)
            return
        if isinstance(decision, NeedsY):
            decision = await self._give_y(session, app, decision)
        if isinstance(decision, AskCustomer):
            decision = await self._ask_customer(session, app)
        if isinstance(decision, Rejection):
            if decision.binding is not None:
                session.bind_to(decision.binding.id, decision.binding.options.user_data)
            cause, tone = decision.cause, decision.tone
            if tone and not await self._voice_exists(app, tone):
                # X mode: the customer named a file that is not there (8006); otherwise the refusal stands
                cause, tone = (_voice_missing(app) if app.mode is Mode.X else cause), None
            await self._end(session_id, cause, Party.PLATFORM, tone=tone)
            return
        missing = await self._missing_voice(app, decision)
        if missing is not None:
            log.info("call %s: voice file %r of app %s does not exist", session_id, missing, app.id)
            await self._end(session_id, _voice_missing(app), Party.PLATFORM)
            return
        await self._forward(call, app, decision)

    async def _voice_exists(self, app: App, name: str) -> bool:
        return self.voices is None or await self.voices.prompt(app.id, name) is not None

    async def _missing_voice(self, app: App, route: Route) -> str | None:
        """The first voice file this route plays that the app does not have."""
        names = [route.caller_tone, route.record_hint_tone if route.record else None,
                 route.last_min_voice if route.max_duration_min else None]
        for name in names:
            if name and not await self._voice_exists(app, name):
                return name
        return None

    async def _give_y(self, session: CallSession, app: App, need: NeedsY) -> Route | Rejection:
        failed = Rejection(Cause.Y_ALLOCATION_FAILED, need.ax_relation)
        if self.give_y is None:
            return failed
        try:
            await self.give_y(app, need.ax_relation, session.caller)
        except Refused:
            return failed
        decision = route_call(await load_facts(self.store, session, app))
        return decision if isinstance(decision, Route | Rejection) else failed

    async def _ask_customer(self, session: CallSession, app: App) -> Route | Rejection:
        if self.block is None or not app.callbacks.call_status:
            return Rejection(Cause.NO_BINDING)
        body = self.formatter.event_body(session, CallEvent(EventKind.CALLIN, session.started_at_ms))
        answer = await self.block.decide(app, session, body)
        return answer if answer is not None else Rejection(Cause.NO_BINDING)

    async def _forward(self, call: LiveCall, app: App, route: Route) -> None:
        session = call.session
        async with call.lock:
            if session.is_released:
                return
            now = now_ms()
            events = session.forward(route, now)
            if route.callback_for is not None:
                await self._remember_caller(route.callback_for, session.caller, now)
            await self.journal.record(session, events, app)
        call.timers.start(self.settings.connect_timeout_s, lambda: self._connect_timeout(session.id),
                          name=f"connect timeout {session.id}")
        await call.driver.dial(session.id, route.callee, route.display, route.caller_tone)

    async def _remember_caller(self, binding: Binding, caller: str, now: int) -> None:
        """AXE: the last caller of an extension is whom its A is called back to."""
        async def work(tx: CallTx) -> None:
            current = await tx.get(binding.app_id, binding.id, now)
            if current is not None:
                current.last_caller = LastCaller(number=caller, at_ms=now)
                await tx.save(current)

        await self.store.run(work)

    async def _connect_timeout(self, session_id: str) -> None:
        call = self.live.get(session_id)
        if call is not None and call.session.state in (CallState.OUTGOING, CallState.ALERTING):
            await self._end(session_id, Cause.CONNECT_TIMEOUT, Party.PLATFORM, q850=Q850_NO_ANSWER)

    async def _on_answered(self, session_id: str) -> None:
        call = self.live.get(session_id)
        if call is None:
            return
        session, driver = call.session, call.driver
        call.timers.cancel_all()
        if session.record:
            if session.record_hint_tone:
                await driver.play(session_id, session.record_hint_tone, None)
            await driver.start_recording(session_id)
            session.recording_started_at_ms = now_ms()
        if session.max_duration_min:
            limit_s = session.max_duration_min * 60
            voice = session.last_min_voice
            if voice and limit_s > LAST_MINUTE_S:
                call.timers.start(limit_s - LAST_MINUTE_S, lambda: driver.play(session_id, voice, None),
                                  name=f"last-minute voice {session_id}")
            call.timers.start(limit_s, lambda: self._end(session_id, Cause.MAX_DURATION_REACHED, Party.PLATFORM),
                              name=f"max duration {session_id}")

    # ---------------------------------------------------------------- the end of a call
    async def _end(self, session_id: str, cause: Cause, party: Party, *, q850: int | None = None,
                   sip_status: int = 0, tone: str | None = None) -> None:
        """Release the call (the first release wins), save it with its CDR, then end its legs."""
        call = self.live.get(session_id)
        if call is None:
            return
        session, driver = call.session, call.driver
        async with call.lock:
            if session.is_released:
                return
            call.timers.cancel_all(keep_current=True)
            audio = None
            if session.record and session.answered_at_ms is not None:
                audio = await driver.stop_recording(session_id)
            events = session.end(now_ms(), cause, party, q850=q850, sip_status=sip_status)
            if audio is not None and self.recordings is not None:
                try:
                    session.recording = await self.recordings.save(
                        session.app_id, session.id, audio, session.recording_started_at_ms or now_ms())
                except Exception:
                    log.exception("saving the recording of %s failed", session_id)
            await self.journal.record(session, events, await self.apps.by_id(session.app_id), ended=True)
            self.live.forget(session_id)
        await driver.release(session_id, tone, cause)

    # ---------------------------------------------------------------- transitions
    async def _transition(self, session_id: str, step: Callable[[CallSession, int], list[CallEvent]]
                          ) -> list[CallEvent]:
        call = self.live.get(session_id)
        if call is None:
            return []
        async with call.lock:
            events = step(call.session, now_ms())
            if events:
                await self.journal.record(call.session, events, await self.apps.by_id(call.session.app_id))
            return events


def _voice_missing(app: App) -> Cause:
    """Why a call that needs a voice file the app does not have ends: 8006 in X mode, else 7507."""
    return Cause.X_MODE_VOICE_MISSING if app.mode is Mode.X else Cause.VOICE_FILE_MISSING
