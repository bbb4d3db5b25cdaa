"""The operator's use cases (service/management) on a real database made by the real migrations: SQLite
always, PostgreSQL too when PRIVNUM_TEST_POSTGRES_URL is set. No mocks: bootstrap.build_operator wires them."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import textwrap
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from privnum.adapters.db.database import open_database
from privnum.bootstrap import OperatorRuntime, build_operator
from privnum.config import Settings
from privnum.domain.access import Actor
from privnum.domain.apps import App, CallbackUrls
from privnum.domain.enterprises import AppQuotaReached
from privnum.domain.modes import Mode
from privnum.domain.number_status import NumberStatus
from privnum.domain.operator_errors import OperatorError
from privnum.domain.private_numbers import NumberState
from privnum.service.management.numbers import Numbers
from privnum.service.management.records_ports import PushFilter
from servers import BACKENDS, drop_database, fresh_database_url, new_numbers

CLI = Actor.cli()


@dataclass
class Env:
    operator: OperatorRuntime
    url: str
    settings: Settings

    async def rows(self, sql: str, **params: Any) -> list[Any]:
        db = open_database(self.url)
        try:
            async with db.reading() as conn:
                return list((await conn.execute(text(sql), params)).all())
        finally:
            await db.dispose()


@pytest.fixture(params=BACKENDS)
async def env(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Env]:
    url = await asyncio.to_thread(fresh_database_url, request.param, tmp_path)
    settings = Settings.from_env(database_url=url)
    try:
        async with build_operator(settings) as operator:
            yield Env(operator, url, settings)
    finally:
        await asyncio.to_thread(drop_database, url)


def enterprise_name() -> str:
    return f"ent-{uuid.uuid4().hex[:8]}"


async def new_app(env: Env, enterprise: str, **callbacks: Any) -> App:
    return await env.operator.apps.create(CLI, enterprise=enterprise, name=f"app-{uuid.uuid4().hex[:6]}", mode=Mode.AXB,
                                          callbacks=CallbackUrls(**callbacks))


async def test_the_quota_reached_says_what_to_do_next(env: Env) -> None:
    name = enterprise_name()
    made = [await new_app(env, name) for _ in range(5)]
    assert len({a.app_key for a in made}) == 5 and all(len(a.app_secret) >= 32 for a in made)
    with pytest.raises(AppQuotaReached) as refused:
        await new_app(env, name)
    assert isinstance(refused.value, OperatorError)
    assert str(refused.value) == (f"enterprise '{name}' already has 5 apps (its quota); raise it with "
                                  f"`privnum enterprise set-quota {name} 6`")
    [listed] = [e for e in await env.operator.enterprises.list(CLI) if e.name == name]
    assert (listed.app_count, listed.app_quota) == (5, 5)
    assert len(await env.rows("SELECT a.id FROM apps a JOIN enterprises e ON e.id = a.enterprise_id "
                              "WHERE e.name = :n", n=name)) == 5


async def test_a_raised_quota_allows_a_sixth_app_and_never_goes_below_the_count(env: Env) -> None:
    name = enterprise_name()
    for _ in range(5):
        await new_app(env, name)
    raised = await env.operator.enterprises.set_app_quota(CLI, name, 6)
    assert (raised.app_count, raised.app_quota) == (5, 6)
    sixth = await new_app(env, name)
    assert sixth.enterprise_id == raised.id
    with pytest.raises(AppQuotaReached, match=rf"already has 6 apps .*set-quota {name} 7"):
        await new_app(env, name)
    with pytest.raises(OperatorError, match="cannot go below 6"):
        await env.operator.enterprises.set_app_quota(CLI, name, 5)
    with pytest.raises(OperatorError, match="no enterprise 'nobody'"):
        await env.operator.enterprises.set_app_quota(CLI, "nobody", 9)
    with pytest.raises(OperatorError, match="already exists"):
        await env.operator.enterprises.create(CLI, name)
    created = await env.operator.enterprises.create(CLI, enterprise_name(), app_quota=1)
    assert (created.app_count, created.app_quota) == (0, 1)


async def test_the_database_refuses_more_apps_than_the_quota(env: Env) -> None:
    name = enterprise_name()
    await env.operator.enterprises.create(CLI, name, app_quota=1)
    await new_app(env, name)
    db = open_database(env.url)
    try:
        with pytest.raises(IntegrityError):
            async with db.transaction() as conn:
                await conn.execute(text("UPDATE enterprises SET app_count = 2 WHERE name = :n"), {"n": name})
    finally:
        await db.dispose()


async def test_concurrent_creates_in_one_process_never_exceed_the_quota(env: Env) -> None:
    name = enterprise_name()
    await env.operator.enterprises.create(CLI, name, app_quota=3)
    async with build_operator(env.settings) as other:  # a second engine: its own connections
        results = await asyncio.gather(*(
            (env.operator if i % 2 else other).apps.create(CLI, enterprise=name, name=f"c{i}", mode=Mode.AXB,
                                                           callbacks=CallbackUrls())
            for i in range(8)), return_exceptions=True)
    assert sum(isinstance(r, App) for r in results) == 3
    assert all(isinstance(r, App | AppQuotaReached) for r in results), results
    [listed] = [e for e in await env.operator.enterprises.list(CLI) if e.name == name]
    assert listed.app_count == 3


_CREATOR = textwrap.dedent("""
    import asyncio, json, sys
    from privnum.bootstrap import build_operator
    from privnum.config import Settings
    from privnum.domain.access import Actor
    from privnum.domain.apps import CallbackUrls
    from privnum.domain.enterprises import AppQuotaReached
    from privnum.domain.modes import Mode

    async def main(url, name, tries):
        made = refused = 0
        async with build_operator(Settings.from_env(database_url=url)) as op:
            print("ready", flush=True)
            sys.stdin.readline()
            for i in range(tries):
                try:
                    await op.apps.create(Actor.cli(), enterprise=name, name=f"p{i}", mode=Mode.AXB,
                                         callbacks=CallbackUrls())
                    made += 1
                except AppQuotaReached:
                    refused += 1
        print(json.dumps([made, refused]))

    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
""")


async def test_two_processes_creating_at_once_never_exceed_the_quota(env: Env) -> None:
    name = enterprise_name()
    await env.operator.enterprises.create(CLI, name, app_quota=5)

    def race() -> list[list[int]]:
        procs = [subprocess.Popen([sys.executable, "-c", _CREATOR, env.url, name, "6"], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True) for _ in range(2)]
        for p in procs:  # both migrated and connected before either starts
            assert p.stdout is not None and p.stdout.readline().strip() == "ready"
        for p in procs:
            assert p.stdin is not None
            p.stdin.write("go\n")
            p.stdin.flush()
        outs = [p.communicate(timeout=120)[0] for p in procs]
        assert all(p.returncode == 0 for p in procs), outs
        return [json.loads(out.strip().splitlines()[-1]) for out in outs]

    counts = await asyncio.to_thread(race)
    assert sum(made for made, _ in counts) == 5 and sum(refused for _, refused in counts) == 7
    [listed] = [e for e in await env.operator.enterprises.list(CLI) if e.name == name]
    assert listed.app_count == 5


async def number_status_pushes(env: Env, app: App) -> list[Any]:
    return await env.rows("SELECT kind, url, body, state FROM pushes WHERE app_id = :a AND kind = 'number_status' "
                          "ORDER BY id", a=app.id)


async def test_set_state_enqueues_one_num_status_push_and_none_when_unchanged(env: Env) -> None:
    url = "http://127.0.0.1:9/numstatus"
    app = await new_app(env, enterprise_name(), number_status=url, call_status="http://127.0.0.1:9/events",
                        push_number_status=True)
    [x] = new_numbers(1)
    assert await env.operator.numbers.add(app.app_key, "0755", [x]) == 1
    await env.operator.numbers.set_state(x, NumberState.FROZEN)
    pushes = await number_status_pushes(env, app)
    assert [(p.url, json.loads(p.body), p.state) for p in pushes] == [
        (url, {"eventType": "numStatus", "numInfo": [{"number": x, "status": "10", "cause": "2"}]}, "pending")]
    await env.operator.numbers.set_state(x, NumberState.FROZEN)  # unchanged: no push
    assert len(await number_status_pushes(env, app)) == 1
    [listed] = await env.operator.numbers.list(app.app_key)
    assert listed.state is NumberState.FROZEN


async def test_no_num_status_push_when_the_app_did_not_ask(env: Env) -> None:
    app = await new_app(env, enterprise_name(), call_status="http://127.0.0.1:9/events")
    [x] = new_numbers(1)
    await env.operator.numbers.add(app.app_key, "0755", [x])
    await env.operator.numbers.set_state(x, NumberState.BLACKLISTED)
    assert await number_status_pushes(env, app) == []


class BrokenFormatter:
    def number_status_body(self, change: NumberStatus) -> dict[str, Any]:
        raise RuntimeError("the push could not be written")


async def test_the_state_change_and_its_push_commit_together(env: Env) -> None:
    app = await new_app(env, enterprise_name(), number_status="http://127.0.0.1:9/ns", push_number_status=True)
    [x] = new_numbers(1)
    await env.operator.numbers.add(app.app_key, "0755", [x])
    broken = Numbers(env.operator.numbers.unit, BrokenFormatter())
    with pytest.raises(RuntimeError):
        await broken.set_state(x, NumberState.UNAVAILABLE)
    [listed] = await env.operator.numbers.list(app.app_key)
    assert listed.state is NumberState.AVAILABLE  # the push failed, so the state change was rolled back
    assert await number_status_pushes(env, app) == []


async def test_operator_errors_of_numbers_and_pushes(env: Env) -> None:
    app = await new_app(env, enterprise_name())
    [x] = new_numbers(1)
    with pytest.raises(OperatorError, match="no app with APP_Key nope"):
        await env.operator.numbers.add("nope", "0755", [x])
    await env.operator.numbers.add(app.app_key, "0755", [x])
    with pytest.raises(OperatorError, match="already in the pool; nothing was added"):
        await env.operator.numbers.add(app.app_key, "0755", [*new_numbers(1), x])
    assert len(await env.operator.numbers.list(app.app_key)) == 1
    with pytest.raises(OperatorError, match="is not in the pool"):
        await env.operator.numbers.set_state("+8600000000000", NumberState.FROZEN)
    with pytest.raises(OperatorError, match="no push 424242"):
        await env.operator.pushes.replay(Actor.cli(), "424242")
    assert (await env.operator.pushes.list(Actor.cli(), PushFilter(app_key=app.app_key))).items == []
