"""The overview page as an area extends it: a card from ``overview_cards``, quick links to the pages that
exist, the top bar's user and CSRF token; ``requires(permission)`` (in process, no server)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from jinja2 import ChoiceLoader, DictLoader
from starlette.requests import Request

from privnum.domain.access import Actor, ActorKind, Permission, Role
from privnum.entrypoints.console import pages_base
from privnum.entrypoints.console.i18n import N_
from privnum.entrypoints.console.rendering import environment, render
from privnum.entrypoints.console.session import Forbidden, requires
from privnum.entrypoints.mgmt.principal import Principal


@pytest.fixture
def card_template() -> Iterator[None]:
    original = environment.loader
    assert original is not None
    environment.loader = ChoiceLoader([DictLoader({"test/_card.html": (
        '<p data-testid="card-body">{{ _("Numbers") }}: {{ card.context.count }}</p>')}), original])
    yield
    environment.loader = original


def request_of(actor: Actor, path: str = "/console", query: str = "") -> Request:
    app = FastAPI()
    app.state.console_pages = frozenset({"/console", "/console/apps", "/console/admin/reviews"})
    request = Request({"type": "http", "method": "GET", "path": path, "query_string": query.encode(),
                       "headers": [], "app": app})
    request.state.actor, request.state.csrf = actor, "csrf-token-1"
    return request


async def test_a_card_and_the_quick_links_of_existing_pages(card_template: None) -> None:
    actor = Actor(kind=ActorKind.USER, login="li.lei", role=Role.DEVELOPER, tenant_id=7, display_name="李雷")

    async def numbers_card(_request: Request, seen: Actor) -> pages_base.OverviewCard | None:
        return pages_base.OverviewCard(N_("Numbers"), "test/_card.html", {"count": 12}) if seen.tenant_id else None

    areas_cards = list(pages_base.overview_cards)  # the areas' own cards need a running server
    pages_base.overview_cards[:] = [numbers_card]
    try:
        request = request_of(actor)
        html = (await pages_base.overview(request, actor)).body.decode()
    finally:
        pages_base.overview_cards[:] = areas_cards
    assert '<p data-testid="card-body">号码管理: 12</p>' in html
    assert 'data-testid="overview-heading">您好，李雷<' in html
    assert '<a href="/console/apps">应用管理</a>' in html  # a quick link: the page exists, the role may read
    assert "/console/admin/reviews" not in html  # the operator's side
    assert '"X-CSRF-Token": "csrf-token-1"' in html and 'name="_csrf" value="csrf-token-1"' in html


def test_the_users_language_wins_over_the_browsers() -> None:
    actor = Actor(kind=ActorKind.USER, login="sam", role=Role.VIEWER, tenant_id=7, locale="en")
    html = render(request_of(actor), "error.html", {"status": 404, "title": "Page not found",
                                                     "message": "This page does not exist, or it has moved."})
    assert '<html lang="en">' in html.body.decode() and "Sign out" in html.body.decode()


async def test_requires_lets_the_permitted_in_and_shows_the_others_the_403_page() -> None:
    viewer = Actor(kind=ActorKind.USER, login="v", role=Role.VIEWER, tenant_id=7)
    admin = Actor(kind=ActorKind.USER, login="a", role=Role.ACCOUNT_ADMIN, tenant_id=7)
    manage_apps = requires(Permission.MANAGE_APPS)
    for actor, allowed in ((admin, True), (viewer, False)):
        request = request_of(actor, "/console/apps/new")
        request.state.principal = Principal(actor, "csrf-token-1", "session-1")
        if allowed:
            assert await manage_apps(request) is actor
        else:
            with pytest.raises(Forbidden):
                await manage_apps(request)
