"""``CallControl`` inside one process: the engine that owns the call is this process's engine.

When API and telephony run as separate processes, an implementation over the database or Redis
pub/sub takes its place (the owner is the ``calls.owner`` column); the API only sees the port.
"""

from __future__ import annotations

from typing import Protocol


class _Stoppable(Protocol):
    async def stop_call(self, session_id: str, app_id: int) -> bool: ...


class LocalCallControl:
    def __init__(self, engine: _Stoppable) -> None:
        self.engine = engine

    async def stop(self, session_id: str, app_id: int) -> bool:
        return await self.engine.stop_call(session_id, app_id)
