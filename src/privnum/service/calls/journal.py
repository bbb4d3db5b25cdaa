"""Saving a call's transitions: the session row, the pushes it causes (call events, the CDR push) and,
when the call ends, its CDR commit in one transaction, so a push is never lost and never sent for a
state that was not saved. Observers (the sandbox trace) hear each event once it is saved."""

from __future__ import annotations

import logging
from collections.abc import Callable

from privnum.domain.apps import App
from privnum.domain.calls.cdr import Cdr
from privnum.domain.calls.session import CallEvent, CallSession
from privnum.domain.pushes import OutboundPush, PushKind
from privnum.service import log_context
from privnum.service.calls.ports import CallObserver, CallPushFormatter, CallStore, CallTx
from privnum.service.clock import now_ms
from privnum.service.metrics import NO_METER, Meter

log = logging.getLogger("privnum.calls")


class CallJournal:
    def __init__(self, store: CallStore, formatter: CallPushFormatter,
                 on_enqueued: Callable[[], None] | None = None, meter: Meter = NO_METER) -> None:
        self.store = store
        self.formatter = formatter
        self.on_enqueued = on_enqueued
        self.meter = meter
        self._observers: list[CallObserver] = []

    def subscribe(self, observer: CallObserver) -> None:
        self._observers.append(observer)

    def _pushes_for(self, session: CallSession, events: list[CallEvent], app: App | None,
                   cdr: Cdr | None) -> list[OutboundPush]:
        if app is None:
            return []
        pushes: list[OutboundPush] = []
        if app.callbacks.call_status:
            pushes += [OutboundPush(app.id, PushKind.CALL_EVENT, app.callbacks.call_status,
                                    self.formatter.event_body(session, e), order_key=session.id) for e in events]
        if cdr is not None and app.callbacks.cdr:
            pushes.append(OutboundPush(app.id, PushKind.CDR, app.callbacks.cdr, self.formatter.cdr_body(cdr, app)))
        return pushes

    async def record(self, session: CallSession, events: list[CallEvent], app: App | None, *, new: bool = False,
                     ended: bool = False) -> bool:
        """Save this transition; False (and nothing pushed) when another process already released the call."""
        cdr = Cdr.from_session(session) if ended else None
        pushes = self._pushes_for(session, events, app, cdr)
        now = now_ms()

        async def work(tx: CallTx) -> bool:
            if not await tx.save_call(session, self.store.instance_id, now, new=new):
                return False
            if cdr is not None:
                await tx.save_cdr(cdr, now)
            await tx.enqueue(pushes, now)
            return True

        with log_context.about_call(session.id, session.binding_id, app.app_key if app is not None else None):
            if not await self.store.run(work):
                return False
            if pushes and self.on_enqueued is not None:
                self.on_enqueued()
            self._count(session, cdr, new=new)
            self.notify(session, events)
        return True

    def _count(self, session: CallSession, cdr: Cdr | None, *, new: bool) -> None:
        mode = session.mode.value
        if new:
            self.meter.call_set_up(mode)
            log.info("call set up: %s mode, %s called", mode, session.called)
        if cdr is not None:
            outcome = "answered" if cdr.answered else "unanswered" if cdr.forwarded_at_ms is not None else "refused"
            self.meter.call_ended(mode, outcome, int(cdr.cause))
            log.info("call ended: %s, cause %d, %d s talked", outcome, int(cdr.cause), cdr.talk_seconds)

    def notify(self, session: CallSession, events: list[CallEvent]) -> None:
        for event in events:
            for observer in list(self._observers):
                try:
                    observer(session, event)
                except Exception:
                    log.exception("call event observer failed")
