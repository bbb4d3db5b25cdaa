"""Browser tests on Debian's Chromium, driven by Playwright's async API (pytest-playwright-asyncio: the sync
plugin breaks pytest-asyncio's session loop). ``playwright install`` is never run: the launch uses the
``chromium`` on PATH (or ``PRIVNUM_TEST_CHROMIUM``).

- ``PRIVNUM_TEST_REQUIRE_BROWSER=1`` (set by .ci/run): fail, not skip, when Chromium is missing.
- ``PRIVNUM_SCREENSHOTS=1``: ``screenshot(page, name)`` writes ``docs/console/<name>.png`` (committed);
  otherwise it writes to a temporary folder, so a test run leaves the tree clean.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from enterprise_kit import TenantApp, tenant_app
from mgmt import MgmtClient

if TYPE_CHECKING:
    from playwright.async_api import Page

CHROMIUM = os.environ.get("PRIVNUM_TEST_CHROMIUM") or shutil.which("chromium")
REQUIRE_BROWSER = os.environ.get("PRIVNUM_TEST_REQUIRE_BROWSER") == "1"
VIEWPORT = {"width": 1280, "height": 800}
DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "console"
_scratch = Path(tempfile.gettempdir()) / "privnum-screenshots"


def chromium_or_skip() -> str:
    if CHROMIUM:
        return CHROMIUM
    if REQUIRE_BROWSER:
        pytest.fail("PRIVNUM_TEST_REQUIRE_BROWSER=1 but no chromium on PATH (apt-get install chromium fonts-noto-cjk)")
    pytest.skip("no chromium on PATH (apt-get install chromium fonts-noto-cjk)")


def screenshot_path(name: str) -> Path:
    folder = DOCS_SCREENSHOTS if os.environ.get("PRIVNUM_SCREENSHOTS") == "1" else _scratch
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{name}.png"


async def screenshot(page: Page, name: str) -> Path:
    """A full-page PNG of ``page``: animations stopped, caret hidden."""
    path = screenshot_path(name)
    await page.screenshot(path=str(path), full_page=True, animations="disabled", caret="hide")
    return path


@dataclass(frozen=True)
class Account:
    login: str
    password: str


def tenant_app_of(base: str, tenant_admin: Account, operator: Account, mode: str = "AXB",
                  **fields: Any) -> TenantApp:
    """``enterprise_kit.tenant_app`` for the console's accounts: an app of ``tenant_admin``'s tenant, under an
    enterprise ``operator`` approved (both signed in to the management API for it)."""
    tenant, admin = MgmtClient(base), MgmtClient(base)
    try:
        assert tenant.login(tenant_admin.login, tenant_admin.password).status_code == 200
        assert admin.login(operator.login, operator.password).status_code == 200
        return tenant_app(tenant, admin, mode, **fields)
    finally:
        tenant.close()
        admin.close()


async def sign_in(page: Page, account: Account, path: str = "/console/login") -> None:
    """Sign in through the login form (``path`` may carry ``?next=``) and wait for the signed-in page."""
    from playwright.async_api import expect

    await page.goto(path)
    await page.get_by_test_id("field-login").fill(account.login)
    await page.get_by_test_id("field-password").fill(account.password)
    await page.get_by_test_id("login-submit").click()
    await expect(page.get_by_test_id("sign-out")).to_be_visible()


def new_tenant_admin(console_url: str, operator: Account, name_prefix: str = "租户") -> Account:
    """A fresh tenant, made by ``operator`` over the management API, and its account admin (with a password)."""
    from mgmt import TENANT_PASSWORD, MgmtClient, unique

    client = MgmtClient(console_url)
    try:
        assert client.login(operator.login, operator.password).status_code == 200
        login = unique("admin-")
        client.ok("POST", "/admin/tenants", json={"name": unique(name_prefix), "admin_login": login,
                                                  "admin_password": TENANT_PASSWORD})
    finally:
        client.close()
    return Account(login, TENANT_PASSWORD)


def csrf_of(html: str) -> str:
    """The CSRF token a console page carries in its forms."""
    return html.split('name="_csrf" value="')[1].split('"')[0]
