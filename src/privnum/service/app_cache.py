"""A short-lived in-process cache in front of the app directory: apps are read on every request,
changed rarely; a change is seen within ``ttl_s`` seconds in every process. When an entry expires under
load, one read refreshes it and the requests arriving meanwhile wait for that read, not a read each."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable

from privnum.domain.apps import App
from privnum.service.ports import AppDirectory

MAX_ENTRIES = 10_000


class CachedAppDirectory:
    def __init__(self, directory: AppDirectory, ttl_s: float) -> None:
        self.directory = directory
        self.ttl_s = ttl_s
        self._entries: dict[Hashable, tuple[float, App | None]] = {}
        self._loading: dict[Hashable, asyncio.Future[App | None]] = {}

    async def by_key(self, app_key: str) -> App | None:
        return await self._cached(("key", app_key), lambda: self.directory.by_key(app_key))

    async def by_id(self, app_id: int) -> App | None:
        return await self._cached(("id", app_id), lambda: self.directory.by_id(app_id))

    def forget(self, app: App) -> None:
        """Drop the cached entries of ``app``: the next request of this process reads it again (a change made
        through the management plane takes effect at once here, in other processes within ``ttl_s``)."""
        self._entries.pop(("key", app.app_key), None)
        self._entries.pop(("id", app.id), None)

    async def _cached(self, key: Hashable, load: Callable[[], Awaitable[App | None]]) -> App | None:
        now = time.monotonic()
        hit = self._entries.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
        loading = self._loading.get(key)
        if loading is None:
            loading = self._loading[key] = asyncio.ensure_future(load())
            loading.add_done_callback(lambda _: self._loading.pop(key, None))
        app = await asyncio.shield(loading)
        if len(self._entries) > MAX_ENTRIES:
            self._entries.clear()
        self._entries[key] = (now + self.ttl_s, app)
        return app
