"""Packages in billing (issue 15, billing.md R-9…R-14) on a real database made by the real migrations (SQLite always,
PostgreSQL too when PRIVNUM_TEST_POSTGRES_URL is set), through the use cases bootstrap wires: a package is bought
from the wallet once per reference, is refused without funds and then writes nothing, and the hourly settlement
draws it before pay-as-you-go — only while it is in force, in R-12's order, and never twice for one window; a
plan that truncates to cents cuts each settlement (R-18).

Usage records are written through the billing unit's own ``add_usage`` (the path ingestion takes), at instants
around the package's hour-aligned start and end: a package bought now takes effect at the next full hour, and
settling a window needs no waiting, only its start."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import text

from privnum.adapters.db.billing_unit import SqlBillingUnit
from privnum.adapters.db.database import Database, open_database
from privnum.bootstrap import OperatorRuntime, build_operator
from privnum.config import Settings
from privnum.domain.access import Actor
from privnum.domain.apps import CallbackUrls
from privnum.domain.billing.packages import Draw, Quota
from privnum.domain.modes import Mode
from privnum.domain.operator_errors import OperatorError
from privnum.service.billing.package_ports import QuotaOverdrawn, TenantPackage
from privnum.service.billing.ports import NewUsage
from privnum.service.billing.settlement import SettledTenant
from servers import BACKENDS, drop_database, fresh_database_url, new_numbers

CLI = Actor.cli()
HOUR_MS = 3_600_000
MINUTE_MS = 60_000
MINUTE_PRICE = 100_000  # the plan's 0.1 a forwarded minute
SMS_CARRIER_PRICE = 270_000  # huawei-cn: 0.27 a segment from a carrier number
CALL = "call.forwarded"
SMS = "sms.forwarded"


@dataclass
class Env:
    operator: OperatorRuntime
    db: Database  # a second pool on the same database, for the usage records and for reading rows

    async def rows(self, sql: str, **params: Any) -> list[Any]:
        async with self.db.reading() as conn:
            return list((await conn.execute(text(sql), params)).all())


@pytest.fixture(scope="module", params=BACKENDS)
async def env(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Env]:
    url = await asyncio.to_thread(fresh_database_url, request.param, tmp_path_factory.mktemp("packages"))
    try:
        async with build_operator(Settings.from_env(database_url=url)) as operator:
            db = open_database(url)
            try:
                yield Env(operator, db)
            finally:
                await db.dispose()
    finally:
        await asyncio.to_thread(drop_database, url)


@dataclass
class Tenant:
    name: str
    tenant_id: int
    app_id: int
    virtual_x: str
    carrier_x: str


async def tenant(env: Env, top_up: int = 100_000_000) -> Tenant:
    """A tenant whose app holds a virtual and a carrier number, on a plan at 0.1 a minute, topped up."""
    name = f"pkg-{uuid.uuid4().hex[:8]}"
    made, _, _ = await env.operator.users.create_tenant(CLI, name, f"{name}-admin", "a-long-password-1")
    enterprise = f"ent-{name}"
    app = await env.operator.apps.create(CLI, enterprise=enterprise, name="app", mode=Mode.AXB,
                                         callbacks=CallbackUrls())
    virtual_x, carrier_x = new_numbers(1)[0], new_numbers(1, "+86138")[0]
    await env.operator.numbers.add(app.app_key, "0755", [virtual_x, carrier_x])
    async with env.db.transaction() as conn:
        await conn.execute(text("UPDATE enterprises SET tenant_id = :t WHERE name = :e"),
                           {"t": made.id, "e": enterprise})
        app_id = (await conn.execute(text("SELECT id FROM apps WHERE app_key = :k"), {"k": app.app_key})).scalar_one()
    billing = env.operator.billing
    await billing.accounts.add_huawei_plan(f"plan-{name}", MINUTE_PRICE)
    await billing.accounts.open(name, f"plan-{name}")
    if top_up:
        await billing.wallets.top_up(name, top_up)
    return Tenant(name, made.id, app_id, virtual_x, carrier_x)


async def product(env: Env, price: int, *quotas: Quota, months: int = 12) -> str:
    name = f"product-{uuid.uuid4().hex[:8]}"
    await env.operator.billing.packages.add_product(name, price, quotas, months)
    return name


async def usage(env: Env, who: Tenant, meter: str, units: int, at_ms: int, *, carrier: bool = False) -> None:
    """One usage record of ``units`` on ``meter`` at ``at_ms`` through one of the tenant's numbers."""
    x = who.carrier_x if carrier else who.virtual_x
    record = NewUsage(tenant_id=who.tenant_id, app_id=who.app_id, source="sms" if meter == SMS else "cdr",
                      key=uuid.uuid4().hex, meter=meter, number_class="carrier" if carrier else "virtual",
                      x_number=x, quantity=units * 60, units=units, occurred_at_ms=at_ms)
    assert await SqlBillingUnit(env.db).run(lambda tx: tx.add_usage([record], at_ms)) == 1


async def settle(env: Env, who: Tenant, window_start_ms: int) -> list[SettledTenant]:
    """Settle the window (for every tenant, as the job does); what it settled of ``who``."""
    settled = await env.operator.billing.settlement.settle_hour(window_start_ms, window_start_ms + 2 * HOUR_MS)
    return [done for done in settled if done.tenant_id == who.tenant_id]


async def balance(env: Env, who: Tenant) -> int:
    return (await env.operator.billing.wallets.balance(who.name)).balance_micros


async def left(env: Env, who: Tenant) -> dict[str, list[tuple[str, str | None, int]]]:
    """Per product: (meter, class, units left) of each quota of the tenant's packages, as the read use case shows."""
    found: dict[str, list[tuple[str, str | None, int]]] = {}
    for bought in await env.operator.billing.packages.of_tenant(who.name):
        found.setdefault(bought.product, []).extend(
            (q.meter, q.number_class, q.remaining) for q in bought.package.balances)
    return found


async def buy(env: Env, who: Tenant, product_name: str, reference: str | None = None) -> TenantPackage:
    return (await env.operator.billing.packages.buy(who.name, product_name, reference)).bought


async def lines(env: Env, who: Tenant) -> list[Any]:
    return await env.rows("SELECT u.meter, u.units AS record_units, l.package_id, l.units, l.unit_price_micros, "
                          "l.amount_micros FROM rated_lines l JOIN usage_records u ON u.id = l.usage_record_id "
                          "WHERE u.tenant_id = :t ORDER BY u.id, l.id", t=who.tenant_id)


async def test_a_package_absorbs_usage_first_and_the_overflow_is_paid_as_you_go(env: Env) -> None:
    who = await tenant(env)
    name = await product(env, 38_000_000, Quota(CALL, None, 10), Quota(SMS, "virtual", 5))
    bought = await buy(env, who, name)
    start = bought.package.effective_from_ms
    assert start % HOUR_MS == 0 and start > bought.package.purchased_at_ms
    assert await balance(env, who) == 100_000_000 - 38_000_000

    await usage(env, who, CALL, 6, start + MINUTE_MS)
    await usage(env, who, CALL, 7, start + 2 * MINUTE_MS)  # 4 from the package, 3 pay as you go
    await usage(env, who, SMS, 2, start + 3 * MINUTE_MS, carrier=True)  # the SMS quota is virtual numbers' only
    await usage(env, who, SMS, 1, start + 4 * MINUTE_MS)
    settled = await settle(env, who, start)

    charged = 3 * MINUTE_PRICE + 2 * SMS_CARRIER_PRICE
    assert [(s.tenant_id, s.records, s.amount_micros) for s in settled] == [(who.tenant_id, 4, charged)]
    assert await balance(env, who) == 100_000_000 - 38_000_000 - charged
    package_id = bought.package.package_id
    assert [tuple(r) for r in await lines(env, who)] == [
        (CALL, 6, package_id, 6, 0, 0),
        (CALL, 7, package_id, 4, 0, 0), (CALL, 7, None, 3, MINUTE_PRICE, 3 * MINUTE_PRICE),
        (SMS, 2, None, 2, SMS_CARRIER_PRICE, 2 * SMS_CARRIER_PRICE),
        (SMS, 1, package_id, 1, 0, 0)]
    assert await left(env, who) == {name: [(CALL, None, 0), (SMS, "virtual", 4)]}
    journal = await env.rows("SELECT kind FROM journals WHERE key = :k", k=bought.purchase_key)
    assert [row.kind for row in journal] == ["package"]
    assert await env.rows("SELECT journal_id FROM postings GROUP BY journal_id HAVING SUM(amount_micros) <> 0") == []


async def test_a_package_not_yet_in_force_or_expired_is_not_drawn(env: Env) -> None:
    who = await tenant(env)
    name = await product(env, 1_000_000, Quota(CALL, None, 100), months=1)
    package = (await buy(env, who, name)).package
    start, end = package.effective_from_ms, package.expires_at_ms
    assert end % HOUR_MS == 0 and 28 * 24 * HOUR_MS <= end - start <= 31 * 24 * HOUR_MS

    await usage(env, who, CALL, 2, start - 1000)  # 10:59:59 for a package effective at 11:00
    await settle(env, who, start - HOUR_MS)
    await usage(env, who, CALL, 3, start)  # 11:00:00: in force
    await settle(env, who, start)
    await usage(env, who, CALL, 4, end - 1000)  # its last second
    await usage(env, who, CALL, 5, end)  # lapsed
    await settle(env, who, end)  # one window settles both (records before its end)

    assert [(r.record_units, r.package_id, r.units) for r in await lines(env, who)] == [
        (2, None, 2), (3, package.package_id, 3), (4, package.package_id, 4), (5, None, 5)]
    assert await balance(env, who) == 100_000_000 - 1_000_000 - (2 + 5) * MINUTE_PRICE
    assert await left(env, who) == {name: [(CALL, None, 100 - 3 - 4)]}


async def test_packages_are_drawn_class_restricted_first_then_earliest_expiry(env: Env) -> None:
    who = await tenant(env)
    long_any = await product(env, 0, Quota(CALL, None, 50), months=12)
    short_any = await product(env, 0, Quota(CALL, None, 4), months=1)
    virtual_only = await product(env, 0, Quota(CALL, "virtual", 3), months=12)
    for name in (long_any, short_any, virtual_only):
        start = (await buy(env, who, name)).package.effective_from_ms

    await usage(env, who, CALL, 5, start)  # virtual: 3 from the class-restricted one, then 2 from the short one
    await usage(env, who, CALL, 6, start + MINUTE_MS, carrier=True)  # 2 left in the short one, then the long one
    await settle(env, who, start)

    ids = {bought.product: bought.package.package_id for bought in await env.operator.billing.packages.of_tenant(
        who.name)}
    assert [(r.record_units, r.package_id, r.units) for r in await lines(env, who)] == [
        (5, ids[virtual_only], 3), (5, ids[short_any], 2), (6, ids[short_any], 2), (6, ids[long_any], 4)]
    assert await left(env, who) == {short_any: [(CALL, None, 0)], virtual_only: [(CALL, "virtual", 0)],
                                    long_any: [(CALL, None, 46)]}  # earliest expiry first
    assert await balance(env, who) == 100_000_000  # free products, all usage covered: no journal at all
    assert await env.rows("SELECT key FROM journals WHERE tenant_id = :t AND kind <> 'topup'", t=who.tenant_id) == []


async def test_settling_a_window_again_draws_nothing_more(env: Env) -> None:
    who = await tenant(env)
    name = await product(env, 2_000_000, Quota(CALL, None, 10))
    start = (await buy(env, who, name)).package.effective_from_ms
    await usage(env, who, CALL, 8, start + MINUTE_MS)
    await usage(env, who, SMS, 1, start + MINUTE_MS, carrier=True)
    assert [s.amount_micros for s in await settle(env, who, start)] == [SMS_CARRIER_PRICE]
    before = (await balance(env, who), await left(env, who), await lines(env, who))
    assert before[1] == {name: [(CALL, None, 2)]}

    assert await settle(env, who, start) == []
    await usage(env, who, CALL, 5, start + 2 * MINUTE_MS)  # late: after its window was settled
    assert await settle(env, who, start) == []  # it waits for the next window, whose settlement draws it once
    assert (await balance(env, who), await left(env, who), await lines(env, who)) == before
    assert [s.amount_micros for s in await settle(env, who, start + HOUR_MS)] == [3 * MINUTE_PRICE]
    assert await settle(env, who, start + HOUR_MS) == []
    assert await left(env, who) == {name: [(CALL, None, 0)]}
    assert await balance(env, who) == before[0] - 3 * MINUTE_PRICE
    assert [(r.record_units, r.package_id is None, r.units) for r in await lines(env, who)][-2:] == [
        (5, False, 2), (5, True, 3)]


async def test_one_reference_buys_once(env: Env) -> None:
    who = await tenant(env)
    name = await product(env, 38_000_000, Quota(CALL, None, 500))
    reference = uuid.uuid4().hex
    first = await env.operator.billing.packages.buy(who.name, name, reference)
    again = await env.operator.billing.packages.buy(who.name, name, reference)
    assert (first.new, again.new) == (True, False)
    assert again.bought == first.bought and again.balance_micros == first.balance_micros == 62_000_000
    assert await balance(env, who) == 62_000_000
    assert len(await env.operator.billing.packages.of_tenant(who.name)) == 1
    other = await product(env, 1_000_000, Quota(SMS, None, 10))
    with pytest.raises(OperatorError, match="bought"):
        await env.operator.billing.packages.buy(who.name, other, reference)
    await buy(env, who, name)  # buying again without the reference stacks (H-23)
    assert await left(env, who) == {name: [(CALL, None, 500), (CALL, None, 500)]}
    assert await balance(env, who) == 24_000_000


async def test_a_refused_purchase_writes_nothing(env: Env) -> None:
    who = await tenant(env, top_up=1_000_000)
    name = await product(env, 38_000_000, Quota(CALL, None, 500))
    with pytest.raises(OperatorError, match="balance and credit do not cover the price"):
        await buy(env, who, name, "short")
    async with env.db.transaction() as conn:  # without a number (H-25), even with the money
        await conn.execute(text("UPDATE numbers SET app_id = NULL WHERE app_id = :a"), {"a": who.app_id})
    await env.operator.billing.wallets.top_up(who.name, 100_000_000)
    with pytest.raises(OperatorError, match="at least one assigned number"):
        await buy(env, who, name, "no-number")
    assert await balance(env, who) == 101_000_000
    assert await env.rows("SELECT id FROM packages WHERE tenant_id = :t", t=who.tenant_id) == []
    assert await env.rows("SELECT key FROM journals WHERE tenant_id = :t AND kind = 'package'", t=who.tenant_id) == []
    with pytest.raises(OperatorError, match="no package product"):
        await buy(env, who, "no-such-product")


@pytest.mark.parametrize(("quotas", "refusal"), [
    ((), "at least one quota"),
    ((Quota("number.rent", None, 1),), "meter is one of"),
    ((Quota(CALL, "premium", 1),), "number class is"),
    ((Quota(CALL, None, 0),), "positive number of units"),
    ((Quota(CALL, None, 1), Quota(CALL, None, 2)), "two quotas"),
])
async def test_a_product_the_rules_refuse_is_not_stored(env: Env, quotas: tuple[Quota, ...], refusal: str) -> None:
    name = f"bad-{uuid.uuid4().hex[:8]}"
    with pytest.raises(OperatorError, match=refusal):
        await env.operator.billing.packages.add_product(name, 1_000_000, quotas)
    assert name not in {p.name for p in await env.operator.billing.packages.products()}


async def test_a_product_name_is_used_once(env: Env) -> None:
    name = await product(env, 1_000_000, Quota(CALL, None, 10))
    with pytest.raises(OperatorError, match="exists already"):
        await env.operator.billing.packages.add_product(name, 2_000_000, [Quota(CALL, None, 20)])
    assert [p.price_micros for p in await env.operator.billing.packages.products() if p.name == name] == [1_000_000]


async def test_the_database_refuses_a_draw_beyond_what_is_left(env: Env) -> None:
    who = await tenant(env)
    package = (await buy(env, who, await product(env, 0, Quota(CALL, None, 3)))).package
    with pytest.raises(QuotaOverdrawn):
        await SqlBillingUnit(env.db).run(lambda tx: tx.draw([Draw(package.package_id, CALL, None, 2),
                                                             Draw(package.package_id, CALL, None, 2)]))
    await SqlBillingUnit(env.db).run(lambda tx: tx.draw([Draw(package.package_id, CALL, None, 3)]))
    assert [b.remaining for p in await env.operator.billing.packages.of_tenant(who.name)
            for b in p.package.balances] == [0]



async def test_a_tenant_in_arrears_or_in_another_currency_buys_nothing(env: Env) -> None:
    who = await tenant(env)
    in_usd = f"usd-{uuid.uuid4().hex[:8]}"
    await env.operator.billing.packages.add_product(in_usd, 1_000_000, [Quota(CALL, None, 10)], currency="usd")
    with pytest.raises(OperatorError, match="sold in USD, the account is in CNY"):
        await buy(env, who, in_usd)
    name = await product(env, 1_000_000, Quota(CALL, None, 10))
    async with env.db.transaction() as conn:
        await conn.execute(text("UPDATE billing_accounts SET standing = 'arrears' WHERE tenant_id = :t"),
                           {"t": who.tenant_id})
    with pytest.raises(OperatorError, match="is in arrears"):
        await buy(env, who, name)
    assert await env.rows("SELECT id FROM packages WHERE tenant_id = :t", t=who.tenant_id) == []
    assert await balance(env, who) == 100_000_000


async def test_a_plan_that_truncates_to_cents_cuts_each_settlement_and_books_the_cut_as_rounding(env: Env) -> None:
    """R-18 (Huawei's 抹零): rated 3 × 0.013 = 0.039, charged 0.03; revenue still gets 0.039, rounding 0.009."""
    who = await tenant(env)
    plan = f"cents-{who.name}"
    await env.operator.billing.accounts.add_huawei_plan(plan, 13_000, truncate_to_cents=True)
    await env.operator.billing.accounts.open(who.name, plan)
    before = await balance(env, who)
    start = (await env.rows("SELECT MAX(created_at_ms) FROM billing_accounts"))[0][0] // HOUR_MS * HOUR_MS
    await usage(env, who, CALL, 3, start + MINUTE_MS)
    [settled] = await settle(env, who, start)
    assert settled.amount_micros == 30_000
    assert await balance(env, who) == before - 30_000
    postings = await env.rows("SELECT p.ledger_account, p.amount_micros FROM postings p JOIN journals j "
                              "ON j.id = p.journal_id WHERE j.key = :k ORDER BY p.ledger_account", k=settled.key)
    assert [tuple(p) for p in postings] == [("revenue:usage", -39_000), ("rounding", 9_000),
                                            (f"wallet:{who.tenant_id}", 30_000)]
