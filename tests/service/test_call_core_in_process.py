"""The call core in one process on a real SQLite file: engine + sandbox driver + the SQL call store, no server.

What is checked here is what the end-to-end call tests cannot see from outside: the CDR row written
with the call's release, callStop through the ``CallControl`` port, no state kept for ended calls,
and the ``cdrs`` migration of calls released before it.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from privnum.adapters.db.migrate import alembic_config, upgrade
from privnum.adapters.telephony.sandbox import CalleeBehaviour, Outcome
from privnum.bootstrap import Runtime, build_runtime
from privnum.config import Settings
from privnum.domain.calls.session import Party
from privnum.service.provisioning import axb

A, B, X = "+8613900000001", "+8613900000002", "+8617100000001"


def _cli(url: str, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "privnum", *args], capture_output=True, text=True, timeout=120,
                          env={"PRIVNUM_DATABASE_URL": url, "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture()
async def runtime(tmp_path: Path) -> AsyncIterator[Runtime]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'privnum.db'}"
    created = json.loads(await asyncio.to_thread(
        _cli, url, "app", "create", "--name", "core", "--mode", "AXB", "--json", "--cdr-url", "http://127.0.0.1:9/cdr"))
    await asyncio.to_thread(_cli, url, "numbers", "add", "--app", created["app_key"], "--area-code", "0755", X)
    rt = build_runtime(Settings(database_url=url, recordings_dir=str(tmp_path / "recordings")))
    await rt.engine.start()  # the call core only: no push delivery, no sweeper
    app = await rt.directory.by_key(created["app_key"])
    assert app is not None
    await axb.bind(rt.provisioning, app, axb.AxbBind(caller=A, callee=B, number=X, area_code=None, non_strict=False,
                                                     duration_s=0, options={}))
    rt.test_app = app  # type: ignore[attr-defined]
    try:
        yield rt
    finally:
        await rt.engine.stop()
        await rt.db.dispose()


async def _rows(rt: Runtime, sql: str, **params: Any) -> list[Any]:
    async with rt.db.reading() as conn:
        return list((await conn.execute(text(sql), params)).all())


async def _until_released(rt: Runtime, session_id: str, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while rt.engine.live.get(session_id) is not None:
        assert time.monotonic() < deadline, "the call did not end"
        await asyncio.sleep(0.02)


async def test_a_released_call_has_one_cdr_row_and_one_cdr_push(runtime: Runtime) -> None:
    assert runtime.sandbox is not None
    session_id = await runtime.sandbox.place_call(A, X, None, CalleeBehaviour(alert_after_ms=10, answer_after_ms=20,
                                                                              talk_ms=1100))
    assert session_id is not None
    await _until_released(runtime, session_id)
    cdrs = await _rows(runtime, "SELECT * FROM cdrs WHERE session_id = :s", s=session_id)
    assert len(cdrs) == 1
    cdr = cdrs[0]
    assert (cdr.caller, cdr.called, cdr.callee, cdr.display, cdr.direction) == (A, X, B, X, 1)
    assert (cdr.cause, cdr.q850, cdr.sip_status, cdr.released_by) == (0, 0, 0, "caller")
    assert cdr.answered_at_ms is not None and cdr.icid == session_id.partition("@")[0]
    assert cdr.talk_seconds == cdr.ended_at_ms // 1000 - cdr.answered_at_ms // 1000 and cdr.talk_seconds in (1, 2)
    assert cdr.area_code == "0755" and cdr.mode == "AXB" and cdr.extension is None
    pushes = await _rows(runtime, "SELECT body FROM pushes WHERE kind = 'cdr'")
    assert len(pushes) == 1
    assert json.loads(pushes[0].body)["feeLst"][0]["sessionId"] == session_id


async def test_a_refused_call_has_its_cdr_row_too(runtime: Runtime) -> None:
    assert runtime.sandbox is not None
    session_id = await runtime.sandbox.place_call("+8613900000099", X, None, CalleeBehaviour())
    assert session_id is not None
    await _until_released(runtime, session_id)
    [cdr] = await _rows(runtime, "SELECT cause, callee, answered_at_ms, binding_id FROM cdrs WHERE session_id = :s",
                        s=session_id)
    assert (cdr.cause, cdr.callee, cdr.answered_at_ms, cdr.binding_id) == (8014, None, None, None)


async def test_call_control_stops_only_a_live_call_of_its_own_app(runtime: Runtime) -> None:
    assert runtime.sandbox is not None
    app = runtime.test_app  # type: ignore[attr-defined]
    session_id = await runtime.sandbox.place_call(A, X, None, CalleeBehaviour(alert_after_ms=10, answer_after_ms=20,
                                                                              talk_ms=600_000))
    assert session_id is not None
    while runtime.engine.live.get(session_id) and runtime.engine.live.get(session_id).session.answered_at_ms is None:  # type: ignore[union-attr]
        await asyncio.sleep(0.02)
    assert await runtime.call_control.stop(session_id, app.id + 1) is False
    assert await runtime.call_control.stop(session_id, app.id) is True
    assert await runtime.call_control.stop(session_id, app.id) is False  # already ended
    [cdr] = await _rows(runtime, "SELECT cause, released_by FROM cdrs WHERE session_id = :s", s=session_id)
    assert (cdr.cause, cdr.released_by) == (0, "platform")


async def test_signals_for_an_ended_call_change_nothing(runtime: Runtime) -> None:
    assert runtime.sandbox is not None
    session_id = await runtime.sandbox.place_call(A, X, None, CalleeBehaviour(outcome=Outcome.BUSY, alert_after_ms=10))
    assert session_id is not None
    await _until_released(runtime, session_id)
    before = await _rows(runtime, "SELECT COUNT(*) AS n FROM pushes")
    await runtime.engine.forward_alerting(session_id)
    await runtime.engine.forward_answered(session_id)
    await runtime.engine.party_hung_up(session_id, Party.CALLEE)
    await runtime.engine.digits_collected(session_id, "1")
    assert len(runtime.engine.live) == 0
    assert await _rows(runtime, "SELECT COUNT(*) AS n FROM pushes") == before
    [cdr] = await _rows(runtime, "SELECT cause, sip_status FROM cdrs WHERE session_id = :s", s=session_id)
    assert (cdr.cause, cdr.sip_status) == (8102, 486)  # busy, docs/contract/calls.md


def test_the_cdrs_migration_gives_calls_released_before_it_their_record(tmp_path: Path) -> None:
    from alembic import command

    url = f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
    command.upgrade(alembic_config(url), "0002")
    session = {
        "id": "7_100_ab_20261130120000@old-host", "app_id": 3, "mode": "X", "caller": A, "called": X,
        "started_at_ms": 1_000_000, "state": "released", "digits": None, "binding_id": None, "user_data": "u1",
        "callee": B, "display": X, "direction": 0, "record": False, "max_duration_min": 0, "last_min_voice": None,
        "forwarded_at_ms": 1_000_100, "alerting_at_ms": 1_000_200, "answered_at_ms": 1_001_000,
        "ended_at_ms": 1_063_999, "failed_at_ms": None, "cause": 0, "q850": 16, "sip_status": 0,
        "released_by": "callee", "recording": None, "extras": {"area_code": "0755"},
    }
    live = {**session, "id": "8_100_cd_20261130120000@old-host", "state": "answered", "ended_at_ms": None,
            "cause": None, "released_by": None}
    import sqlite3

    with sqlite3.connect(tmp_path / "old.db") as conn:
        for s in (session, live):
            conn.execute("INSERT INTO calls (id, app_id, owner, state, data, created_at_ms, updated_at_ms) "
                         "VALUES (?, 3, 'gone', ?, ?, 1, 2)", (s["id"], s["state"], json.dumps(s)))
    upgrade(url)
    with sqlite3.connect(tmp_path / "old.db") as conn:
        rows = conn.execute("SELECT session_id, icid, mode, area_code, talk_seconds, released_by, user_data, "
                            "created_at_ms FROM cdrs").fetchall()
    assert rows == [("7_100_ab_20261130120000@old-host", "7_100_ab_20261130120000", "X", "0755", 62, "callee", "u1",
                     2)]
