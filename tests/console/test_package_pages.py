"""Packages in the console, in Chromium: a tenant's account admin, whose app holds a number and whose wallet an
operator topped up, opens 财务 (Billing), buys a package from the form and sees its card — the product, not yet in
force, every quota full with its bar — and the balance lower by the price; a second purchase the wallet cannot pay
is refused above the form and buys nothing. Self-contained: its own tenant, app, plan and product."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.async_api import Page, expect

from browser import Account, screenshot, sign_in
from enterprise_kit import tenant_app
from mgmt import ADMIN_LOGIN, ADMIN_PASSWORD, TENANT_PASSWORD, MgmtClient, unique
from servers import Server, new_numbers


@dataclass
class Buyer:
    tenant_id: int
    admin: Account
    product: str


@pytest.fixture(scope="module")
def buyer(console_server: Server) -> Iterator[Buyer]:
    operator = MgmtClient(console_server.base)
    assert operator.login(ADMIN_LOGIN, ADMIN_PASSWORD).status_code == 200
    login = unique("buyer-")
    created = operator.ok("POST", "/admin/tenants", json={"name": unique("套餐租户"), "admin_login": login,
                                                          "admin_password": TENANT_PASSWORD})
    tenant_id, name = created["tenant"]["id"], created["tenant"]["name"]
    admin = MgmtClient(console_server.base)
    assert admin.login(login, TENANT_PASSWORD).status_code == 200
    app = tenant_app(admin, operator, "AXB")
    console_server.add_numbers(app.app_key, "0755", new_numbers(1))
    plan = f"pkg-console-{uuid.uuid4().hex[:8]}"
    console_server.cli("billing", "plan", plan, "--minute-price", "0.1")
    console_server.cli("billing", "open", name, "--plan", plan)
    operator.ok("POST", f"/billing/accounts/{tenant_id}/topups", json={"amount": "50"})
    product = f"500分钟+50短信 {uuid.uuid4().hex[:4]}"
    operator.ok("POST", "/billing/products", json={"name": product, "price": "38", "quotas": [
        {"meter": "call.forwarded", "units": 500}, {"meter": "sms.forwarded", "number_class": "virtual", "units": 50}]})
    yield Buyer(tenant_id, Account(login, TENANT_PASSWORD), product)
    admin.close()
    operator.close()


async def test_a_tenant_admin_buys_a_package_and_sees_its_card(page: Page, buyer: Buyer) -> None:
    await sign_in(page, buyer.admin)
    await page.goto("/console?lang=zh_CN")
    await page.get_by_test_id("nav-billing").click()
    await expect(page).to_have_url(re.compile(rf"/console/billing/{buyer.tenant_id}$"))
    await expect(page.get_by_test_id("balance")).to_have_text("50 CNY")
    await expect(page.get_by_test_id("no-packages")).to_have_text("尚未购买套餐。")

    await page.get_by_test_id("buy-product").select_option(buyer.product)
    await page.get_by_test_id("buy-submit").click()
    await expect(page.get_by_test_id("notices")).to_contain_text("套餐已购买。")
    await expect(page.get_by_test_id("balance")).to_have_text("12 CNY")
    card = page.get_by_test_id("package")
    await expect(card).to_have_count(1)
    await expect(card.get_by_test_id("package-product")).to_have_text(buyer.product)
    await expect(card.get_by_test_id("package-state")).to_have_text("未生效")
    await expect(card.get_by_test_id("quota-left")).to_have_text(["剩余 500 / 共 500", "剩余 50 / 共 50"])
    await expect(card.get_by_test_id("quota").nth(1)).to_contain_text("虚商号码")
    bars = card.get_by_test_id("quota-bar")
    assert [await bars.nth(i).get_attribute("value") for i in range(2)] == ["500", "50"]
    assert await bars.first.get_attribute("max") == "500"
    await expect(page.get_by_test_id("table-journals")).to_contain_text("套餐")
    await screenshot(page, "billing-packages-zh_CN")

    await page.get_by_test_id("buy-product").select_option(buyer.product)  # 38 more: the wallet holds 12
    await page.get_by_test_id("buy-submit").click()
    await expect(page.get_by_test_id("buy-alert")).to_have_text("余额和信用额度不足以支付此套餐，请先充值。")
    await expect(page.get_by_test_id("balance")).to_have_text("12 CNY")
    await expect(page.get_by_test_id("package")).to_have_count(1)

    await page.goto(f"/console/billing/{buyer.tenant_id}?lang=en")
    await expect(page.get_by_test_id("packages-card")).to_contain_text("Not yet in force")
    await expect(page.get_by_test_id("quota-left").first).to_have_text("500 of 500 left")
