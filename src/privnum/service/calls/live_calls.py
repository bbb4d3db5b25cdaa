"""The calls this process owns while they are live: one ``LiveCall`` each (session, driver, lock, timers)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass, field

from privnum.domain.calls.session import CallSession
from privnum.service.calls.ports import TelephonyDriver
from privnum.service.calls.timers import CallTimers


@dataclass
class LiveCall:
    session: CallSession
    driver: TelephonyDriver
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)  # one transition at a time
    timers: CallTimers = field(default_factory=CallTimers)


class LiveCalls:
    def __init__(self) -> None:
        self._calls: dict[str, LiveCall] = {}

    def add(self, session: CallSession, driver: TelephonyDriver) -> LiveCall:
        call = self._calls[session.id] = LiveCall(session, driver)
        return call

    def get(self, session_id: str) -> LiveCall | None:
        return self._calls.get(session_id)

    def forget(self, session_id: str) -> None:
        call = self._calls.pop(session_id, None)
        if call is not None:
            call.timers.cancel_all(keep_current=True)

    def ids(self) -> Iterator[str]:
        return iter(list(self._calls))

    def __len__(self) -> int:
        return len(self._calls)
