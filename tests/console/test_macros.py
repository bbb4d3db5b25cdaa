"""The macros every page uses, rendered as an area would use them: structure, htmx targets, no inline code."""

from __future__ import annotations

import re

from privnum.entrypoints.console import i18n
from privnum.entrypoints.console.paging import Page
from privnum.entrypoints.console.rendering import environment

PAGE = """{% import "macros.html" as m %}
{{ m.paged_table("apps", columns, rows, page, empty) }}
{% call(row, column) m.paged_table("styled", columns, rows) -%}
  {% if column.key == "status" %}{{ m.badge(row.status) }}{% else %}{{ row[column.key] }}{% endif %}
{%- endcall %}
{{ m.paged_table("none", columns, [], None, empty) }}
{{ m.field("name", "Name", value="<x>", error="Too long", hint="ignored") }}
{{ m.secret_once("APP_Secret", "s3cr3t", "app-secret") }}
{{ m.confirm_button("/console/apps/1/suspend", "Suspend", "Really?", "#app-1", "tok", danger=True) }}
"""


def render(locale: str = "en") -> str:
    token = i18n.use_locale(locale)
    try:
        return environment.from_string(PAGE).render(
            columns=[{"key": "name", "label": "Name"}, {"key": "status", "label": "Status"}],
            rows=[{"name": "shop", "status": "active"}, {"name": "taxi", "status": "pending"}],
            page=Page(number=2, size=2, total=5, path="/console/apps", query=(("status", "active"),)),
            empty={"message": "No applications yet.", "action": {"href": "/console/apps/new", "label": "Add one"}})
    finally:
        i18n.reset_locale(token)


def test_paged_table_rows_pager_and_empty_state() -> None:
    html = render()
    assert html.count("<tr>") == 2 + 1 + 2 + 1  # rows and header rows of the two filled tables
    assert "Page 2 of 3" in html
    assert 'href="/console/apps?status=active&amp;page=1"' in html and 'rel="next"' in html
    assert 'data-testid="empty-none"' in html and 'href="/console/apps/new"' in html
    assert '<span class="badge badge-ok" data-status="active">Active</span>' in html
    assert '<span class="badge badge-warn" data-status="pending">Pending review</span>' in html


def test_field_error_sits_next_to_its_input_and_values_are_escaped() -> None:
    html = render()
    assert 'value="&lt;x&gt;"' in html
    assert 'aria-describedby="field-name-error"' in html and 'id="field-name-error"' in html
    assert "ignored" not in html  # the error replaces the hint


def test_every_element_that_requests_names_its_target() -> None:
    html = render()
    requesting = re.findall(r"<[^>]*\shx-(?:get|post|put|patch|delete)=[^>]*>", html)
    assert requesting
    for element in requesting:
        assert "hx-target=" in element, element
    assert 'hx-confirm="Really?"' in html and 'name="_csrf" value="tok"' in html


def test_macros_render_chinese_and_no_inline_code() -> None:
    html = render("zh_CN")
    assert "第 2 页，共 3 页" in html and "仅显示一次" in html and "正常" in html
    assert not re.search(r"<script|\sstyle=|\son[a-z]+=", html)
