"""The call engine: one call core for every telephony driver.

A driver reports what happens on its legs (``CallSignals``); the engine routes the call by the
bindings (or, in X mode, by asking the customer's server live), tells the driver what to do,
and records every transition: the session row and the pushes it causes (call events, the CDR)
commit in one transaction, so a push is never lost and never sent for a state that was not saved.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from itertools import count
from typing import Any, Protocol

from privnum.domain.apps import App
from privnum.domain.bindings import Binding, extension_key, user_key
from privnum.domain.calls.causes import Q850_NO_ANSWER, Cause, forward_failure
from privnum.domain.calls.routing import AskCustomer, CallFacts, Decision, NeedsY, Rejection, Route, route_call
from privnum.domain.calls.session import CallEvent, CallSession, CallState, EventKind, Party, Recording
from privnum.domain.modes import Mode
from privnum.domain.result_codes import Refused
from privnum.service.clock import now_ms
from privnum.service.ports import BindingFilter
from privnum.service.pushes import OutboundPush, PushKind
from privnum.service.telephony import TelephonyDriver

log = logging.getLogger("privnum.calls")

LAST_MINUTE_MS = 60_000


class PushFormatter(Protocol):
    def event_body(self, session: CallSession, event: CallEvent) -> dict[str, Any]: ...

    def cdr_body(self, session: CallSession, app: App) -> dict[str, Any]: ...


class BlockDecider(Protocol):
    """X mode: ask the customer's server what to do with a call (Block ``callin``); None = no valid answer."""

    async def decide(self, app: App, session: CallSession, body: dict[str, Any]) -> Route | Rejection | None: ...


class RecordingSink(Protocol):
    async def save(self, app_id: int, session_id: str, audio: bytes, started_at_ms: int) -> Recording: ...


class Apps(Protocol):
    async def by_id(self, app_id: int) -> App | None: ...


@dataclass
class EngineSettings:
    connect_timeout_s: float = 90.0
    recovery_stale_s: float = 30.0
    heartbeat_s: float = 5.0


class CallEngine:
    def __init__(self, store: Any, apps: Apps, formatter: PushFormatter, *, block: BlockDecider | None = None,
                 recordings: RecordingSink | None = None, settings: EngineSettings | None = None,
                 on_enqueued: Callable[[], None] | None = None,
                 allocate_y: Callable[[App, Binding, str], Awaitable[Binding]] | None = None) -> None:
        self.store = store
        self.apps = apps
        self.formatter = formatter
        self.block = block
        self.recordings = recordings
        self.settings = settings or EngineSettings()
        self.on_enqueued = on_enqueued
        self.allocate_y = allocate_y
        self.drivers: dict[str, TelephonyDriver] = {}
        self.sessions: dict[str, CallSession] = {}
        self.driver_of: dict[str, TelephonyDriver] = {}
        self.timers: dict[str, list[asyncio.Task]] = {}
        self.subscribers: list[Callable[[CallSession, CallEvent], None]] = []
        self._seq = count(1)
        self._locks: dict[str, asyncio.Lock] = {}
        self._background: asyncio.Task | None = None

    # ---------------------------------------------------------------- wiring
    def attach(self, driver: TelephonyDriver) -> None:
        self.drivers[driver.name] = driver

    def new_session_id(self) -> str:
        stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime())
        return f"{next(self._seq)}_{os.getpid()}_{os.urandom(4).hex()}_{stamp}@{self.store.instance_id.split(':')[0]}"

    async def start(self) -> None:
        await self.store.heartbeat(now_ms())
        await self.recover()
        self._background = asyncio.create_task(self._heartbeat_forever())

    async def stop(self) -> None:
        if self._background:
            self._background.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._background
        for session_id in list(self.sessions):
            await self._end(session_id, Cause.INTERNAL_ERROR, Party.PLATFORM, release=True)
        await self.store.retire()

    async def _heartbeat_forever(self) -> None:
        while True:
            await asyncio.sleep(self.settings.heartbeat_s)
            try:
                await self.store.heartbeat(now_ms())
                await self.recover()
            except Exception:
                log.exception("heartbeat or recovery failed")

    async def recover(self) -> int:
        """End calls whose owning process died: a disconnect with an abnormal cause and their CDR."""
        orphans = await self.store.orphaned_calls(now_ms(), int(self.settings.recovery_stale_s * 1000))
        for session in orphans:
            now = now_ms()
            events = session.end(now, Cause.INTERNAL_ERROR, Party.PLATFORM)
            app = await self.apps.by_id(session.app_id)
            await self._persist(session, events, app, cdr=True)
        return len(orphans)

    # ---------------------------------------------------------------- signals from drivers
    async def call_arrived(self, caller: str, called: str, driver_name: str) -> str | None:
        now = now_ms()
        number = await self.store.run(lambda tx: tx.number(called), read_only=True)
        if number is None or number.app_id is None:
            return None
        app = await self.apps.by_id(number.app_id)
        if app is None:
            return None
        session = CallSession(id=self.new_session_id(), app_id=app.id, mode=app.mode, caller=caller, called=called,
                              started_at_ms=now)
        session.extras["area_code"] = number.area_code
        self.sessions[session.id] = session
        self.driver_of[session.id] = self.drivers[driver_name]
        decision = None
        if app.mode is not Mode.X:
            decision = route_call(await self._facts(session, app))  # known before callin: its binding's userData
            binding = decision.binding if isinstance(decision, Route | Rejection) else \
                decision.ax_relation if isinstance(decision, NeedsY) else None
            if binding is not None and app.mode is not Mode.AXE:  # AXE's callin names no binding
                session.bind_to(binding.id, binding.settings.get("user_data"))
                if isinstance(decision, Route) and decision.user_data:
                    session.user_data = decision.user_data
        x_mode = app.mode is Mode.X
        await self._persist(session, [] if x_mode else session.arrive(), app, new=True)
        if x_mode:
            self._notify(session, session.arrive())
        asyncio.get_running_loop().create_task(self._after_arrival(session.id, app, decision))
        return session.id

    async def _after_arrival(self, session_id: str, app: App, decision: Decision | None) -> None:
        try:
            session = self.sessions.get(session_id)
            if session is None:
                return
            if isinstance(decision, Rejection) and decision.cause is Cause.EXTENSION_EMPTY:
                # AXE, a caller who is not one of X's A: ask for the extension, then route again
                await self.driver_of[session_id].collect_digits(session_id, app.extension_length, None)
                return
            await self._route(session_id, app, decision)
        except Exception:
            log.exception("routing %s failed", session_id)
            await self._end(session_id, Cause.INTERNAL_ERROR, Party.PLATFORM, release=True)

    async def digits_collected(self, session_id: str, digits: str | None) -> None:
        async with self._lock(session_id):
            session = self.sessions.get(session_id)
            if session is None or session.is_released:
                return
            events = session.collect(digits, now_ms())
            app = await self.apps.by_id(session.app_id)
            await self._persist(session, events, app)
        await self._route(session_id, app)

    async def forward_alerting(self, session_id: str) -> None:
        await self._transition(session_id, lambda s, now: s.ringing(now))

    async def forward_answered(self, session_id: str) -> None:
        events = await self._transition(session_id, lambda s, now: s.answer(now))
        if events:
            await self._on_answered(session_id)

    async def forward_failed(self, session_id: str, sip_status: int) -> None:
        failure = forward_failure(sip_status)
        await self._end(session_id, failure.cause, Party.CALLEE, q850=failure.q850, sip_status=sip_status,
                        release=True)

    async def party_hung_up(self, session_id: str, party: Party) -> None:
        session = self.sessions.get(session_id)
        if session is None:
            return
        cause = session.caller_hung_up_cause() if party is Party.CALLER else Cause.NORMAL
        await self._end(session_id, cause, party, release=True)

    # ---------------------------------------------------------------- commands from outside (e.g. stop a call)
    async def stop_call(self, session_id: str, app_id: int) -> bool:
        """End a live call of ``app_id`` at the customer's request (callStop); False if no such live call here."""
        session = self.sessions.get(session_id)
        if session is None or session.app_id != app_id:
            return False
        await self._end(session_id, Cause.NORMAL, Party.PLATFORM, release=True)
        return True

    # ---------------------------------------------------------------- routing
    async def _facts(self, session: CallSession, app: App) -> CallFacts:
        """The bindings that can decide this call, found by indexed keys: never every binding of a busy X."""
        now = now_ms()
        caller, called = session.caller, session.called

        async def work(tx: Any) -> CallFacts:
            number = await tx.number(called)
            bindings: list[Binding] = []
            related: dict[str, list[Binding]] = {}
            parents: dict[str, Binding] = {}
            if app.mode is Mode.AXB or app.mode is Mode.AXE:
                keys = [user_key(caller)] + ([extension_key(session.digits)] if session.digits else [])
                bindings = [b for b in [await tx.by_key(called, k, now) for k in keys] if b is not None]
            elif app.mode is Mode.AX:
                bindings = await tx.find(BindingFilter(app.id, Mode.AX, number=called), now, limit=1)
            elif app.mode is Mode.AXYB:
                ax = await tx.find(BindingFilter(app.id, Mode.AXYB, number=called, yb_relations=False), now, limit=1)
                if ax:
                    bindings = ax
                    related[ax[0].id] = await tx.find(
                        BindingFilter(app.id, Mode.AXYB, parent_id=ax[0].id, party_b=caller), now, limit=1)
                else:
                    bindings = await tx.find(
                        BindingFilter(app.id, Mode.AXYB, number=called, party_a=caller, yb_relations=True), now)
                    for yb in bindings:
                        parent = await tx.get(app.id, yb.parent_id, now)
                        if parent is not None:
                            parents[parent.id] = parent
            return CallFacts(caller=caller, called=called, digits=session.digits, now_ms=now, app=app,
                             number=number, bindings=bindings, related=related, parents=parents)

        return await self.store.run(work, read_only=True)

    async def _route(self, session_id: str, app: App, decision: Decision | None = None) -> None:
        session = self.sessions.get(session_id)
        if session is None or session.is_released:
            return
        if decision is None:
            decision = route_call(await self._facts(session, app))
        if isinstance(decision, NeedsY):
            decision = await self._give_y(session, app, decision)
        if isinstance(decision, AskCustomer):
            decision = await self._ask_customer(session, app)
        if isinstance(decision, Rejection):
            if decision.binding is not None:
                session.bind_to(decision.binding.id, decision.binding.settings.get("user_data"))
            await self._end(session_id, decision.cause, Party.PLATFORM, release=True, tone=decision.tone)
            return
        await self._forward(session_id, app, decision)

    async def _give_y(self, session: CallSession, app: App, need: NeedsY) -> Route | Rejection:
        if self.allocate_y is None:
            return Rejection(Cause.Y_ALLOCATION_FAILED, need.ax_relation)
        try:
            await self.allocate_y(app, need.ax_relation, session.caller)
        except Refused:
            return Rejection(Cause.Y_ALLOCATION_FAILED, need.ax_relation)
        decision = route_call(await self._facts(session, app))
        if isinstance(decision, Route | Rejection):
            return decision
        return Rejection(Cause.Y_ALLOCATION_FAILED, need.ax_relation)

    async def _ask_customer(self, session: CallSession, app: App) -> Route | Rejection:
        if self.block is None or not app.callbacks.call_status:
            return Rejection(Cause.NO_BINDING)
        body = self.formatter.event_body(session, CallEvent(EventKind.CALLIN, session.started_at_ms))
        answer = await self.block.decide(app, session, body)
        return answer if answer is not None else Rejection(Cause.NO_BINDING)

    async def _forward(self, session_id: str, app: App, route: Route) -> None:
        async with self._lock(session_id):
            session = self.sessions.get(session_id)
            if session is None or session.is_released:
                return
            now = now_ms()
            events = session.forward(route, now)
            if route.record_hint_tone:
                session.extras["record_hint_tone"] = route.record_hint_tone
            if route.callback_for is not None:
                await self._remember_caller(route.callback_for, session.caller, now)
            await self._persist(session, events, app)
        self._start_timer(session_id, self.settings.connect_timeout_s, lambda: self._connect_timeout(session_id))
        await self.driver_of[session_id].dial(session_id, route.callee, route.display, route.caller_tone)

    async def _remember_caller(self, binding: Binding, caller: str, now: int) -> None:
        """AXE: the last caller of an extension is whom its A is called back to."""
        async def work(tx: Any) -> None:
            current = await tx.get(binding.app_id, binding.id, now)
            if current is not None:
                current.settings["last_caller"] = {"number": caller, "at_ms": now}
                await tx.save(current)

        await self.store.run(work)

    async def _connect_timeout(self, session_id: str) -> None:
        session = self.sessions.get(session_id)
        if session is not None and session.state in (CallState.OUTGOING, CallState.ALERTING):
            await self._end(session_id, Cause.CONNECT_TIMEOUT, Party.PLATFORM, q850=Q850_NO_ANSWER, release=True)

    async def _on_answered(self, session_id: str) -> None:
        session = self.sessions.get(session_id)
        if session is None:
            return
        self._cancel_timers(session_id)
        driver = self.driver_of[session_id]
        if session.record:
            if session.extras.get("record_hint_tone"):
                await driver.play(session_id, session.extras["record_hint_tone"], None)
            await driver.start_recording(session_id)
            session.extras["record_started_at_ms"] = now_ms()
        if session.max_duration_min:
            limit_s = session.max_duration_min * 60
            voice = session.last_min_voice
            if voice and limit_s > 60:
                self._start_timer(session_id, limit_s - 60, lambda: driver.play(session_id, voice, None))
            self._start_timer(session_id, limit_s, lambda: self._end(session_id, Cause.MAX_DURATION_REACHED,
                                                                     Party.PLATFORM, release=True))

    # ---------------------------------------------------------------- the end of a call
    async def _end(self, session_id: str, cause: Cause, party: Party, *, q850: int | None = None,
                   sip_status: int = 0, release: bool = False, tone: str | None = None) -> None:
        async with self._lock(session_id):
            session = self.sessions.get(session_id)
            if session is None or session.is_released:
                return
            driver = self.driver_of.get(session_id)
            self._cancel_timers(session_id, keep_current=True)
            audio = None
            if session.record and driver is not None and session.answered_at_ms is not None:
                audio = await driver.stop_recording(session_id)
            events = session.end(now_ms(), cause, party, q850=q850, sip_status=sip_status)
            if audio and self.recordings is not None:
                try:
                    session.recording = await self.recordings.save(
                        session.app_id, session.id, audio, session.extras.get("record_started_at_ms", now_ms()))
                except Exception:
                    log.exception("saving the recording of %s failed", session_id)
            app = await self.apps.by_id(session.app_id)
            await self._persist(session, events, app, cdr=True)
            self.sessions.pop(session_id, None)
            self.driver_of.pop(session_id, None)
        self._locks.pop(session_id, None)
        if release and driver is not None:
            await driver.release(session_id, tone)

    # ---------------------------------------------------------------- persistence and pushes
    async def _transition(self, session_id: str, step: Callable[[CallSession, int], list[CallEvent]],
                          ) -> list[CallEvent]:
        async with self._lock(session_id):
            session = self.sessions.get(session_id)
            if session is None:
                return []
            events = step(session, now_ms())
            if events:
                await self._persist(session, events, await self.apps.by_id(session.app_id))
            return events

    async def _persist(self, session: CallSession, events: list[CallEvent], app: App | None, *, new: bool = False,
                       cdr: bool = False) -> None:
        pushes: list[OutboundPush] = []
        if app is not None and app.callbacks.call_status:
            pushes += [OutboundPush(app.id, PushKind.CALL_EVENT, app.callbacks.call_status,
                                    self.formatter.event_body(session, e), order_key=session.id) for e in events]
        if cdr and app is not None and app.callbacks.cdr:
            pushes.append(OutboundPush(app.id, PushKind.CDR, app.callbacks.cdr, self.formatter.cdr_body(session, app)))
        now = now_ms()

        async def work(tx: Any) -> bool:
            if not await tx.save_call(session, self.store.instance_id, now, new=new):
                return False  # another process already released this call (recovery): nothing more to push
            await tx.enqueue(pushes, now)
            return True

        if not await self.store.run(work):
            return
        if pushes and self.on_enqueued is not None:
            self.on_enqueued()
        self._notify(session, events)

    def _notify(self, session: CallSession, events: list[CallEvent]) -> None:
        for event in events:
            for subscriber in list(self.subscribers):
                try:
                    subscriber(session, event)
                except Exception:
                    log.exception("call event subscriber failed")

    # ---------------------------------------------------------------- timers and locks
    def _lock(self, session_id: str) -> asyncio.Lock:
        return self._locks.setdefault(session_id, asyncio.Lock())

    def _start_timer(self, session_id: str, delay_s: float, action: Callable[[], Awaitable[Any]]) -> None:
        async def fire() -> None:
            await asyncio.sleep(delay_s)
            try:
                await action()
            except Exception:
                log.exception("timer of %s failed", session_id)

        task = asyncio.get_running_loop().create_task(fire())
        self.timers.setdefault(session_id, []).append(task)

    def _cancel_timers(self, session_id: str, keep_current: bool = False) -> None:
        current = asyncio.current_task()
        for task in self.timers.pop(session_id, []):
            if keep_current and task is current:
                continue
            task.cancel()
