"""The macros on one page in Chromium, with the console's CSS and JavaScript: how a list page of an area will
look (docs/console/components-*.png), and the copy button of a secret shown once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from jinja2 import ChoiceLoader, DictLoader
from playwright.async_api import BrowserContext, Page, expect
from starlette.requests import Request

from browser import screenshot
from privnum.domain.access import Actor, ActorKind, Role
from privnum.entrypoints.console.paging import Page as ListPage
from privnum.entrypoints.console.rendering import environment, render

SAMPLE = """{% extends "base.html" %}
{% block content %}
{% call m.page_header(_("Applications"), _("Quick links")) %}
  <a class="button button-primary" href="/console/apps/new">+ {{ _("Applications") }}</a>
{% endcall %}
{{ m.secret_once("APP_Secret", "Xk29fQ7pLm03ZrT8vB51nWc6") }}
{% call(row, column) m.paged_table("apps", columns, rows, page) -%}
  {% if column.key == "status" %}{{ m.badge(row.status) }}
  {% elif column.key == "actions" %}
    {{ m.confirm_button("/console/apps/1/suspend", _("Suspended"), "?", "#apps", csrf_token, danger=True) }}
  {% else %}{{ row[column.key] }}{% endif %}
{%- endcall %}
{{ m.paged_table("empty", columns, [], None, {"message": _("Nothing here yet."),
                 "action": {"href": "/console/apps/new", "label": _("Applications")}}) }}
<form class="card form-card" method="post" action="/console/apps">
  {{ m.csrf(csrf_token) }}
  {{ m.field("name", _("Login name"), value="外卖 配送", error=_("Enter your login name.")) }}
</form>
{% endblock %}
"""


@pytest.fixture
def sample_page() -> Iterator[str]:
    original = environment.loader
    assert original is not None
    environment.loader = ChoiceLoader([DictLoader({"test/sample.html": SAMPLE}), original])
    app = FastAPI()
    app.state.console_pages = frozenset({"/console", "/console/enterprises", "/console/apps", "/console/numbers",
                                         "/console/records"})
    request = Request({"type": "http", "method": "GET", "path": "/console/apps", "query_string": b"",
                       "headers": [], "app": app})
    request.state.actor = Actor(kind=ActorKind.USER, login="zhang.wei", role=Role.ACCOUNT_ADMIN, tenant_id=1)
    request.state.csrf = "csrf-token"
    rows = [{"name": "外卖配送", "mode": "AXB", "status": "active"},
            {"name": "网约车", "mode": "AX", "status": "pending"},
            {"name": "二手交易", "mode": "AXE", "status": "rejected"},
            {"name": "家政服务", "mode": "AXYB", "status": "suspended"}]
    columns = [{"key": "name", "label": "名称"}, {"key": "mode", "label": "业务类型"},
               {"key": "status", "label": "状态"}, {"key": "actions", "label": ""}]
    page = ListPage(number=1, size=4, total=9, path="/console/apps")
    try:
        yield render(request, "test/sample.html", {"columns": columns, "rows": rows, "page": page}).body.decode()
    finally:
        environment.loader = original


async def test_components_look_and_the_secret_copies(page: Page, context: BrowserContext, sample_page: str) -> None:
    await context.grant_permissions(["clipboard-read", "clipboard-write"])
    await page.goto("/console/login")  # the origin whose /console/static the sample loads
    await page.set_content(sample_page, wait_until="load")
    await expect(page.get_by_test_id("nav-apps")).to_have_attribute("aria-current", "page")
    await expect(page.get_by_test_id("pager-apps")).to_contain_text("第 1 页，共 3 页")
    await expect(page.get_by_test_id("empty-action")).to_have_attribute("href", "/console/apps/new")
    assert (await page.evaluate("window.htmx.version")).startswith("2.0.")  # loaded from /console/static
    await screenshot(page, "components-zh_CN")
    await page.get_by_role("button", name="复制").click()
    await expect(page.get_by_role("button", name="已复制")).to_be_visible()
    assert await page.evaluate("navigator.clipboard.readText()") == "Xk29fQ7pLm03ZrT8vB51nWc6"
