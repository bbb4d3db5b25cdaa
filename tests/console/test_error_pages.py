"""The console's error pages in both languages, from the real app's handlers (no server: nothing here needs
the runtime)."""

from __future__ import annotations

import re

import httpx
import pytest

from privnum.config import Settings
from privnum.domain.management_errors import Conflict, NotFound
from privnum.entrypoints.api.app import create_app

APP = create_app(Settings())


async def _boom() -> None:
    raise RuntimeError("a bug")


async def _missing() -> None:
    raise NotFound("app")


async def _conflict() -> None:
    raise Conflict("app_suspended", "the app is suspended; resume it first")


APP.add_api_route("/console/_boom", _boom)
APP.add_api_route("/rest/_boom", _boom)
APP.add_api_route("/console/_missing", _missing)
APP.add_api_route("/console/_conflict", _conflict)


@pytest.fixture
async def client() -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=APP, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://console.test") as client:
        yield client


def title(html: str) -> str:
    found = re.search(r'<h1 data-testid="error-title">([^<]*)</h1>', html)
    assert found, html
    return found.group(1)


async def test_a_crash_in_the_console_is_a_friendly_page_in_the_visitors_language(client: httpx.AsyncClient) -> None:
    page = await client.get("/console/_boom")
    assert page.status_code == 500 and page.headers["content-type"].startswith("text/html")
    assert title(page.text) == "出错了" and "a bug" not in page.text
    assert "content-security-policy" in page.headers
    assert title((await client.get("/console/_boom?lang=en")).text) == "Something went wrong"
    assert (await client.get("/rest/_boom")).json()["resultcode"]  # the API keeps Huawei's envelope


async def test_an_invalid_console_form_is_the_bad_request_page(client: httpx.AsyncClient) -> None:
    page = await client.post("/console/login?lang=en", data={"login": "x" * 300, "password": "p"})
    assert page.status_code == 400 and title(page.text) == "Bad request"


async def test_a_wrong_method_on_a_console_path_is_a_page_too(client: httpx.AsyncClient) -> None:
    page = await client.delete("/console/login")
    assert page.status_code == 405 and title(page.text) == "请求有误"


async def test_refusals_a_page_leaves_unhandled_are_its_error_pages(client: httpx.AsyncClient) -> None:
    missing = await client.get("/console/_missing?lang=en")
    assert missing.status_code == 404 and title(missing.text) == "Page not found"
    conflict = await client.get("/console/_conflict?lang=zh_CN")
    assert conflict.status_code == 409 and title(conflict.text) == "暂时无法操作"
    assert 'data-testid="error-detail">the app is suspended; resume it first<' in conflict.text
