"""Access in the console: an operator creates a tenant and hands its admin the invitation link; the admin sets a
password on the invitation page, invites a developer and creates an API token that works on the management API.
Over HTTP: who may open which page, the invitation page without a session, CSRF, both languages."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from playwright.async_api import Page, expect

from browser import Account, csrf_of, new_tenant_admin, screenshot, sign_in
from mgmt import TENANT_PASSWORD, MgmtClient, unique


async def sign_out(page: Page) -> None:
    await page.get_by_test_id("sign-out").click()
    await expect(page.get_by_test_id("login-heading")).to_be_visible()


@contextmanager
def console_client(console_url: str, account: Account) -> Iterator[httpx.Client]:
    """An httpx client signed in to the console through its login form."""
    with httpx.Client(base_url=console_url, timeout=30) as http:
        login = http.get("/console/login")
        signed = http.post("/console/login", data={"login": account.login, "password": account.password,
                                                   "_csrf": csrf_of(login.text)})
        assert signed.status_code == 303, signed.text
        yield http




def new_user(console_url: str, admin: Account, role: str) -> Account:
    client = MgmtClient(console_url)
    try:
        assert client.login(admin.login, admin.password).status_code == 200
        login = unique(f"{role}-")
        client.ok("POST", "/users", json={"login": login, "role": role, "password": TENANT_PASSWORD})
    finally:
        client.close()
    return Account(login, TENANT_PASSWORD)


async def test_tenant_invitation_users_and_a_token(page: Page, console_url: str, console_operator: Account) -> None:
    await sign_in(page, console_operator, "/console/login?next=%2Fconsole%2Fadmin%2Ftenants")
    await expect(page.get_by_test_id("nav-tenants")).to_have_attribute("aria-current", "page")
    admin_login = "li.na"  # fixed names: the screenshots show them (one fresh database per test session)
    await page.get_by_test_id("field-name").fill("华南物流")
    await page.get_by_test_id("field-admin_login").fill("x")  # too short: the error stands next to the field
    await page.get_by_test_id("tenant-create").click()
    await expect(page.get_by_test_id("error-admin_login")).to_be_visible()
    await page.get_by_test_id("field-admin_login").fill(admin_login)
    await page.get_by_test_id("tenant-create").click()
    link = await page.get_by_test_id("secret-invite-link").get_by_test_id("secret-value").inner_text()
    assert link.startswith(f"{console_url}/console/invite/")
    await screenshot(page, "tenants-zh_CN")
    await page.goto("/console/admin/tenants")
    assert link not in await page.content()
    await sign_out(page)

    await page.goto(link + "?lang=en")
    await expect(page.get_by_test_id("invite-heading")).to_contain_text(admin_login)
    await page.get_by_test_id("field-password").fill("a-new-password-9")
    await page.get_by_test_id("field-password_again").fill("another-password-9")
    await page.get_by_test_id("invite-accept").click()
    await expect(page.get_by_test_id("error-password_again")).to_be_visible()
    await screenshot(page, "invite-accept-en")
    await page.get_by_test_id("field-password").fill("a-new-password-9")
    await page.get_by_test_id("field-password_again").fill("a-new-password-9")
    await page.get_by_test_id("invite-accept").click()
    await expect(page.get_by_test_id("login-heading")).to_be_visible()
    await expect(page.get_by_test_id("notices")).to_have_text("Your password is set. Sign in with it.")
    await page.goto(link)
    await expect(page.get_by_test_id("invite-gone")).to_be_visible()  # used: a friendly 404

    admin = Account(admin_login, "a-new-password-9")
    await sign_in(page, admin, "/console/login?lang=zh_CN&next=%2Fconsole%2Fusers")
    await expect(page.get_by_test_id("page-title")).to_have_text("用户管理")
    own = page.get_by_test_id(f"user-row-{admin_login}")
    await expect(own.get_by_test_id("user-role")).to_have_text("账号管理员")
    await expect(own.get_by_test_id("row-disable")).to_have_count(0)  # no controls on your own row
    developer = "wang.qiang"
    await page.get_by_test_id("field-login").fill(developer)
    await page.get_by_test_id("field-role").select_option("developer")
    await page.get_by_test_id("field-display_name").fill("李开发")
    await page.get_by_test_id("invite-submit").click()
    invitation = await page.get_by_test_id("secret-invite-link").get_by_test_id("secret-value").inner_text()
    assert "/console/invite/" in invitation
    row = page.get_by_test_id(f"user-row-{developer}")
    await expect(row.get_by_test_id("user-role")).to_have_text("开发者")
    await expect(row.locator("[data-status]")).to_have_attribute("data-status", "invited")
    await screenshot(page, "users-zh_CN")
    await row.get_by_test_id("row-role").select_option("viewer")  # role change: the row swapped in place
    await row.get_by_test_id("row-role-save").click()
    await expect(row.get_by_test_id("user-role")).to_have_text("只读用户")
    await page.goto("/console/users")
    assert invitation not in await page.content()

    await page.get_by_test_id("nav-tokens").click()
    await page.get_by_test_id("field-name").fill("ci")
    await page.get_by_test_id("field-days").fill("30")
    await page.get_by_test_id("token-create").click()
    secret = await page.get_by_test_id("secret-api-token").get_by_test_id("secret-value").inner_text()
    assert secret.startswith("pn_")
    await page.goto("/console/tokens")
    assert secret not in await page.content()
    await expect(page.get_by_test_id("token-name")).to_have_text("ci")
    with httpx.Client(base_url=console_url) as http:
        me = http.get("/mgmt/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.status_code == 200 and me.json()["login"] == admin_login
    page.on("dialog", lambda dialog: dialog.accept())
    await page.get_by_test_id("token-revoke").click()
    await expect(page.locator("#tokens [data-status]")).to_have_attribute("data-status", "revoked")
    with httpx.Client(base_url=console_url) as http:
        assert http.get("/mgmt/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def test_a_viewer_sees_the_users_but_may_not_invite(console_url: str, console_operator: Account) -> None:
    admin = new_tenant_admin(console_url, console_operator, "访问科技")
    viewer = new_user(console_url, admin, "viewer")
    with console_client(console_url, viewer) as http:
        users = http.get("/console/users")
        assert users.status_code == 200 and f'data-testid="user-row-{viewer.login}"' in users.text
        assert 'data-testid="invite-form"' not in users.text and 'data-testid="row-disable"' not in users.text
        refused = http.post("/console/users", data={"login": unique("x-"), "role": "developer",
                                                    "_csrf": csrf_of(users.text)})
        assert refused.status_code == 403
        assert http.get("/console/tokens").status_code == 403  # a viewer holds no tokens.manage
        assert 'data-testid="nav-users"' not in users.text


def test_the_admin_manages_rows_and_refusals_show_in_the_row(console_url: str, console_operator: Account) -> None:
    admin = new_tenant_admin(console_url, console_operator, "访问科技")
    developer = new_user(console_url, admin, "developer")
    with console_client(console_url, admin) as http:
        users = http.get("/console/users")
        assert 'data-testid="nav-users"' in users.text and 'data-testid="invite-form"' in users.text
        csrf = csrf_of(users.text)
        user_id = int(users.text.split(f'data-testid="user-row-{developer.login}"')[0].rsplit('id="user-', 1)[1]
                      .split('"')[0])
        htmx = {"HX-Request": "true"}
        disabled = http.post(f"/console/users/{user_id}/status", data={"status": "disabled", "_csrf": csrf},
                             headers=htmx)
        assert disabled.status_code == 200 and disabled.text.lstrip().startswith("<tr")
        assert 'data-status="disabled"' in disabled.text and 'data-testid="row-enable"' in disabled.text
        plain = http.post(f"/console/users/{user_id}/status", data={"status": "active", "_csrf": csrf})
        assert plain.status_code == 303 and plain.headers["location"] == "/console/users"  # without JavaScript
        wrong = http.post(f"/console/users/{user_id}/role", data={"role": "platform_admin", "_csrf": csrf},
                          headers=htmx)
        assert wrong.status_code == 422 and 'data-testid="row-error"' in wrong.text
        own_id = int(users.text.split(f'data-testid="user-row-{admin.login}"')[0].rsplit('id="user-', 1)[1]
                     .split('"')[0])
        own = http.post(f"/console/users/{own_id}/status", data={"status": "disabled", "_csrf": csrf}, headers=htmx)
        assert own.status_code == 422 and 'data-testid="row-error"' in own.text and 'row-disable' not in own.text
        taken = http.post("/console/users", data={"login": developer.login, "role": "developer", "_csrf": csrf})
        assert taken.status_code == 422 and 'data-testid="error-login"' in taken.text
        assert http.post("/console/users", data={"login": unique("y-"), "role": "viewer"}).status_code == 403
        assert http.get("/console/admin/tenants").status_code == 403
        tokens = http.get("/console/tokens")
        assert tokens.status_code == 200 and 'data-testid="empty-tokens"' in tokens.text
        bad = http.post("/console/tokens", data={"name": "x", "days": "999", "_csrf": csrf})
        assert bad.status_code == 422 and 'data-testid="error-days"' in bad.text
        made = http.post("/console/tokens", data={"name": "ops", "days": "7", "_csrf": csrf})
        secret = made.text.split('data-testid="secret-value">')[1].split("<")[0]
        assert made.status_code == 201 and secret.startswith("pn_")
        token_id = made.text.split('data-testid="token-row-')[1].split('"')[0]
        revoked = http.post(f"/console/tokens/{token_id}/revoke", data={"_csrf": csrf})
        assert revoked.status_code == 303 and revoked.headers["location"] == "/console/tokens"
        listed = http.get("/console/tokens").text
        assert 'data-status="revoked"' in listed and secret not in listed and "令牌已吊销。" in listed


def test_operator_tenant_form_errors_and_both_languages(console_url: str, console_operator: Account) -> None:
    with console_client(console_url, console_operator) as http:
        page = http.get("/console/admin/tenants")
        assert page.status_code == 200 and "租户管理" in page.text
        english = http.get("/console/admin/tenants", params={"lang": "en"})
        assert english.status_code == 200 and "New tenant" in english.text
        csrf = csrf_of(page.text)
        name = unique("密码科技")
        weak = http.post("/console/admin/tenants", data={"name": name, "admin_login": unique("w-"),
                                                         "admin_password": "short", "_csrf": csrf})
        assert weak.status_code == 422 and 'data-testid="error-admin_password"' in weak.text
        login = unique("p-")
        made = http.post("/console/admin/tenants", data={"name": name, "admin_login": login,
                                                         "admin_password": TENANT_PASSWORD, "_csrf": csrf})
        assert made.status_code == 201 and 'data-testid="admin-can-sign-in"' in made.text
        assert "/console/invite/" not in made.text
        again = http.post("/console/admin/tenants", data={"name": name, "admin_login": unique("q-"), "_csrf": csrf})
        assert again.status_code == 422 and 'data-testid="error-name"' in again.text
        taken = http.post("/console/admin/tenants", data={"name": unique("别名"), "admin_login": login, "_csrf": csrf})
        assert taken.status_code == 422 and 'data-testid="error-admin_login"' in taken.text
        assert http.post("/console/admin/tenants", data={"name": unique("z"), "admin_login": unique("z-")}
                         ).status_code == 403  # no CSRF token
        assert http.get("/console/users").status_code == 403  # the users page is a tenant's
        assert http.get("/console/tokens").status_code == 200


def test_the_invitation_page_needs_no_session_but_its_token(console_url: str, console_operator: Account) -> None:
    client = MgmtClient(console_url)
    try:
        assert client.login(console_operator.login, console_operator.password).status_code == 200
        login = unique("inv-")
        created = client.ok("POST", "/admin/tenants", json={"name": unique("邀请"), "admin_login": login})
    finally:
        client.close()
    path = created["invitation_url"]
    path = path[path.index("/console/invite/"):]
    with httpx.Client(base_url=console_url) as http:
        assert http.get("/console/invite/bogus-token").status_code == 404
        assert "邀请" in http.get("/console/invite/bogus-token").text
        form = http.get(path)
        assert form.status_code == 200 and login in form.text
        assert http.get(path, params={"lang": "en"}).text.count("Welcome") == 1
        no_csrf = http.post(path, data={"password": "good-password-7", "password_again": "good-password-7"})
        assert no_csrf.status_code == 403
        csrf = csrf_of(form.text)
        weak = http.post(path, data={"password": "aaaaaaaaaaaa", "password_again": "aaaaaaaaaaaa", "_csrf": csrf})
        assert weak.status_code == 422 and 'data-testid="error-password"' in weak.text
        done = http.post(path, data={"password": "good-password-7", "password_again": "good-password-7",
                                     "_csrf": csrf})
        assert done.status_code == 303 and done.headers["location"] == "/console/login"
        assert http.get(path).status_code == 404
    with console_client(console_url, Account(login, "good-password-7")) as http:
        assert http.get("/console/users").status_code == 200
