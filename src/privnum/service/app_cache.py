"""A short-lived in-process cache in front of the app directory: apps are read on every request,
changed rarely; a change is seen within ``ttl_s`` seconds in every process."""

from __future__ import annotations

import time

from privnum.domain.apps import App
from privnum.service.ports import AppDirectory


class CachedAppDirectory:
    def __init__(self, directory: AppDirectory, ttl_s: float) -> None:
        self.directory = directory
        self.ttl_s = ttl_s
        self._entries: dict[str, tuple[float, App | None]] = {}
        self._by_id: dict[int, tuple[float, App | None]] = {}

    async def by_key(self, app_key: str) -> App | None:
        now = time.monotonic()
        hit = self._entries.get(app_key)
        if hit is not None and hit[0] > now:
            return hit[1]
        app = await self.directory.by_key(app_key)
        if len(self._entries) > 10_000:
            self._entries.clear()
        self._entries[app_key] = (now + self.ttl_s, app)
        return app

    async def by_id(self, app_id: int) -> App | None:
        now = time.monotonic()
        hit = self._by_id.get(app_id)
        if hit is not None and hit[0] > now:
            return hit[1]
        app = await self.directory.by_id(app_id)  # type: ignore[attr-defined]
        if len(self._by_id) > 10_000:
            self._by_id.clear()
        self._by_id[app_id] = (now + self.ttl_s, app)
        return app
