"""Signing in and out of the console, in Chromium and over HTTP: the overview, the navigation, the way back to
the page that asked for a sign-in, wrong passwords, throttling, CSRF, narrow screens."""

from __future__ import annotations

import re
import uuid

import httpx
from playwright.async_api import Page, expect

from browser import Account, screenshot, sign_in


async def test_tenant_admin_signs_in_to_the_overview_and_out_again(page: Page, console_tenant_admin: Account) -> None:
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text))
    await sign_in(page, console_tenant_admin)
    assert page.url.endswith("/console"), page.url
    await expect(page.get_by_test_id("overview-heading")).to_have_text("您好，zhang.wei")
    await expect(page.get_by_test_id("current-user")).to_contain_text("账号管理员")
    await expect(page.get_by_test_id("nav-overview")).to_have_attribute("aria-current", "page")
    for link in await page.get_by_test_id("sidenav").get_by_role("link").all():  # no dead links
        href = await link.get_attribute("href")
        assert (await page.request.get(href)).status == 200, href
    await screenshot(page, "overview-zh_CN")
    await page.get_by_test_id("lang-en").click()
    await expect(page.get_by_test_id("overview-heading")).to_have_text("Hello, zhang.wei")
    await screenshot(page, "overview-en")
    await page.get_by_test_id("sign-out").click()
    await expect(page.get_by_test_id("login-heading")).to_have_text("Sign in to the console")
    await expect(page.get_by_test_id("notices")).to_have_text("You have signed out.")
    await page.goto("/console")
    await expect(page.get_by_test_id("login-heading")).to_be_visible()
    assert not [m for m in messages if "Content Security Policy" in m], messages  # htmx and our files obey it
    assert await page.evaluate("window.htmx.config.includeIndicatorStyles") is False


async def test_sign_in_returns_to_the_page_that_asked(page: Page, console_operator: Account) -> None:
    await page.goto("/console?from=link")
    assert page.url.endswith("/console/login?next=%2Fconsole%3Ffrom%3Dlink"), page.url
    await page.goto("/console/nowhere?x=1")  # an unknown page is a 404 for everyone, signed in or not
    await expect(page.get_by_test_id("error-title")).to_have_text("页面不存在")
    await sign_in(page, console_operator, "/console/login?next=%2Fconsole%3Ffrom%3Dlink&lang=zh_CN")
    assert page.url.endswith("/console?from=link"), page.url
    await expect(page.get_by_test_id("current-user")).to_contain_text("平台管理员")


async def test_a_wrong_password_is_said_next_to_the_password_field(page: Page, console_tenant_admin: Account) -> None:
    await page.goto("/console/login?lang=en")
    await page.get_by_test_id("field-login").fill(console_tenant_admin.login)
    await page.get_by_test_id("field-password").fill("not the password")
    await page.get_by_test_id("login-submit").click()
    await expect(page.get_by_test_id("error-password")).to_have_text("Wrong login name or password.")
    await expect(page.get_by_test_id("field-login")).to_have_value(console_tenant_admin.login)
    await screenshot(page, "login-wrong-password-en")


async def test_the_navigation_folds_on_a_narrow_screen(page: Page, console_tenant_admin: Account) -> None:
    await page.set_viewport_size({"width": 390, "height": 780})
    await sign_in(page, console_tenant_admin)
    nav = page.get_by_test_id("nav-overview")
    await expect(nav).not_to_be_in_viewport()
    await page.get_by_test_id("nav-toggle").click()
    await expect(nav).to_be_in_viewport()
    await screenshot(page, "overview-narrow-zh_CN")


def _login_form(http: httpx.Client) -> str:
    return http.get("/console/login").cookies["privnum_login_csrf"]


def test_too_many_failures_are_throttled_with_a_clear_message(console_url: str) -> None:
    login = f"nobody-{uuid.uuid4().hex[:8]}"
    with httpx.Client(base_url=console_url, timeout=30) as http:
        token = _login_form(http)
        statuses = [http.post("/console/login?lang=en", data={"login": login, "password": "wrong-password",
                                                              "_csrf": token}).status_code for _ in range(6)]
        assert statuses == [401] * 5 + [429]
        answer = http.post("/console/login?lang=en", data={"login": login, "password": "x", "_csrf": token})
        assert answer.status_code == 429
        assert re.search(r'data-testid="login-alert">Too many failed sign-ins. Try again in \d+ minutes.<', answer.text)


def test_a_signed_in_post_without_the_csrf_token_is_the_403_page(console_url: str,
                                                                 console_tenant_admin: Account) -> None:
    with httpx.Client(base_url=console_url, timeout=30) as http:
        token = _login_form(http)
        signed = http.post("/console/login", data={"login": console_tenant_admin.login,
                                                   "password": console_tenant_admin.password, "_csrf": token})
        assert signed.status_code == 303 and signed.headers["location"] == "/console"
        session = http.cookies["privnum_session"]
        refused = http.post("/console/logout", data={"_csrf": "forged"})
        assert refused.status_code == 403 and 'data-testid="error-title">无权访问<' in refused.text
        page = http.get("/console")
        assert page.status_code == 200 and 'data-testid="overview-heading"' in page.text
        csrf = re.search(r'name="_csrf" value="([^"]+)"', page.text).group(1)
        assert re.search(r'hx-headers=\'\{"X-CSRF-Token": "' + re.escape(csrf) + '"}\'', page.text)
        out = http.post("/console/logout", data={"_csrf": csrf})
        assert out.status_code == 303 and out.headers["location"] == "/console/login"
    with httpx.Client(base_url=console_url, timeout=30, cookies={"privnum_session": session}) as replay:
        assert replay.get("/console").status_code == 303  # the session ended
