"""Pages from templates: one Jinja2 environment (autoescape, ``jinja2.ext.i18n`` newstyle gettext) and
``render(request, template, context)``, which adds what every page shows — the language and its switch,
the signed-in actor and the CSRF token, the navigation, notices carried over a redirect."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from privnum import __version__
from privnum.entrypoints.console import i18n, labels, navigation
from privnum.entrypoints.console.i18n import LANG_COOKIE, LANG_PARAM, LOCALES

TEMPLATE_DIR = Path(__file__).parent / "templates"
STATIC_PREFIX = "/console/static"
NOTICE_COOKIE = "privnum_notice"
LANG_COOKIE_MAX_AGE_S = 365 * 24 * 3600
LANGUAGE_NAMES = {"zh_CN": "中文", "en": "English"}

environment = Environment(loader=FileSystemLoader(TEMPLATE_DIR), autoescape=select_autoescape(["html"]),
                          extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True)
environment.install_gettext_callables(i18n.gettext_, i18n.ngettext_, newstyle=True)  # type: ignore[attr-defined]
environment.globals["t"] = environment.globals["gettext"]


def static_url(name: str) -> str:
    """``/console/static/<name>?v=<version>``: a new release is fetched anew, the same one is cached."""
    return f"{STATIC_PREFIX}/{quote(name)}?v={__version__}"


environment.globals.update(static_url=static_url, status_label=labels.status_label, badge_tone=labels.badge_tone,
                           role_label=labels.role_label)


@dataclass(frozen=True)
class Language:
    code: str
    name: str
    url: str
    current: bool


def page_paths(request: Request) -> frozenset[str]:
    """The GET paths of the console's pages (what the navigation may link to), as ``router.install`` found them."""
    pages: frozenset[str] = getattr(request.app.state, "console_pages", frozenset())
    return pages


def request_locale(request: Request) -> str:
    actor = getattr(request.state, "actor", None)
    return i18n.choose_locale(request.query_params, request.cookies, request.headers,
                              getattr(actor, "locale", None))


def _with_lang(request: Request, locale: str) -> str:
    query = [(k, v) for k, v in request.query_params.multi_items() if k != LANG_PARAM]
    return f"{request.url.path}?{urlencode([*query, (LANG_PARAM, locale)])}"


def languages(request: Request, current: str) -> list[Language]:
    return [Language(code, LANGUAGE_NAMES[code], _with_lang(request, code), code == current) for code in LOCALES]


def _notices(request: Request) -> list[str]:
    """The notice a redirect left (``redirect_with_notice``): a msgid of the catalogs, nothing else."""
    notice = request.cookies.get(NOTICE_COOKIE)
    return [notice] if notice and notice in i18n.message_ids() else []


def render(request: Request, template: str, context: Mapping[str, Any] | None = None, status: int = 200,
           ) -> HTMLResponse:
    """``template`` with ``context`` and the page's common values, in the request's language."""
    locale = request_locale(request)
    actor = getattr(request.state, "actor", None)
    page: dict[str, Any] = {
        "request": request,
        "locale": locale,
        "html_lang": i18n.HTML_LANG[locale],
        "languages": languages(request, locale),
        "actor": actor,
        "csrf_token": getattr(request.state, "csrf", None) or "",
        "nav": navigation.menu(actor, request.url.path, page_paths(request)),
        "notices": _notices(request),
        **(context or {}),
    }
    token = i18n.use_locale(locale)
    try:
        body = environment.get_template(template).render(page)
    finally:
        i18n.reset_locale(token)
    response = HTMLResponse(body, status_code=status, headers={"Cache-Control": "no-store"})
    remember_language(request, response)
    if page["notices"]:
        response.delete_cookie(NOTICE_COOKIE, path="/console")
    return response


def remember_language(request: Request, response: Response) -> None:
    """A ``?lang=`` choice is kept in the ``privnum_lang`` cookie (also across a redirect to the login page)."""
    chosen = i18n.known(request.query_params.get(LANG_PARAM))
    if chosen:
        response.set_cookie(LANG_COOKIE, chosen, max_age=LANG_COOKIE_MAX_AGE_S, path="/", samesite="lax")


def redirect_with_notice(url: str, notice: str | None = None) -> Response:
    """A 303 to ``url`` (a console path); ``notice`` (a msgid, marked with ``N_``) is shown there once."""
    response = Response(status_code=303, headers={"Location": url})
    if notice:
        response.set_cookie(NOTICE_COOKIE, notice, max_age=60, path="/console", httponly=True, samesite="lax")
    return response


def conflict_status(request: Request) -> int:
    """The status of a page answering a 409 refusal: 409, but 200 to htmx, which swaps only 2xx and 422 answers
    (base.html's htmx-config), so the refusal's sentence still reaches the page."""
    return 200 if request.headers.get("hx-request") else 409
