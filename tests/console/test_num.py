"""The numbers area in the console: a tenant orders two numbers in its own city with the form (a line added by htmx),
an operator approves (API) and issues in the console, the tenant sees them on the Numbers page; the order form
says what is wrong next to the line; the inventory import lists refused lines."""

from __future__ import annotations

import re
from urllib.parse import quote

import httpx
from playwright.async_api import Page, expect

from browser import Account, screenshot, sign_in, tenant_app_of
from mgmt import MgmtClient
from number_setup import approve, fresh_area_code, import_stock, issued_order, stock_csv
from servers import Server, new_numbers, new_users


def _signed_in(console_url: str, account: Account) -> MgmtClient:
    client = MgmtClient(console_url)
    assert client.login(account.login, account.password).status_code == 200
    return client



async def test_tenant_orders_operator_issues_tenant_sees_the_numbers(
        page: Page, console_server: Server, console_url: str, console_tenant_admin: Account,
        console_operator: Account) -> None:
    app = tenant_app_of(console_url, console_tenant_admin, console_operator)
    operator = _signed_in(console_url, console_operator)
    area = fresh_area_code()  # stock no other test of this server orders from
    stock = import_stock(operator, 3, area, "virtual", "深圳")

    await sign_in(page, console_tenant_admin)
    await page.get_by_test_id("nav-orders").click()
    await expect(page.get_by_test_id("page-title")).to_have_text("号码订购")
    await page.get_by_test_id("new-order").click()
    await page.get_by_test_id("field-app").select_option(str(app.app_id))
    await page.get_by_test_id("add-line").click()  # htmx adds a second line
    await expect(page.get_by_test_id("order-line")).to_have_count(2)
    first = page.get_by_test_id("order-line").nth(0)
    await first.get_by_test_id("line-area-code").fill(area)
    await first.get_by_test_id("line-quantity").fill("2")
    await screenshot(page, "number-order-new-zh_CN")
    await page.get_by_test_id("order-submit").click()  # the empty second line is left out
    await expect(page.get_by_test_id("notices")).to_have_text("订单已提交审核。")
    await expect(page.get_by_test_id("order-state")).to_have_text("待审核")
    order_id = int(re.search(r"/console/orders/(\d+)", page.url).group(1))

    approve(operator, order_id)
    operator.close()
    await page.get_by_test_id("sign-out").click()
    await sign_in(page, console_operator)
    await page.get_by_test_id("nav-admin_orders").click()
    await page.get_by_test_id(f"order-link-{order_id}").click()
    await expect(page.get_by_test_id("order-state")).to_have_text("处理中")
    await page.get_by_test_id("issue-order").click()
    await expect(page.get_by_test_id("order-state")).to_have_text("完成")
    await expect(page.get_by_test_id("notices")).to_have_text("号码已发放。")

    await page.get_by_test_id("sign-out").click()
    await sign_in(page, console_tenant_admin)
    await page.get_by_test_id("nav-numbers").click()
    await page.get_by_test_id("filter-area").fill(area)
    await page.get_by_test_id("filter-submit").click()  # the table is swapped by htmx, the URL follows
    await expect(page).to_have_url(re.compile(f"area_code={area}"))
    for number in sorted(stock)[:2]:
        await expect(page.get_by_test_id(f"number-{number}")).to_be_visible()
    await expect(page.get_by_test_id("table-number-table").locator("tbody tr")).to_have_count(2)
    await screenshot(page, "numbers-zh_CN")
    csv_url = await page.get_by_test_id("export-csv").get_attribute("href")
    exported = await page.request.get(csv_url)
    assert exported.status == 200 and sorted(stock)[0] in await exported.text()


async def test_order_form_says_what_is_wrong_next_to_the_line(
        page: Page, console_url: str, console_tenant_admin: Account, console_operator: Account) -> None:
    app = tenant_app_of(console_url, console_tenant_admin, console_operator)
    await sign_in(page, console_tenant_admin, "/console/login?next=%2Fconsole%2Forders%2Fnew&lang=en")
    await page.get_by_test_id("field-app").select_option(str(app.app_id))
    line = page.get_by_test_id("order-line").nth(0)
    await line.get_by_test_id("line-area-code").fill("0755")
    await line.get_by_test_id("line-quantity").fill("5000")
    await page.get_by_test_id("order-submit").click()
    await expect(page.get_by_test_id("error-line-0")).to_have_text("A quantity is 1 to 1000.")
    await expect(line.get_by_test_id("line-area-code")).to_have_value("0755")  # what was typed stays


def test_inventory_import_lists_the_refused_lines(console_url: str, console_operator: Account) -> None:
    with httpx.Client(base_url=console_url, timeout=30) as http:
        signed = http.post("/mgmt/v1/session", json={"login": console_operator.login,
                                                     "password": console_operator.password})
        csrf = signed.json()["csrf_token"]
        good = new_numbers(1)
        text = stock_csv(good, "0756") + "not-a-number,0756,珠海,virtual\n"
        refused = http.post("/console/admin/inventory?lang=en", data={"_csrf": csrf},
                            files={"file": ("stock.csv", text, "text/csv")})
        assert refused.status_code == 422
        assert "Line 3" in refused.text and "not a mobile-format number" in refused.text
        assert "0756" not in http.get("/mgmt/v1/admin/inventory").text  # nothing imported
        done = http.post("/console/admin/inventory", data={"_csrf": csrf},
                         files={"file": ("stock.csv", stock_csv(good, "0756", city="珠海"), "text/csv")},
                         follow_redirects=True)
        assert done.status_code == 200 and "The numbers were imported into stock." in done.text and "珠海" in done.text


def test_release_from_the_numbers_page_refuses_a_bound_number_then_releases(
        console_server: Server, console_url: str, console_tenant_admin: Account, console_operator: Account) -> None:
    app = tenant_app_of(console_url, console_tenant_admin, console_operator)
    operator = _signed_in(console_url, console_operator)
    tenant = _signed_in(console_url, console_tenant_admin)
    try:
        done = issued_order(operator, tenant, app, "0757", 1)
        [x] = [n["number"] for n in tenant.ok("GET", f"/numbers?app_id={app.app_id}")["items"]]
        assert done["state"] == "completed"
        client = console_server.client(app.app_key, app.app_secret)
        a, b = new_users(2)
        bound = client.axb_bind(relationNum=x, callerNum=a, calleeNum=b)
        with httpx.Client(base_url=console_url, timeout=30, headers={"HX-Request": "true"}) as http:
            csrf = http.post("/mgmt/v1/session", json={"login": console_tenant_admin.login,
                                                       "password": console_tenant_admin.password}).json()["csrf_token"]
            path = f"/console/numbers/{quote(x)}/release?lang=en"
            refused = http.post(path, data={"_csrf": csrf})
            assert refused.status_code == 200 and 'data-testid="number-alert"' in refused.text
            assert "unbind them first" in refused.text
            assert client.axb_unbind(subscriptionId=bound.body["subscriptionId"]).ok
            released = http.post(path, data={"_csrf": csrf})
            assert released.status_code == 200 and f"{x} was released and is back in stock." in released.text
            assert 'id="numbers"' in released.text and "<html" not in released.text  # the table only, for htmx
        assert tenant.ok("GET", f"/numbers?app_id={app.app_id}")["total"] == 0
    finally:
        operator.close()
        tenant.close()
