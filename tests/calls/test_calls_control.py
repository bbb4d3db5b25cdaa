"""callStop reaches the call wherever it runs: with several worker processes, a call is owned by the
worker that took it, and the customer's callStop may land on any worker (docs/contract/calls.md)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from servers import BACKENDS, Server, drop_database, new_users, start_server

STOP_URI = "/rest/httpsessions/callStop/v2.0"


@pytest.fixture(params=BACKENDS)
def two_workers(request: pytest.FixtureRequest) -> Iterator[Server]:
    server = start_server(request.param, workers=2)
    yield server
    server.stop()
    drop_database(server.database_url)


def _owner_pid(session_id: str) -> str:
    return session_id.split("_")[1]  # "<seq>_<pid>_<random>_<time>@<host>"


def test_call_stop_ends_calls_owned_by_another_worker(two_workers: Server) -> None:
    client, pool = two_workers.app("AXB", 12)
    sessions: list[str] = []
    for x in pool:
        a, b = new_users(2)
        assert client.axb_bind(relationNum=x, callerNum=a, calleeNum=b).ok
        r = httpx.post(f"{two_workers.base}/sandbox/v1/calls", timeout=30, headers={"Connection": "close"},
                       json={"caller": a, "called": x, "callee": {"answer_after_ms": 20, "talk_ms": 600_000}})
        assert r.status_code == 201, r.text
        sessions.append(r.json()["session_id"])
        if len({_owner_pid(s) for s in sessions}) == 2 and len(sessions) >= 4:
            break
    assert len({_owner_pid(s) for s in sessions}) == 2, "every call landed on one worker; nothing to show"
    # the client keeps one connection, so every callStop lands on one worker: the calls of the other
    # worker are reached through its mailbox, its own calls at once
    for session in sessions:
        started = time.monotonic()
        stopped = client.request("POST", STOP_URI, body={"sessionid": session, "signal": "call_stop"})
        assert stopped.ok, (session, stopped)
        assert time.monotonic() - started < 3
    for session in sessions:
        again = client.request("POST", STOP_URI, body={"sessionid": session, "signal": "call_stop"})
        assert (again.status, again.code) == (403, "1020152"), (session, again)  # ended, on whichever worker
