"""Rent at assignment (billing.md R-19, R-24) over the management API and the CLI, on a real server and database:
issuing an order to a billed tenant's app charges the current month's full rent of each number at once, once (the
monthly rent job does not charge it again for that month, the next month's does); a tenant whose balance and credit
limit do not cover the rent is refused and nothing is written; a tenant in arrears can neither order nor be issued
numbers ("top up first"); and a hand-made rent run for a month still charges a number released during it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from enterprise_kit import TenantApp, tenant_app
from mgmt import MgmtClient, Tenant, unique
from number_setup import approve, fresh_area_code, import_stock, order, sql
from servers import Server, new_numbers

SHANGHAI = ZoneInfo("Asia/Shanghai")  # the servers' billing time zone (the default)
VIRTUAL_RENT = 5_000_000  # the Huawei-priced plan of `privnum billing plan`: 5 a month for a virtual number
CARRIER_RENT = 15_000_000


def this_month() -> str:
    return f"{datetime.now(SHANGHAI):%Y-%m}"


def next_month(month: str) -> str:
    year, number = (int(part) for part in month.split("-"))
    return f"{year + 1:04d}-01" if number == 12 else f"{year:04d}-{number + 1:02d}"


def month_start_ms(month: str) -> int:
    year, number = (int(part) for part in month.split("-"))
    return int(datetime(year, number, 1, tzinfo=SHANGHAI).timestamp()) * 1000


@dataclass
class Billed:
    tenant: Tenant
    app: TenantApp


def open_billing(server: Server, tenant: Tenant, opening: str) -> None:
    """A billing account for the tenant on a new Huawei-priced plan, topped up ``opening``."""
    plan = unique("assign-plan-")
    server.cli("billing", "plan", plan, "--minute-price", "0.1")
    server.cli("billing", "open", tenant.name, "--plan", plan)
    server.cli("billing", "topup", tenant.name, opening)


def billed(server: Server, operator: MgmtClient, tenant: Tenant, opening: str) -> Billed:
    """The tenant with an app of its own and a billing account topped up ``opening``."""
    app = tenant_app(tenant.admin, operator)
    open_billing(server, tenant, opening)
    return Billed(tenant, app)


def balance(server: Server, tenant: Tenant) -> int:
    return int(sql(server, "SELECT balance_micros FROM billing_accounts WHERE tenant_id = :t", t=tenant.id)[0][0])


def journals(server: Server, tenant: Tenant, kind: str = "rent") -> dict[str, int]:
    """The tenant's journals of ``kind``: key → what they took from the wallet."""
    rows = sql(server, "SELECT j.key, SUM(p.amount_micros) FROM journals j JOIN postings p ON p.journal_id = j.id "
               "WHERE j.tenant_id = :t AND j.kind = :k AND p.ledger_account = :w GROUP BY j.key",
               t=tenant.id, k=kind, w=f"wallet:{tenant.id}")
    return {key: int(amount) for key, amount in rows}


def rent_records(server: Server, tenant: Tenant) -> list[tuple]:
    return sql(server, "SELECT key, x_number, number_class, settlement_key FROM usage_records WHERE tenant_id = :t "
               "AND source = 'rent' ORDER BY key", t=tenant.id)


def approved_order(operator: MgmtClient, tenant: Tenant, app: TenantApp, count: int,
                   number_type: str = "virtual") -> tuple[int, list[str]]:
    """An approved order of ``count`` numbers in a fresh city code, with just enough stock; its id and the stock."""
    area = fresh_area_code()
    stock = import_stock(operator, count, area, number_type)
    placed = order(tenant.admin, app, [{"area_code": area, "number_type": number_type, "quantity": count}])
    approve(operator, placed["id"])
    return placed["id"], stock


def in_stock(server: Server, numbers: list[str]) -> bool:
    rows = sql(server, "SELECT number FROM numbers WHERE app_id IS NULL AND number IN ("
               + ", ".join(f"'{n}'" for n in numbers) + ")")
    return len(rows) == len(numbers)


def test_issuing_charges_the_months_rent_once_and_the_rent_job_charges_the_next_month(
        mgmt_server, operator, new_tenant):
    tenant = new_tenant()
    got = billed(mgmt_server, operator, tenant, "100")
    order_id, stock = approved_order(operator, tenant, got.app, 2)
    month = this_month()

    issued = operator.ok("POST", f"/admin/number-orders/{order_id}/issue")
    assert issued["state"] == "completed"
    assert balance(mgmt_server, tenant) == 100_000_000 - 2 * VIRTUAL_RENT
    assert journals(mgmt_server, tenant) == {f"rent:{tenant.id}:{month}:{n}": VIRTUAL_RENT for n in stock}
    assert rent_records(mgmt_server, tenant) == [(f"{n}:{month}", n, "virtual", f"rent:{tenant.id}:{month}:{n}")
                                                 for n in sorted(stock)]

    # a number given back this month still owes this month (rent_through ≥ month): the hand-made run for this
    # month finds it, and the usage record of its assignment keeps it from being charged twice
    kept, given_back = sorted(stock)
    released = tenant.admin.ok("POST", f"/numbers/{given_back}/release")
    assert released["rent_through"] >= month
    out = mgmt_server.cli("billing", "rent", "--month", month).stdout
    assert f"rent:{tenant.id}:{month}" not in out
    assert balance(mgmt_server, tenant) == 100_000_000 - 2 * VIRTUAL_RENT
    assert len(rent_records(mgmt_server, tenant)) == 2

    # next month: the number kept pays, and the one given back pays only if it was given back after the 25th
    following = next_month(month)
    owed = [kept] + ([given_back] if released["rent_through"] >= following else [])
    out = mgmt_server.cli("billing", "rent", "--month", following).stdout
    assert f"rent:{tenant.id}:{following}" in out
    assert balance(mgmt_server, tenant) == 100_000_000 - (2 + len(owed)) * VIRTUAL_RENT
    assert journals(mgmt_server, tenant)[f"rent:{tenant.id}:{following}"] == len(owed) * VIRTUAL_RENT
    mgmt_server.cli("billing", "rent", "--month", following)
    assert balance(mgmt_server, tenant) == 100_000_000 - (2 + len(owed)) * VIRTUAL_RENT


def test_an_issue_the_balance_and_credit_limit_do_not_cover_is_refused_and_writes_nothing(
        mgmt_server, operator, new_tenant):
    tenant = new_tenant()
    got = billed(mgmt_server, operator, tenant, "7")
    order_id, stock = approved_order(operator, tenant, got.app, 2)  # rent 10

    refused = operator.post(f"/admin/number-orders/{order_id}/issue")
    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "insufficient_funds"
    assert "top up first" in refused.json()["message"] and "10 CNY" in refused.json()["message"]
    assert operator.ok("GET", f"/number-orders/{order_id}")["state"] == "processing"
    assert in_stock(mgmt_server, stock)
    assert balance(mgmt_server, tenant) == 7_000_000
    assert journals(mgmt_server, tenant) == {} and rent_records(mgmt_server, tenant) == []

    # a credit limit counts: 7 + 3 covers 10, and the balance may then go to −3 without arrears
    operator.ok("PUT", f"/billing/accounts/{tenant.id}/credit-limit", json={"credit_limit": "3"})
    assert operator.ok("POST", f"/admin/number-orders/{order_id}/issue")["state"] == "completed"
    assert balance(mgmt_server, tenant) == -3_000_000
    assert sql(mgmt_server, "SELECT standing FROM billing_accounts WHERE tenant_id = :t", t=tenant.id)[0][0] \
        == "active"


def test_a_tenant_in_arrears_neither_orders_nor_gets_numbers_until_it_tops_up(mgmt_server, operator, new_tenant):
    tenant = new_tenant()
    got = billed(mgmt_server, operator, tenant, "100")
    order_id, stock = approved_order(operator, tenant, got.app, 1)
    mgmt_server.cli("billing", "adjust", "--reason", "a debt", "--", tenant.name, "-101")
    assert sql(mgmt_server, "SELECT standing FROM billing_accounts WHERE tenant_id = :t", t=tenant.id)[0][0] \
        == "arrears"

    area = fresh_area_code()
    import_stock(operator, 1, area)
    body = {"enterprise_id": got.app.enterprise_id, "app_id": got.app.app_id,
            "lines": [{"area_code": area, "number_type": "virtual", "quantity": 1}]}
    placed = tenant.admin.post("/number-orders", json=body)
    assert placed.status_code == 409, placed.text
    assert placed.json()["code"] == "in_arrears" and "top up first" in placed.json()["message"]
    issued = operator.post(f"/admin/number-orders/{order_id}/issue")  # approved before the debt
    assert issued.status_code == 409 and issued.json()["code"] == "in_arrears", issued.text
    assert in_stock(mgmt_server, stock) and journals(mgmt_server, tenant) == {}
    orders = tenant.admin.ok("GET", "/number-orders")["items"]
    assert [o["id"] for o in orders] == [order_id]

    mgmt_server.cli("billing", "topup", tenant.name, "11")
    assert tenant.admin.post("/number-orders", json=body).status_code == 201
    assert operator.ok("POST", f"/admin/number-orders/{order_id}/issue")["state"] == "completed"
    assert balance(mgmt_server, tenant) == 10_000_000 - VIRTUAL_RENT


def test_numbers_added_from_the_cli_pay_by_their_class_or_are_refused(mgmt_server, operator, new_tenant):
    tenant = new_tenant()
    got = billed(mgmt_server, operator, tenant, "20")
    virtual, carrier = new_numbers(1), new_numbers(1, "+86138")
    mgmt_server.cli("numbers", "add", *virtual, *carrier, "--app", got.app.app_key, "--area-code", "0755")
    assert balance(mgmt_server, tenant) == 20_000_000 - VIRTUAL_RENT - CARRIER_RENT
    assert [(r[1], r[2]) for r in rent_records(mgmt_server, tenant)] == sorted(
        [(virtual[0], "virtual"), (carrier[0], "carrier")])

    more = new_numbers(1, "+86138")
    refused = mgmt_server.cli("numbers", "add", *more, "--app", got.app.app_key, "--area-code", "0755", check=False)
    assert refused.returncode != 0
    assert "top up first" in refused.stdout + refused.stderr
    assert sql(mgmt_server, "SELECT number FROM numbers WHERE number = :n", n=more[0]) == []
    assert balance(mgmt_server, tenant) == 20_000_000 - VIRTUAL_RENT - CARRIER_RENT


def test_a_rent_run_made_by_hand_charges_a_number_released_during_its_month(mgmt_server, operator, new_tenant):
    tenant = new_tenant()
    app = tenant_app(tenant.admin, operator)
    number = new_numbers(1)[0]
    mgmt_server.cli("numbers", "add", number, "--app", app.app_key, "--area-code", "0755")  # unbilled: free
    open_billing(mgmt_server, tenant, "50")
    month = this_month()
    held_since = month_start_ms(month) - 86_400_000  # held since the month before: this month is owed
    sql(mgmt_server, "UPDATE numbers SET created_at_ms = :at WHERE number = :n", at=held_since, n=number)

    released = tenant.admin.ok("POST", f"/numbers/{number}/release")  # during the month, before its rent run
    assert released["released_at_ms"] >= month_start_ms(month)
    out = mgmt_server.cli("billing", "rent", "--month", month).stdout
    assert f"rent:{tenant.id}:{month}" in out
    assert balance(mgmt_server, tenant) == 50_000_000 - VIRTUAL_RENT
    assert [r[0] for r in rent_records(mgmt_server, tenant)] == [f"{number}:{month}"]
    mgmt_server.cli("billing", "rent", "--month", month)
    assert balance(mgmt_server, tenant) == 50_000_000 - VIRTUAL_RENT


def test_a_number_given_back_and_issued_to_another_app_of_the_tenant_pays_its_month_once(
        mgmt_server, operator, new_tenant):
    tenant = new_tenant()
    got = billed(mgmt_server, operator, tenant, "100")
    second = tenant_app(tenant.admin, operator)
    order_id, (number,) = approved_order(operator, tenant, got.app, 1)
    operator.ok("POST", f"/admin/number-orders/{order_id}/issue")
    tenant.admin.ok("POST", f"/numbers/{number}/release")
    area = sql(mgmt_server, "SELECT area_code FROM numbers WHERE number = :n", n=number)[0][0]

    again = order(tenant.admin, second, [{"area_code": area, "number_type": "virtual", "quantity": 1}])
    approve(operator, again["id"])
    operator.ok("POST", f"/admin/number-orders/{again['id']}/issue")
    assert sql(mgmt_server, "SELECT app_id FROM numbers WHERE number = :n", n=number)[0][0] == second.app_id
    month = this_month()
    assert journals(mgmt_server, tenant) == {f"rent:{tenant.id}:{month}:{number}": VIRTUAL_RENT}
    assert balance(mgmt_server, tenant) == 100_000_000 - VIRTUAL_RENT

    following = next_month(month)
    mgmt_server.cli("billing", "rent", "--month", following)  # held by the second app now: one month's rent
    assert journals(mgmt_server, tenant)[f"rent:{tenant.id}:{following}"] == VIRTUAL_RENT
    assert balance(mgmt_server, tenant) == 100_000_000 - 2 * VIRTUAL_RENT
