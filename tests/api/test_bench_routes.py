"""The benchmark's signed no-op (bench/bind_throughput.py): absent unless PRIVNUM_BENCH_ROUTES=1, and then
authenticated exactly like a bind (digest checked, nonce accepted once)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from huawei_client import signed_headers
from servers import Server, drop_database, start_server

SIGNED_NOOP = "/bench/v1/signed-noop"


@pytest.fixture(scope="module")
def bench_server() -> Iterator[Server]:
    s = start_server("sqlite", {"PRIVNUM_BENCH_ROUTES": "1"})
    yield s
    s.stop()
    drop_database(s.database_url)


def test_the_signed_noop_is_absent_by_default(server: Server) -> None:
    key, secret = server.create_app("AXB")
    reply = httpx.post(f"{server.base}{SIGNED_NOOP}", content="{}", headers=signed_headers(key, secret), timeout=30)
    assert reply.status_code == 404
    assert reply.json()["resultcode"] == "1010006"


def test_the_signed_noop_is_signed_and_takes_a_nonce_once(bench_server: Server) -> None:
    key, secret = bench_server.create_app("AXB")
    headers = signed_headers(key, secret)
    with httpx.Client(base_url=bench_server.base, timeout=30) as http:
        first = http.post(SIGNED_NOOP, content='{"callerNum": "+8613900000001"}', headers=headers)
        assert (first.status_code, first.json()) == (200, {"resultcode": "0", "resultdesc": "Success."})
        replayed = http.post(SIGNED_NOOP, content="{}", headers=headers)
        assert (replayed.status_code, replayed.json()["resultcode"]) == (401, "1010010")
        wrong = http.post(SIGNED_NOOP, content="{}", headers=signed_headers(key, "not-the-secret"))
        assert (wrong.status_code, wrong.json()["resultcode"]) == (401, "1010010")
        unsigned = http.post(SIGNED_NOOP, content="{}")
        assert unsigned.json()["resultcode"] != "0"
