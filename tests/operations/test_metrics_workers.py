"""``privnum serve --workers 2``: every worker counts into the directory ``serve`` shares with them
(prometheus_client's multiprocess mode), so whichever worker answers a scrape shows the whole server's binds."""

from __future__ import annotations

import pytest

from scrape import scrape, value
from servers import BACKENDS, drop_database, new_numbers, new_users, start_server

BINDS = 8


@pytest.mark.parametrize("backend", BACKENDS)
def test_any_worker_shows_every_workers_binds(backend: str) -> None:
    server = start_server(backend, {"PRIVNUM_BILLING_JOBS": "0"}, workers=2)
    try:
        key, secret = server.create_app("AXB")
        pool = new_numbers(BINDS)
        server.add_numbers(key, "0755", pool)
        for x in pool:  # a new connection each: the kernel spreads them over both workers' accept queues
            users = new_users(2)
            client = server.client(key, secret)
            assert client.axb_bind(relationNum=x, callerNum=users[0], calleeNum=users[1]).ok
            client.close()
        totals = {value(scrape(server.base), "privnum_binds_total", mode="AXB", resultcode="0") for _ in range(12)}
        assert totals == {BINDS}, totals
    finally:
        server.stop()
        drop_database(server.database_url)
