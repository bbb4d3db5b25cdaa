"""PostgreSQL's LISTEN on the routing channel, feeding the process's ``RoutingCache``.

Triggers (migration 0020) ``pg_notify('privnum_routing', <number>)`` for every number whose bindings,
binding keys or number row a statement changed; PostgreSQL delivers a notification when (and only if)
its transaction commits, to every listening connection of every node. This listener holds one
dedicated connection: it forgets each X it hears of, pings the connection every ``ping_s`` seconds,
and when the connection fails (or a ping does not come back) suspends the cache (flushed, bypassed)
until it listens again on a new connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy.engine import make_url

from privnum.service.calls.routing_cache import RoutingCache

log = logging.getLogger("privnum.routing")

CHANNEL = "privnum_routing"
EVERYTHING = "*"  # a TRUNCATE: forget every number
APPLICATION_NAME = "privnum-routing-listener"  # as pg_stat_activity shows the connection


def asyncpg_dsn(database_url: str) -> str:
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


class PgRoutingListener:
    def __init__(self, database_url: str, cache: RoutingCache, ping_s: float = 5.0, retry_s: float = 1.0) -> None:
        self.dsn = asyncpg_dsn(database_url)
        self.cache = cache
        self.ping_s = ping_s
        self.retry_s = retry_s
        self._task: asyncio.Task[None] | None = None
        self.listening = asyncio.Event()

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="privnum-routing-listener")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self.cache.suspend()

    def heard(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        if payload == EVERYTHING:
            self.cache.flush()
        else:
            self.cache.forget(payload)

    async def _run(self) -> None:
        while True:
            try:
                await self._listen_once()
            except asyncio.CancelledError:
                raise
            except Exception as error:
                log.warning("routing cache bypassed: the LISTEN connection failed (%s); retrying", error)
            await asyncio.sleep(self.retry_s)

    async def _listen_once(self) -> None:
        conn = await asyncpg.connect(self.dsn, timeout=10, server_settings={"application_name": APPLICATION_NAME})
        lost = asyncio.Event()
        conn.add_termination_listener(lambda _c: lost.set())
        try:
            await conn.add_listener(CHANNEL, self.heard)
            self.cache.resume()  # only now: whatever commits from here on is heard
            self.listening.set()
            log.warning("routing cache on: listening on %s for committed binding and number changes", CHANNEL)
            while not lost.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(lost.wait(), self.ping_s)
                    break
                await asyncio.wait_for(conn.fetchval("SELECT 1"), self.ping_s)
            raise ConnectionError("the LISTEN connection was closed")
        finally:
            self.cache.suspend()
            self.listening.clear()
            conn.terminate()
