"""Billing notifications (issue 15, billing.md R-14, R-27) on a real database made by the real migrations (SQLite
always, PostgreSQL too when PRIVNUM_TEST_POSTGRES_URL is set), through the use cases bootstrap wires: a settlement
that takes a tenant below its low-balance threshold and into arrears raises ``low_balance`` then
``arrears_started``, once each however often it runs; a covering top-up raises ``recovered``; a package drawn past
80 % and 100 % raises each once; a package lapsing within 7 days is told of once. The webhook deliverer POSTs them,
signed, over real HTTP to a receiver process, and one answering 500 gets them again after the retry delay; a
claim whose deliverer died (never recorded) falls due again when its lease ends."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import text

from privnum.adapters.db.billing_unit import SqlBillingUnit
from privnum.adapters.db.database import Database, open_database
from privnum.adapters.db.notice_outbox import SqlNoticeOutbox, retry_after_ms
from privnum.adapters.push.billing_webhook import BillingWebhook, signature
from privnum.bootstrap import OperatorRuntime, build_operator
from privnum.config import Settings
from privnum.domain.access import Actor, ActorKind, Role
from privnum.domain.apps import CallbackUrls
from privnum.domain.billing.notices import iso
from privnum.domain.billing.packages import DAY_MS, Quota
from privnum.domain.management_errors import Invalid, NotFound
from privnum.domain.modes import Mode
from privnum.service.billing.notice_ports import StoredNotice
from privnum.service.billing.ports import NewUsage
from privnum.service.clock import now_ms
from receiver import Receiver
from servers import BACKENDS, drop_database, fresh_database_url, new_numbers

CLI = Actor.cli()
HOUR_MS = 3_600_000
MINUTE_MS = 60_000
MINUTE_PRICE = 100_000  # the plan's 0.1 a forwarded minute
CALL = "call.forwarded"


@dataclass
class Env:
    operator: OperatorRuntime
    db: Database
    workdir: Path

    async def rows(self, sql: str, **params: Any) -> list[Any]:
        async with self.db.reading() as conn:
            return list((await conn.execute(text(sql), params)).all())


@pytest.fixture(scope="module", params=BACKENDS)
async def env(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Env]:
    workdir = tmp_path_factory.mktemp("notices")
    url = await asyncio.to_thread(fresh_database_url, request.param, workdir)
    try:
        async with build_operator(Settings.from_env(database_url=url)) as operator:
            db = open_database(url)
            try:
                yield Env(operator, db, workdir)
            finally:
                await db.dispose()
    finally:
        await asyncio.to_thread(drop_database, url)


@dataclass
class Tenant:
    name: str
    tenant_id: int
    app_id: int
    x: str


async def tenant(env: Env, top_up: int) -> Tenant:
    """A tenant whose app holds a virtual number, on a plan at 0.1 a minute, topped up ``top_up`` micros."""
    name = f"note-{uuid.uuid4().hex[:8]}"
    made, _, _ = await env.operator.users.create_tenant(CLI, name, f"{name}-admin", "a-long-password-1")
    enterprise = f"ent-{name}"
    app = await env.operator.apps.create(CLI, enterprise=enterprise, name="app", mode=Mode.AXB,
                                         callbacks=CallbackUrls())
    x = new_numbers(1)[0]
    await env.operator.numbers.add(app.app_key, "0755", [x])
    async with env.db.transaction() as conn:
        await conn.execute(text("UPDATE enterprises SET tenant_id = :t WHERE name = :e"),
                           {"t": made.id, "e": enterprise})
        app_id = (await conn.execute(text("SELECT id FROM apps WHERE app_key = :k"), {"k": app.app_key})).scalar_one()
    billing = env.operator.billing
    await billing.accounts.add_huawei_plan(f"plan-{name}", MINUTE_PRICE)
    await billing.accounts.open(name, f"plan-{name}")
    await billing.wallets.top_up(name, top_up)
    return Tenant(name, made.id, app_id, x)


async def usage(env: Env, who: Tenant, minutes: int, at_ms: int) -> None:
    record = NewUsage(tenant_id=who.tenant_id, app_id=who.app_id, source="cdr", key=uuid.uuid4().hex, meter=CALL,
                      number_class="virtual", x_number=who.x, quantity=minutes * 60, units=minutes,
                      occurred_at_ms=at_ms)
    assert await SqlBillingUnit(env.db).run(lambda tx: tx.add_usage([record], at_ms)) == 1


async def settle(env: Env, window_start_ms: int) -> None:
    await env.operator.billing.settlement.settle_hour(window_start_ms, window_start_ms + 2 * HOUR_MS)


async def notices(env: Env, who: Tenant) -> list[StoredNotice]:
    """The tenant's notifications, oldest first."""
    return list(reversed(await env.operator.billing.notifications.list(CLI, who.name)))


def kinds(found: list[StoredNotice]) -> list[str]:
    return [notice.kind for notice in found]


def past_hour(hours_ago: int) -> int:
    return (now_ms() // HOUR_MS - hours_ago) * HOUR_MS


async def test_a_settlement_below_the_threshold_and_into_arrears_tells_each_once_and_a_top_up_recovery(
        env: Env) -> None:
    who = await tenant(env, 1_000_000)
    account = await env.operator.billing.notifications.set_low_balance(CLI, who.name, 500_000)
    assert account.balance_micros == 1_000_000 and await notices(env, who) == []  # 1 is not below 0.5
    assert await env.operator.billing.notifications.low_balance(CLI, who.tenant_id) == 500_000

    start = past_hour(5)
    await usage(env, who, 15, start + MINUTE_MS)  # 1.5: from 1 to -0.5, below 0.5 and short of its credit line
    await settle(env, start)
    found = await notices(env, who)
    assert kinds(found) == ["low_balance", "arrears_started"]
    low, arrears = (json.loads(notice.body) for notice in found)
    assert low == {"kind": "low_balance", "tenant_id": who.tenant_id, "tenant": who.name,
                   "at": low["at"], "currency": "CNY", "balance": "-0.5", "threshold": "0.5"}
    assert low["at"] == iso(start + 2 * HOUR_MS)  # the settlement's instant, ISO 8601 UTC
    assert arrears["balance"] == "-0.5" and arrears["credit_limit"] == "0" and arrears["tenant"] == who.name
    assert found[0].key == f"low_balance:{who.tenant_id}:{start + 2 * HOUR_MS}"
    assert found[1].key == f"arrears_started:{who.tenant_id}:{start + 2 * HOUR_MS}"
    assert all(n.delivered_at_ms is None and n.attempts == 0 for n in found)  # no webhook here: stored, listed

    await settle(env, start)  # the window again: nothing moves, nothing is told again
    await env.operator.billing.settlement.standings.watch(SqlBillingUnit(env.db), now_ms())  # the tick's look
    assert kinds(await notices(env, who)) == ["low_balance", "arrears_started"]

    await env.operator.billing.wallets.top_up(who.name, 2_000_000)  # 1.5: covered and above the threshold again
    assert kinds(await notices(env, who)) == ["low_balance", "arrears_started", "recovered"]
    assert json.loads((await notices(env, who))[-1].body)["balance"] == "1.5"

    await usage(env, who, 12, start + HOUR_MS + MINUTE_MS)  # 1.2: 0.3, below the threshold again, still covered
    await settle(env, start + HOUR_MS)
    await settle(env, start + HOUR_MS)
    assert kinds(await notices(env, who)) == ["low_balance", "arrears_started", "recovered", "low_balance"]
    await env.operator.billing.wallets.adjust(who.name, -100_000, "still below: no new crossing")
    assert len(await notices(env, who)) == 4


async def test_a_threshold_set_above_the_balance_tells_at_once_and_setting_it_again_does_not(env: Env) -> None:
    who = await tenant(env, 1_000_000)
    desk = env.operator.billing.notifications
    await desk.set_low_balance(CLI, who.tenant_id, 2_000_000)
    await desk.set_low_balance(CLI, who.name, 2_000_000)
    assert kinds(await notices(env, who)) == ["low_balance"]
    await desk.set_low_balance(CLI, who.name, None)  # off: a later fall tells nothing
    await env.operator.billing.wallets.adjust(who.name, -2_000_000, "a correction")
    assert kinds(await notices(env, who)) == ["low_balance", "arrears_started"]

    with pytest.raises(Invalid):
        await desk.set_low_balance(CLI, who.name, 10**16)
    with pytest.raises(NotFound):
        await desk.set_low_balance(CLI, "no-such-tenant", 1)
    other = await tenant(env, 1_000_000)
    stranger = Actor(kind=ActorKind.USER, login="its-billing", role=Role.BILLING, tenant_id=other.tenant_id)
    assert await desk.list(stranger) == []  # its own tenant's: none yet
    with pytest.raises(NotFound):
        await desk.list(stranger, who.tenant_id)  # another tenant's: not there for it


async def test_a_package_drawn_past_80_and_100_percent_tells_each_once(env: Env) -> None:
    who = await tenant(env, 100_000_000)
    product = f"product-{uuid.uuid4().hex[:8]}"
    await env.operator.billing.packages.add_product(product, 1_000_000, (Quota(CALL, None, 10),), 12)
    await env.operator.billing.notifications.set_low_balance(CLI, who.name, 99_500_000)
    bought = (await env.operator.billing.packages.buy(who.name, product)).bought  # its payment: 99 < 99.5
    start, package_id = bought.package.effective_from_ms, bought.package.package_id
    assert kinds(await notices(env, who)) == ["low_balance"]
    await env.operator.billing.notifications.set_low_balance(CLI, who.name, None)

    await usage(env, who, 7, start + MINUTE_MS)
    await settle(env, start)
    assert kinds(await notices(env, who)) == ["low_balance"]  # 70 %
    await usage(env, who, 1, start + HOUR_MS + MINUTE_MS)
    await settle(env, start + HOUR_MS)
    await settle(env, start + HOUR_MS)
    found = (await notices(env, who))[1:]
    assert kinds(found) == ["package_used_80"] and found[0].key == f"package_used_80:{package_id}"
    assert json.loads(found[0].body) | {"at": ""} == {
        "kind": "package_used_80", "tenant_id": who.tenant_id, "tenant": who.name, "at": "",
        "package_id": package_id, "product": product, "meter": CALL, "number_class": None, "granted": 10,
        "used": 8, "remaining": 2, "expires_at": json.loads(found[0].body)["expires_at"]}

    await usage(env, who, 1, start + 2 * HOUR_MS + MINUTE_MS)
    await settle(env, start + 2 * HOUR_MS)
    assert kinds(await notices(env, who)) == ["low_balance", "package_used_80"]  # 90 %
    await usage(env, who, 5, start + 3 * HOUR_MS + MINUTE_MS)  # 1 from the package, 4 pay as you go
    await settle(env, start + 3 * HOUR_MS)
    assert kinds(await notices(env, who)) == ["low_balance", "package_used_80", "package_used_100"]
    assert json.loads((await notices(env, who))[-1].body)["remaining"] == 0


async def test_a_package_lapsing_within_7_days_is_told_of_once(env: Env) -> None:
    who = await tenant(env, 100_000_000)
    product = f"product-{uuid.uuid4().hex[:8]}"
    await env.operator.billing.packages.add_product(product, 0, (Quota(CALL, None, 10), Quota("sms.forwarded",
                                                                                              "virtual", 5)), 1)
    package = (await env.operator.billing.packages.buy(who.name, product)).bought.package
    notices_of = env.operator.billing.settlement.standings.notices
    unit = SqlBillingUnit(env.db)
    await notices_of.warn_expiring(unit, package.expires_at_ms - 8 * DAY_MS)
    assert kinds(await notices(env, who)) == []
    await notices_of.warn_expiring(unit, package.expires_at_ms - 6 * DAY_MS)
    await notices_of.warn_expiring(unit, package.expires_at_ms - 5 * DAY_MS)
    found = await notices(env, who)
    assert kinds(found) == ["package_expiring"] and found[0].key == f"package_expiring:{package.package_id}"
    body = json.loads(found[0].body)
    assert body["product"] == product and body["package_id"] == package.package_id
    assert [(q["meter"], q["number_class"], q["remaining"]) for q in body["quotas"]] == [
        (CALL, None, 10), ("sms.forwarded", "virtual", 5)]


def _signed(secret: str, body: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()


def _received(receiver: Receiver, key: str) -> list[dict[str, Any]]:
    return [r for r in receiver.records(path="/billing") if r["headers"].get("X-Privnum-Notification") == key]


async def test_the_webhook_gets_them_signed_and_one_answering_500_gets_them_again(env: Env) -> None:
    who = await tenant(env, 1_000_000)
    await env.operator.billing.notifications.set_low_balance(CLI, who.name, 5_000_000)
    (stored,) = await notices(env, who)
    receiver = Receiver(env.workdir)
    try:
        receiver.control(mode="fail", status=500, path="/billing")
        hook = BillingWebhook(SqlNoticeOutbox(env.db), f"{receiver.base}/billing", "s3cret", time_scale=0.001)
        timeout = aiohttp.ClientTimeout(total=5)
        async with aiohttp.ClientSession() as session:
            await hook.deliver_due(session, timeout)
            (failed,) = await notices(env, who)
            assert failed.delivered_at_ms is None and failed.attempts == 1 and failed.last_error == "HTTP 500"
            assert failed.next_attempt_at_ms > now_ms() - 1000  # 1 minute × 0.001 after the failure
            receiver.control(reset=True)
            deadline = time.monotonic() + 5
            while (await notices(env, who))[0].delivered_at_ms is None and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
                await hook.deliver_due(session, timeout)
        (delivered,) = await notices(env, who)
        assert delivered.delivered_at_ms is not None and delivered.attempts == 2 and delivered.last_error is None
        got = _received(receiver, stored.key)
        assert [r["status"] for r in got] == [500, 200]
        for record in got:
            assert record["headers"]["X-Privnum-Signature"] == _signed("s3cret", stored.body)
            assert record["headers"]["Content-Type"] == "application/json"
            assert record["body"] == json.loads(stored.body)
        assert await env.operator.billing.notifications.list(CLI, who.name, undelivered=True) == []
    finally:
        receiver.stop()


async def test_a_claim_whose_deliverer_died_falls_due_again_when_its_lease_ends(env: Env) -> None:
    who = await tenant(env, 1_000_000)
    await env.operator.billing.notifications.set_low_balance(CLI, who.name, 5_000_000)
    (stored,) = await notices(env, who)
    outbox = SqlNoticeOutbox(env.db)
    now = now_ms()
    assert stored.id in [c.id for c in await outbox.claim(now, 1000, 60_000)]  # …and the deliverer is killed
    assert stored.id not in [c.id for c in await outbox.claim(now + 59_000, 1000, 60_000)]
    again = [c for c in await outbox.claim(now + 60_000, 1000, 60_000) if c.id == stored.id]
    assert [(c.key, c.body, c.attempts) for c in again] == [(stored.key, stored.body, 0)]


def test_the_signature_is_hmac_sha256_of_the_body_and_retries_never_stop() -> None:
    body = b'{"kind":"low_balance"}'
    assert signature("k", body) == "sha256=" + hmac.new(b"k", body, hashlib.sha256).hexdigest()
    assert [retry_after_ms(n, 1.0) // 60_000 for n in (1, 2, 3, 6, 7, 50)] == [1, 4, 9, 300, 300, 300]
