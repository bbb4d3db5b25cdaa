"""The console in Chromium: what a person sees. Assertions by role and test id, never by layout."""

from __future__ import annotations

import re

from playwright.async_api import Page, expect

from browser import screenshot


async def test_login_page_in_chinese_then_english_on_the_same_page(page: Page) -> None:
    await page.goto("/console/login?next=%2Fconsole%2Fapps")
    await expect(page.get_by_test_id("login-heading")).to_have_text("登录控制台")
    await expect(page.get_by_label("登录名")).to_be_visible()
    await expect(page.get_by_role("button", name="登录")).to_be_visible()
    await screenshot(page, "login-zh_CN")
    await page.get_by_test_id("lang-en").click()
    await expect(page.get_by_test_id("login-heading")).to_have_text("Sign in to the console")
    assert re.search(r"/console/login\?next=%2Fconsole%2Fapps&lang=en$", page.url), page.url
    await expect(page.get_by_label("Login name")).to_be_visible()
    await screenshot(page, "login-en")
    await page.goto("/console/login")  # the choice is remembered (cookie)
    await expect(page.get_by_test_id("login-heading")).to_have_text("Sign in to the console")
    await page.get_by_test_id("lang-zh_CN").click()
    await expect(page.get_by_test_id("login-heading")).to_have_text("登录控制台")


async def test_empty_login_shows_the_errors_next_to_the_fields(page: Page) -> None:
    await page.goto("/console/login?lang=zh_CN")
    await page.get_by_test_id("login-submit").click()
    await expect(page.get_by_test_id("error-login")).to_have_text("请输入登录名。")
    await expect(page.get_by_test_id("field-login")).to_have_attribute("aria-invalid", "true")
    await screenshot(page, "login-errors-zh_CN")


async def test_not_found_page(page: Page) -> None:
    await page.goto("/console/nowhere?lang=en")
    await expect(page.get_by_test_id("error-title")).to_have_text("Page not found")
    await expect(page.get_by_test_id("error-home")).to_have_attribute("href", "/console")
    await screenshot(page, "not-found-en")
