"""One call's timers (connect timeout, max duration, last-minute voice): started and cancelled together."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

log = logging.getLogger("privnum.calls")


class CallTimers:
    def __init__(self) -> None:
        self._tasks: list[asyncio.Task[None]] = []

    def start(self, delay_s: float, action: Callable[[], Awaitable[Any]], name: str = "call timer") -> None:
        """Run ``action`` after ``delay_s`` unless cancelled first; a failing action is logged."""
        async def fire() -> None:
            await asyncio.sleep(delay_s)
            try:
                await action()
            except Exception:
                log.exception("%s failed", name)

        self._tasks.append(asyncio.get_running_loop().create_task(fire(), name=name))

    def cancel_all(self, *, keep_current: bool = False) -> None:
        """Cancel every timer; ``keep_current`` spares the timer that is running this code."""
        current = asyncio.current_task()
        for task in self._tasks:
            if not (keep_current and task is current):
                task.cancel()
        self._tasks.clear()
