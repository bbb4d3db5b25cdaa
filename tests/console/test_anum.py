"""The A-number pages of the console (A号码报备) in Chromium: register a number with its live photo (errors next to
the field), see it masked in the table, withdraw it (htmx swaps the table); plus, over HTTP, another tenant's
withdraw is the 404 page."""

from __future__ import annotations

import httpx
from playwright.async_api import Page, expect

from a_number_client import JPEG
from browser import Account, new_tenant_admin, screenshot, sign_in
from mgmt import ADMIN_LOGIN, ADMIN_PASSWORD, MgmtClient

ANUM_OPERATOR = Account(ADMIN_LOGIN, ADMIN_PASSWORD)



async def fill_form(page: Page, card: str) -> None:
    await page.get_by_test_id("field-number").fill("+8613800000301")
    await page.get_by_test_id("field-name").fill("张三")
    await page.get_by_test_id("field-identity_card").fill(card)
    await page.get_by_test_id("field-photo").set_input_files(
        {"name": "zhang.jpg", "mimeType": "image/jpeg", "buffer": JPEG})
    await page.get_by_test_id("field-agree").check()
    await page.get_by_test_id("register-submit").click()


async def test_register_an_a_number_then_withdraw_it(page: Page, console_url: str) -> None:
    await sign_in(page, new_tenant_admin(console_url, ANUM_OPERATOR, "A号码租户"))
    await page.get_by_test_id("nav-a_numbers").click()
    await expect(page.get_by_test_id("page-title")).to_have_text("A号码报备")
    await expect(page.get_by_test_id("empty-a-numbers")).to_contain_text("暂无已报备的A号码")

    await fill_form(page, "110105194912310021")  # the check character is wrong
    await expect(page.get_by_test_id("error-identity_card")).to_have_text(
        "请填写 18 位身份证号码；当前号码的校验位不正确。")
    await expect(page.get_by_test_id("field-number")).to_have_value("+8613800000301")  # kept
    await expect(page.get_by_test_id("field-identity_card")).to_have_value("")  # never echoed back
    await expect(page.get_by_test_id("empty-a-numbers")).to_be_visible()  # nothing stored

    await fill_form(page, "11010519491231002X")
    await expect(page.get_by_test_id("notices")).to_have_text("A号码已报备。")
    table = page.get_by_test_id("table-a-numbers")
    await expect(table.get_by_role("row")).to_have_count(2)
    await expect(table).to_contain_text("110105********002X")
    await expect(table).to_contain_text("张*")
    await expect(table).not_to_contain_text("11010519491231002X")
    await expect(table).to_contain_text("报备成功")
    await screenshot(page, "a-numbers-zh_CN")

    page.once("dialog", lambda dialog: dialog.accept())
    await table.get_by_role("button", name="删除").click()
    await expect(page.get_by_test_id("empty-a-numbers")).to_be_visible()
    await expect(page.get_by_test_id("notices")).to_have_text("A号码报备已删除。")
    await page.get_by_test_id("lang-en").click()
    await expect(page.get_by_test_id("page-title")).to_have_text("A numbers")
    await expect(page.get_by_test_id("empty-a-numbers")).to_contain_text("No A numbers on file yet.")
    await expect(page.get_by_test_id("register-submit")).to_have_text("Register the number")


def test_another_tenants_a_number_is_not_found_in_the_console(console_url: str) -> None:
    owner, stranger = (new_tenant_admin(console_url, ANUM_OPERATOR, "A号码租户") for _ in range(2))
    client = MgmtClient(console_url)
    assert client.login(owner.login, owner.password).status_code == 200
    token = client.ok("POST", "/tokens", json={"name": "wire", "days": 1})["token"]
    client.close()
    wire = httpx.Client(base_url=console_url, headers={"X-Auth-Token": token})
    assert wire.post("/v1/privatenumber/a-number/files", params={"agree_authorization_statement": "true"},
                     files=[("files", ("p.jpg", JPEG, "image/jpeg"))]).status_code == 200
    assert wire.post("/v1.0/privatenumber/a-number", params={"agree_authorization_statement": "true"}, json={
        "numbers": [{"number": "+8613800000311", "numberType": 1, "name": "王五", "identityCard": "11010519491231002X",
                     "liveFaceImage": "p.jpg"}]}).status_code == 200
    wire.close()
    viewer = MgmtClient(console_url)
    assert viewer.login(stranger.login, stranger.password).status_code == 200
    own_id = MgmtClient(console_url)
    assert own_id.login(owner.login, owner.password).status_code == 200
    a_number_id = own_id.ok("GET", "/a-numbers")["items"][0]["id"]
    own_id.close()
    page = viewer.http.get("/console/a-numbers")
    assert page.status_code == 200 and "+8613800000311" not in page.text and "王" not in page.text
    refused = viewer.http.post(f"/console/a-numbers/{a_number_id}/withdraw", data={"_csrf": viewer.csrf or ""})
    assert refused.status_code == 404
    viewer.close()


def test_a_refused_photo_stores_nothing(console_url: str) -> None:
    account = new_tenant_admin(console_url, ANUM_OPERATOR, "A号码租户")
    client = MgmtClient(console_url)
    assert client.login(account.login, account.password).status_code == 200
    form = {"_csrf": client.csrf or "", "number_type": "1", "number": "+8613800000321", "name": "赵六",
            "identity_card": "11010519491231002X", "agree": "yes"}
    for photo in (("big.jpg", JPEG + b"\0" * 40 * 1024), ("fake.jpg", b"GIF89a..."), ("p.gif", JPEG)):
        answer = client.http.post("/console/a-numbers?lang=en", data=form,
                                  files={"photo": (photo[0], photo[1], "image/jpeg")})
        assert answer.status_code == 422, photo[0]
        assert 'data-testid="error-photo"' in answer.text and "11010519491231002X" not in answer.text
    without_consent = client.http.post("/console/a-numbers?lang=en", data={**form, "agree": ""},
                                       files={"photo": ("ok.jpg", JPEG, "image/jpeg")})
    assert without_consent.status_code == 422 and 'data-testid="error-agree"' in without_consent.text
    assert client.ok("GET", "/a-numbers")["total"] == 0
    client.close()
