"""Calls of dead processes: this process beats its heartbeat, and ends every unreleased call whose owner
stopped beating (or, on this host, whose process is gone) with an abnormal cause and its CDR."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

from privnum.domain.calls.causes import Cause
from privnum.domain.calls.session import Party
from privnum.service.background import cancel_and_wait
from privnum.service.calls.journal import CallJournal
from privnum.service.calls.ports import Apps, CallStore, LegTeardown
from privnum.service.clock import now_ms

log = logging.getLogger("privnum.calls")


class Recovery:
    def __init__(self, store: CallStore, apps: Apps, journal: CallJournal, *, heartbeat_s: float = 5.0,
                 stale_s: float = 30.0, teardowns: Mapping[str, LegTeardown] | None = None) -> None:
        self.store = store
        self.teardowns = dict(teardowns or {})
        self.apps = apps
        self.journal = journal
        self.heartbeat_s = heartbeat_s
        self.stale_s = stale_s
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self.store.heartbeat(now_ms())
        await self.recover()
        self._task = asyncio.create_task(self._forever(), name="privnum-call-heartbeat")

    async def stop(self) -> None:
        await cancel_and_wait(self._task)
        await self.store.retire()

    async def _forever(self) -> None:
        while True:
            await asyncio.sleep(self.heartbeat_s)
            try:
                await self.store.heartbeat(now_ms())
                await self.recover()
            except Exception:
                log.exception("heartbeat or recovery failed")

    async def recover(self) -> int:
        """End calls whose owning process died: a disconnect with an abnormal cause, and their CDR; then end
        their legs from the state their driver saved at answer (BYE to both phones)."""
        orphans = await self.store.orphaned_calls(now_ms(), int(self.stale_s * 1000))
        for session in orphans:
            teardown = session.teardown
            events = session.end(now_ms(), Cause.INTERNAL_ERROR, Party.PLATFORM)
            won = await self.journal.record(session, events, await self.apps.by_id(session.app_id), ended=True)
            if won and teardown is not None:
                await self._tear_down(session.id, teardown)
        return len(orphans)

    async def _tear_down(self, session_id: str, state: dict[str, Any]) -> None:
        driver = self.teardowns.get(str(state.get("driver")))
        if driver is None:
            log.warning("call %s: no way to end the legs of driver %r", session_id, state.get("driver"))
            return
        try:
            await driver.tear_down(state)
        except Exception:
            log.exception("call %s: ending its legs failed", session_id)
