"""The console's pure rules: which language a request gets, the navigation, the pager, safe redirects."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from starlette.requests import Request

from privnum.domain.access import Permission
from privnum.entrypoints.console import i18n, navigation
from privnum.entrypoints.console.paging import Page
from privnum.entrypoints.console.session import safe_next


@pytest.mark.parametrize(("query", "cookie", "user", "accept", "expected"), [
    ({"lang": "en"}, {"privnum_lang": "zh_CN"}, "zh_CN", "zh-CN", "en"),
    ({}, {"privnum_lang": "en"}, "zh_CN", "zh-CN", "en"),
    ({}, {}, "en", "zh-CN", "en"),
    ({}, {}, None, "fr-FR,en-GB;q=0.8,zh;q=0.5", "en"),
    ({}, {}, None, "en;q=0.4,zh-TW;q=0.9", "zh_CN"),
    ({}, {}, None, "fr-FR", "zh_CN"),
    ({}, {}, None, "", "zh_CN"),
    ({"lang": "xx"}, {"privnum_lang": "bogus"}, None, "en-US", "en"),
])
def test_locale_choice_order(query: dict, cookie: dict, user: str | None, accept: str, expected: str) -> None:
    headers = {"accept-language": accept} if accept else {}
    assert i18n.choose_locale(query, cookie, headers, user) == expected


@dataclass
class Viewer:
    is_operator: bool = False
    permissions: set[Permission] = field(default_factory=set)

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions


ALL_PAGES = [entry.path for entry in navigation.ENTRIES]


def test_navigation_shows_only_registered_pages_of_the_viewers_side() -> None:
    tenant = Viewer(permissions={Permission.READ})
    pages = ["/console", "/console/apps", "/console/audit", "/console/admin/reviews"]
    keys = [item.key for item in navigation.menu(tenant, "/console/apps/7", pages)]
    assert keys == ["overview", "apps"]  # numbers: no page yet; audit: no permission; reviews: operator side
    auditor = Viewer(permissions={Permission.READ, Permission.READ_AUDIT})
    assert [i.key for i in navigation.menu(auditor, "/console", pages)] == ["overview", "apps", "audit"]
    operator = Viewer(is_operator=True, permissions={Permission.READ})
    assert [i.key for i in navigation.menu(operator, "/console", ALL_PAGES)] == [
        "overview", "reviews", "quotas", "inventory"]  # tenants: tenants.manage (platform admins)
    admin = Viewer(is_operator=True, permissions={Permission.READ, Permission.MANAGE_TENANTS})
    assert "tenants" in [i.key for i in navigation.menu(admin, "/console", ALL_PAGES)]


def test_navigation_marks_the_page_that_owns_the_path() -> None:
    viewer = Viewer(permissions={Permission.READ})
    active = [i.key for i in navigation.menu(viewer, "/console/apps/7/edit", ALL_PAGES) if i.active]
    assert active == ["apps"]
    assert [i.key for i in navigation.menu(viewer, "/console", ALL_PAGES) if i.active] == ["overview"]
    assert navigation.menu(None, "/console", ALL_PAGES) == []


def test_navigation_keys_and_labels_are_unique_per_side() -> None:
    keys = [e.key for e in navigation.ENTRIES]
    assert len(keys) == len(set(keys))
    for side in (navigation.Side.TENANT, navigation.Side.OPERATOR):
        paths = [e.path for e in navigation.ENTRIES if e.side in (side, navigation.Side.BOTH)]
        assert len(paths) == len(set(paths))


@pytest.mark.parametrize(("raw", "expected"), [
    ("/console/apps?page=2", "/console/apps?page=2"),
    ("/console", "/console"),
    (None, "/console"),
    ("https://evil.example/console", "/console"),
    ("//evil.example/console", "/console"),
    ("/\\evil.example", "/console"),
    ("/console\\..\\x", "/console"),
    ("/health", "/console"),
    ("/consolex", "/console"),
    ("/console/\r\nSet-Cookie: x", "/console"),
    ("javascript:alert(1)", "/console"),
    ("/console/apps?name=外卖 店", "/console/apps?name=%E5%A4%96%E5%8D%96%20%E5%BA%97"),
    ("/console/apps?q=a%20b", "/console/apps?q=a%20b"),
])
def test_only_console_paths_are_redirect_targets(raw: str | None, expected: str) -> None:
    assert safe_next(raw) == expected


def _request(query: str) -> Request:
    return Request({"type": "http", "method": "GET", "path": "/console/apps", "query_string": query.encode(),
                    "headers": []})


def test_page_is_clamped_and_keeps_the_filters() -> None:
    page = Page.of(_request("status=active&page=9&size=10"), total=35)
    assert (page.number, page.pages, page.offset, page.has_next, page.has_previous) == (4, 4, 30, False, True)
    assert page.url(3) == "/console/apps?status=active&size=10&page=3"
    empty = Page.of(_request("page=abc"), total=0)
    assert (empty.number, empty.pages, empty.offset) == (1, 1, 0)
