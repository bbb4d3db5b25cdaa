"""Billing in the console, in Chromium: an operator finds a tenant's account under 财务 (Billing), tops it up and
adjusts it through the forms and sees the balance and the month's statement change; the tenant's account admin
sees its own statement (the equation, the journals, the CSV link) and another tenant's account is a 404 page."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.async_api import Page, expect

from browser import Account, screenshot, sign_in
from mgmt import ADMIN_LOGIN, ADMIN_PASSWORD, TENANT_PASSWORD, MgmtClient, unique
from servers import Server


@dataclass
class BilledTenant:
    id: int
    name: str
    admin: Account


def billed_tenant(server: Server, operator: MgmtClient, plan: str) -> BilledTenant:
    login = unique("admin-")
    created = operator.ok("POST", "/admin/tenants", json={"name": unique("计费租户"), "admin_login": login,
                                                          "admin_password": TENANT_PASSWORD})
    name = created["tenant"]["name"]
    server.cli("billing", "open", name, "--plan", plan)
    return BilledTenant(created["tenant"]["id"], name, Account(login, TENANT_PASSWORD))


@pytest.fixture(scope="module")
def desk(console_server: Server) -> Iterator[tuple[MgmtClient, str]]:
    """An operator's API client and a price plan to open accounts on."""
    operator = MgmtClient(console_server.base)
    assert operator.login(ADMIN_LOGIN, ADMIN_PASSWORD).status_code == 200
    plan = f"console-{uuid.uuid4().hex[:8]}"
    console_server.cli("billing", "plan", plan, "--minute-price", "0.1")
    yield operator, plan
    operator.close()


@pytest.fixture(scope="module")
def tenants(console_server: Server, desk: tuple[MgmtClient, str]) -> tuple[BilledTenant, BilledTenant]:
    operator, plan = desk
    return billed_tenant(console_server, operator, plan), billed_tenant(console_server, operator, plan)


async def test_operator_tops_up_and_adjusts_through_the_forms(
        page: Page, console_operator: Account, tenants: tuple[BilledTenant, BilledTenant]) -> None:
    tenant, _other = tenants
    await sign_in(page, console_operator)
    await page.goto("/console?lang=zh_CN")
    await page.get_by_test_id("nav-billing").click()
    await expect(page.get_by_test_id("page-title")).to_have_text("财务")
    await page.get_by_test_id("account-link").filter(has_text=tenant.name).click()
    await expect(page.get_by_test_id("balance")).to_have_text("0 CNY")

    await page.get_by_test_id("topup-amount").fill("100")
    await page.get_by_test_id("topup-note").fill("银行转账 42")
    await page.get_by_test_id("topup-submit").click()
    await expect(page.get_by_test_id("notices")).to_contain_text("充值已入账。")
    await expect(page.get_by_test_id("balance")).to_have_text("100 CNY")
    await expect(page.get_by_test_id("topups")).to_have_text("+ 100")

    await page.get_by_test_id("adjust-amount").fill("-2.5")
    await page.get_by_test_id("adjust-submit").click()  # no reason: refused next to the field
    await expect(page.get_by_test_id("error-reason")).to_be_visible()
    await expect(page.get_by_test_id("balance")).to_have_text("100 CNY")
    await page.get_by_test_id("adjust-reason").fill("重复话单退款")
    await page.get_by_test_id("adjust-submit").click()
    await expect(page.get_by_test_id("notices")).to_contain_text("调账已入账。")
    await expect(page.get_by_test_id("balance")).to_have_text("97.5 CNY")
    await expect(page.get_by_test_id("statement-equation")).to_have_text("0 + 100 − 0 − 2.5 = 97.5 CNY")
    await screenshot(page, "billing-account-zh_CN")


async def test_tenant_sees_its_own_statement_and_not_another_tenants(
        page: Page, console_server: Server, desk: tuple[MgmtClient, str],
        tenants: tuple[BilledTenant, BilledTenant]) -> None:
    operator, plan = desk
    _, other = tenants
    tenant = billed_tenant(console_server, operator, plan)  # its own money, whichever test ran first
    console_server.cli("billing", "topup", tenant.name, "100", "--note", "银行转账 42")
    console_server.cli("billing", "adjust", tenant.name, "-2.5", "--reason", "重复话单退款")
    await sign_in(page, tenant.admin)
    await page.goto("/console/billing?lang=en")
    await expect(page).to_have_url(re.compile(rf"/console/billing/{tenant.id}$"))
    await expect(page.get_by_test_id("closing")).to_have_text("97.5 CNY")
    await expect(page.get_by_test_id("journal-amount")).to_have_text(["100", "-2.5"])
    await expect(page.get_by_test_id("table-journals")).to_contain_text("重复话单退款")
    await expect(page.get_by_test_id("topup-form")).to_have_count(0)
    assert await page.get_by_test_id("export-csv").get_attribute("href") == (
        f"/mgmt/v1/billing/accounts/{tenant.id}/lines.csv?month=" + (await page.get_by_test_id(
            "field-month").input_value()))
    await page.get_by_test_id("tab-usage").click()
    await expect(page.get_by_test_id("empty-usage")).to_be_visible()

    answer = await page.goto(f"/console/billing/{other.id}")
    assert answer is not None and answer.status == 404
    answer = await page.goto(f"/console/billing/{other.id}/usage")
    assert answer is not None and answer.status == 404
