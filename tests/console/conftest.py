"""The console under test: one real ``privnum serve`` on a fresh SQLite database for the session, whose first
operator came from PRIVNUM_ADMIN_PASSWORD_FILE (support/mgmt.py), a tenant with its account admin, and a
Chromium (Debian's, see support/browser.py) whose pages resolve ``page.goto("/console")`` against it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from browser import VIEWPORT, Account, chromium_or_skip
from mgmt import ADMIN_LOGIN, ADMIN_PASSWORD, TENANT_PASSWORD, MgmtClient, start_mgmt_server
from servers import Server


@pytest.fixture(scope="session")
def console_server() -> Iterator[Server]:
    server = start_mgmt_server("sqlite")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def console_url(console_server: Server) -> str:
    return console_server.base


@pytest.fixture(scope="session")
def console_operator() -> Account:
    return Account(ADMIN_LOGIN, ADMIN_PASSWORD)


@pytest.fixture(scope="session")
def console_tenant_admin(console_url: str, console_operator: Account) -> Account:
    """The account admin of tenant 示例科技 (a fixed login: the screenshots show it)."""
    operator = MgmtClient(console_url)
    try:
        assert operator.login(console_operator.login, console_operator.password).status_code == 200
        operator.ok("POST", "/admin/tenants", json={"name": "示例科技", "admin_login": "zhang.wei",
                                                    "admin_password": TENANT_PASSWORD})
    finally:
        operator.close()
    return Account("zhang.wei", TENANT_PASSWORD)


@pytest.fixture(scope="session")
def base_url(console_url: str) -> str:
    return console_url


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": chromium_or_skip()}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    """1280x800, Chinese first (the console's default language), UTC: the same screenshots on every machine."""
    return {**browser_context_args, "viewport": VIEWPORT, "locale": "zh-CN", "timezone_id": "UTC",
            "reduced_motion": "reduce"}

