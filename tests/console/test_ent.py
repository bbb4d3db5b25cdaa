"""Enterprises and apps in the console, in Chromium: a tenant adds an enterprise, uploads its materials and
submits it; an operator approves it in the review queue; the tenant creates an app and sees its secret once."""

from __future__ import annotations

import httpx
from playwright.async_api import Page, expect

from browser import Account, csrf_of, new_tenant_admin, screenshot, sign_in
from enterprise_kit import PNG, REQUIRED, credit_code, in_days, profile
from mgmt import MgmtClient, unique


async def sign_out(page: Page) -> None:
    await page.get_by_test_id("sign-out").click()
    await expect(page.get_by_test_id("login-heading")).to_be_visible()


async def test_enterprise_review_then_an_app_whose_secret_shows_once(page: Page, console_url: str,
                                                                     console_operator: Account) -> None:
    tenant = new_tenant_admin(console_url, console_operator, "快递科技")
    await sign_in(page, tenant, "/console/login?next=%2Fconsole%2Fenterprises")
    await expect(page.get_by_test_id("empty-enterprises")).to_be_visible()
    await page.get_by_test_id("empty-action").click()

    await page.get_by_test_id("enterprise-save").click()  # empty: the errors stand next to their fields
    await expect(page.get_by_test_id("error-auth_letter_valid_until")).to_be_visible()
    name = unique("深圳快递科技有限公司")
    fields = {"name": name, "credit_code": credit_code()[:17] + "0", "industry": "物流",
              "carrier_name": "快递App", "legal_name": "张三", "handler_name": "李四", "handler_phone": "13800138000",
              "scenario_call": "快递员联系收件人", "call_script": "快递员：您好，您的快递到了。"}
    for field, value in fields.items():
        await page.get_by_test_id(f"field-{field}").fill(value)
    await page.get_by_test_id("field-auth_letter_valid_until").fill(in_days(365))
    await page.get_by_test_id("enterprise-save").click()
    if await page.get_by_test_id("error-credit_code").count():  # the check digit guessed "0" wrong: fix it
        await expect(page.get_by_test_id("error-credit_code")).to_be_visible()
        await page.get_by_test_id("field-credit_code").fill(credit_code())
        await page.get_by_test_id("enterprise-save").click()
    await expect(page.get_by_test_id("page-title")).to_have_text(name)
    await expect(page.get_by_test_id("review-status")).to_contain_text("尚未提交")

    for kind in REQUIRED:
        await page.get_by_test_id("upload-kind").select_option(kind)
        await page.get_by_test_id("upload-file").set_input_files(
            {"name": f"{kind}.png", "mimeType": "image/png", "buffer": PNG})
        await page.get_by_test_id("upload-submit").click()
        await expect(page.get_by_test_id(f"material-{kind}")).to_contain_text(f"{kind}.png")
    await page.get_by_test_id("upload-kind").select_option("licence")
    await page.get_by_test_id("upload-file").set_input_files(
        {"name": "fake.png", "mimeType": "image/png", "buffer": b"not an image"})
    await page.get_by_test_id("upload-submit").click()
    await expect(page.get_by_test_id("error-file")).to_be_visible()
    await page.get_by_test_id("enterprise-submit").click()
    await expect(page.get_by_test_id("notices")).to_have_text("已提交审核。")
    await expect(page.get_by_test_id("enterprise-nudge")).to_be_visible()
    await screenshot(page, "enterprise-pending-zh_CN")
    await sign_out(page)

    await sign_in(page, console_operator, "/console/login?next=%2Fconsole%2Fadmin%2Freviews")
    row = page.locator("tr", has=page.get_by_test_id("review-label").filter(has_text=name))
    await expect(row).to_have_count(1)
    await screenshot(page, "review-queue-zh_CN")
    await row.get_by_test_id("review-approve").click()
    await expect(row.locator("[data-status]")).to_have_attribute("data-status", "approved")
    await sign_out(page)

    await sign_in(page, tenant, "/console/login?next=%2Fconsole%2Fapps%2Fnew")
    await page.get_by_test_id("field-name").fill("快递_通知")
    await page.get_by_test_id("field-ip_allowlist").fill("10.0.0.300")
    await page.get_by_test_id("app-save").click()
    await expect(page.get_by_test_id("error-ip_allowlist")).to_be_visible()
    await page.get_by_test_id("field-ip_allowlist").fill("")
    await expect(page.locator("label[for=field-sms_control_url]")).to_have_text("短信控制地址")
    await page.get_by_test_id("field-sms_control_url").fill("ftp://block.example.com/sms")
    await page.get_by_test_id("field-sms_content").check()
    await page.get_by_test_id("app-save").click()
    await expect(page.get_by_test_id("error-sms_control_url")).to_be_visible()
    await expect(page.get_by_test_id("field-sms_content")).to_be_checked()  # kept through the refusal
    await page.get_by_test_id("field-sms_control_url").fill("https://block.example.com/sms")
    await page.get_by_test_id("app-save").click()
    secret = await page.get_by_test_id("secret-value").inner_text()
    assert len(secret) >= 24
    await screenshot(page, "app-secret-once-zh_CN")
    await page.get_by_test_id("secret-done").click()
    await expect(page.get_by_test_id("app-secret-hidden")).to_be_visible()
    await expect(page.get_by_test_id("field-sms_control_url")).to_have_value("https://block.example.com/sms")
    await expect(page.get_by_test_id("field-sms_content")).to_be_checked()
    await expect(page.get_by_test_id("app-settings")).to_contain_text("短信通知携带内容")
    await page.get_by_test_id("field-sms_control_url").fill("")
    await page.get_by_test_id("field-sms_content").uncheck()
    await page.get_by_test_id("app-update").click()
    await expect(page.get_by_test_id("notices")).to_be_visible()
    await expect(page.get_by_test_id("field-sms_control_url")).to_have_value("")
    await expect(page.get_by_test_id("field-sms_content")).not_to_be_checked()
    await page.reload()
    assert secret not in await page.content()
    await page.goto("/console/apps")
    await expect(page.get_by_test_id("app-link")).to_have_text("快递_通知")
    assert secret not in await page.content()


def test_the_pages_of_the_area_answer_over_http(console_url: str, console_operator: Account) -> None:
    tenant = new_tenant_admin(console_url, console_operator, "快递科技")
    with httpx.Client(base_url=console_url) as http:
        login = http.get("/console/login")
        token = csrf_of(login.text)
        http.post("/console/login", data={"login": tenant.login, "password": tenant.password, "_csrf": token})
        for path in ("/console/enterprises", "/console/enterprises/new", "/console/apps", "/console/apps/new"):
            assert http.get(path).status_code == 200, path
        assert http.get("/console/admin/reviews").status_code == 403
        assert http.get("/console/enterprises/999999").status_code == 404
        assert http.post("/console/enterprises/new", data={"name": "x"}).status_code == 403  # no CSRF token


def test_operator_pages_and_the_quota_row_swap(console_url: str, console_operator: Account) -> None:
    tenant = new_tenant_admin(console_url, console_operator, "快递科技")
    client = MgmtClient(console_url)
    client.login(tenant.login, tenant.password)
    enterprise_id = client.ok("POST", "/enterprises", json=profile())["id"]
    client.close()
    with httpx.Client(base_url=console_url) as http:
        login = http.get("/console/login")
        token = csrf_of(login.text)
        http.post("/console/login", data={"login": console_operator.login, "password": console_operator.password,
                                          "_csrf": token})
        for path in ("/console/admin/reviews", "/console/admin/reviews?kind=enterprise&state=all",
                     "/console/admin/enterprises"):
            assert http.get(path).status_code == 200, path
        page = http.get("/console/admin/enterprises", params={"size": 100}).text
        assert f'data-testid="quota-row-{enterprise_id}"' in page
        csrf = csrf_of(page)
        action = f"/console/admin/enterprises/{enterprise_id}/quota"
        refused = http.post(action, data={"app_quota": "-1", "_csrf": csrf})
        assert refused.status_code == 422 and 'data-testid="quota-error"' in refused.text
        saved = http.post(action, data={"app_quota": "7", "_csrf": csrf})
        assert saved.status_code == 200 and saved.text.lstrip().startswith("<tr") and 'value="7"' in saved.text
