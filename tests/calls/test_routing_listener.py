"""The PostgreSQL feed of the routing cache against a real database: a committed change to a number's
bindings, keys or row forgets that number (a rolled-back one does not), and a lost LISTEN connection
suspends the cache until a new one listens."""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import asyncpg
import pytest

from privnum.adapters.db.migrate import upgrade
from privnum.adapters.db.routing_listener import APPLICATION_NAME, PgRoutingListener, asyncpg_dsn
from privnum.service.calls.routing_cache import MISSING, RoutingCache
from servers import POSTGRES_URL, drop_database, fresh_database_url

pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason="needs PRIVNUM_TEST_POSTGRES_URL")
X, OTHER = "+8617000000001", "+8617000000002"


async def eventually(check: Callable[[], bool], what: str, timeout_s: float = 15.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout_s} s: {what}")
        await asyncio.sleep(0.02)


@pytest.fixture
async def feed() -> AsyncIterator[tuple[PgRoutingListener, asyncpg.Connection]]:
    url = await asyncio.to_thread(fresh_database_url, "postgres", Path(tempfile.mkdtemp(prefix="privnum-routing-")))
    await asyncio.to_thread(upgrade, url)
    listener = PgRoutingListener(url, RoutingCache(), ping_s=0.5, retry_s=0.1)
    writer = await asyncpg.connect(asyncpg_dsn(url))
    await writer.execute("INSERT INTO enterprises (id, name, created_at_ms) VALUES (1, 'e', 0)")
    await writer.execute("INSERT INTO apps (id, enterprise_id, name, mode, app_key, app_secret, created_at_ms, "
                         "updated_at_ms) VALUES (1, 1, 'a', 'AXB', 'k', 's', 0, 0)")
    listener.start()
    try:
        await asyncio.wait_for(listener.listening.wait(), 15)
        yield listener, writer
    finally:
        await listener.stop()
        await writer.close()
        await asyncio.to_thread(drop_database, url)


def kept(cache: RoutingCache, x: str) -> bool:
    return cache.number(x) is not MISSING


def keep(cache: RoutingCache, *xs: str) -> None:
    for x in xs:
        cache.keep_number(cache.ticket(), x, None)


async def test_a_committed_change_forgets_its_number_and_only_it(feed: tuple[PgRoutingListener, asyncpg.Connection],
                                                                 ) -> None:
    listener, writer = feed
    cache = listener.cache
    keep(cache, X, OTHER)
    await writer.execute("INSERT INTO numbers (number, app_id, area_code, state, load, created_at_ms, "
                         f"updated_at_ms) VALUES ('{X}', 1, '0755', 'available', 0, 0, 0)")
    await eventually(lambda: not kept(cache, X), "a new number row forgets X")
    assert kept(cache, OTHER)

    keep(cache, X)
    await writer.execute("INSERT INTO bindings (id, app_id, mode, number, party_a, party_b, settings, created_at_ms, "
                         f"updated_at_ms) VALUES ('b1', 1, 'AXB', '{X}', '+8613900000001', '+8613900000002', '{{}}', "
                         "0, 0)")
    await eventually(lambda: not kept(cache, X), "a new binding forgets X")

    keep(cache, X)
    async with writer.transaction():
        await writer.execute(f"INSERT INTO binding_keys (number, key, binding_id) VALUES ('{X}', 'user:a', 'b1')")
        await asyncio.sleep(0.3)
        assert kept(cache, X), "forgotten before the commit"
    await eventually(lambda: not kept(cache, X), "a committed key forgets X")

    keep(cache, X)
    with pytest.raises(RuntimeError):
        async with writer.transaction():
            await writer.execute("DELETE FROM bindings WHERE id = 'b1'")
            raise RuntimeError("roll back")
    await writer.execute(f"UPDATE numbers SET state = 'frozen' WHERE number = '{OTHER}'")  # a later commit, no row
    await writer.execute(f"UPDATE numbers SET state = 'frozen' WHERE number = '{X}'")
    await eventually(lambda: not kept(cache, X), "a frozen number forgets X")
    assert kept(cache, OTHER), "a statement that changed no row of OTHER forgot it"


async def test_a_lost_connection_suspends_the_cache_until_it_listens_again(
        feed: tuple[PgRoutingListener, asyncpg.Connection]) -> None:
    listener, writer = feed
    cache = listener.cache
    keep(cache, X)
    ended = await writer.fetchval("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                  "WHERE application_name = $1 AND datname = current_database()", APPLICATION_NAME)
    assert ended == 1
    await eventually(lambda: not kept(cache, X), "the cache flushed")
    await eventually(lambda: cache.live, "listening again")
    keep(cache, X)
    await writer.execute(f"INSERT INTO numbers (number, app_id, area_code, state, load, created_at_ms, "
                         f"updated_at_ms) VALUES ('{X}', 1, '0755', 'available', 0, 0, 0)")
    await eventually(lambda: not kept(cache, X), "the new connection hears changes")
