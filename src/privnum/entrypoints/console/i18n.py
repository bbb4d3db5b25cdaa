"""The console's languages: which one a request gets, and the gettext catalogs they are read from.

Catalogs are the ``.po`` files under ``locale/<lang>/LC_MESSAGES/``, one file per area (``common.po``,
``apps.po``, …), merged and compiled in memory when the process starts: no ``.mo`` file is committed,
so none can be stale. Message ids are the English text; ``en`` falls back to them.
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Mapping
from contextvars import ContextVar, Token
from functools import cache
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).parent / "locale"
LOCALES = ("zh_CN", "en")
DEFAULT_LOCALE = "zh_CN"
LANG_COOKIE = "privnum_lang"
LANG_PARAM = "lang"
HTML_LANG = {"zh_CN": "zh-CN", "en": "en"}


def N_(message: str) -> str:
    """Mark ``message`` for extraction where it is defined; it is translated where it is shown."""
    return message


def merged_catalog(locale: str, locale_dir: Path = LOCALE_DIR) -> Catalog:
    """Every area's ``.po`` of ``locale`` in one catalog (files in name order; a later id wins)."""
    merged = Catalog(locale=locale, domain="console")
    for po_file in sorted((locale_dir / locale / "LC_MESSAGES").glob("*.po")):
        with po_file.open("rb") as source:
            for message in read_po(source, locale=locale):
                if message.id:
                    merged[message.id] = message
    return merged


def compile_catalog(catalog: Catalog) -> gettext.GNUTranslations:
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


@cache
def translations(locale: str) -> gettext.GNUTranslations:
    """The compiled catalog of ``locale`` (one of ``LOCALES``), built once per process."""
    if locale not in LOCALES:
        raise ValueError(f"unknown console locale {locale!r}")
    return compile_catalog(merged_catalog(locale))


def load_all() -> None:
    """Compile every catalog now (at startup), so a broken ``.po`` file fails the start, not a page."""
    for locale in LOCALES:
        translations(locale)


_current: ContextVar[str] = ContextVar("console_locale", default=DEFAULT_LOCALE)


def use_locale(locale: str) -> Token[str]:
    """Make ``locale`` the one ``gettext``/``ngettext`` translate into; returns the token for ``reset``."""
    return _current.set(locale)


def reset_locale(token: Token[str]) -> None:
    _current.reset(token)


def current_locale() -> str:
    return _current.get()


def gettext_(message: str) -> str:
    return translations(_current.get()).gettext(message)


def ngettext_(singular: str, plural: str, n: int) -> str:
    return translations(_current.get()).ngettext(singular, plural, n)


def translate(locale: str, message: str, **variables: object) -> str:
    """``message`` in ``locale``, with ``%(name)s`` placeholders filled from ``variables``."""
    text = translations(locale).gettext(message)
    return text % variables if variables else text


def known(value: str | None) -> str | None:
    """``value`` as one of ``LOCALES`` ('zh', 'zh-CN', 'zh_Hans_CN' → zh_CN; 'en-GB' → en), else None."""
    if not value:
        return None
    tag = value.strip().replace("-", "_").lower()
    if tag.startswith("zh"):
        return "zh_CN"
    if tag == "en" or tag.startswith("en_"):
        return "en"
    return None


def from_accept_language(header: str) -> str | None:
    """The first of ``LOCALES`` the browser asks for, by q-value (``zh-CN,zh;q=0.9,en;q=0.8``)."""
    weighted: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        locale = known(tag)
        if locale and quality > 0:
            weighted.append((-quality, index, locale))
    return min(weighted)[2] if weighted else None


def choose_locale(query: Mapping[str, str], cookies: Mapping[str, str], headers: Mapping[str, str],
                  user_locale: str | None = None) -> str:
    """``?lang=`` → the ``privnum_lang`` cookie → the signed-in user's locale → ``Accept-Language`` → zh_CN."""
    return (known(query.get(LANG_PARAM)) or known(cookies.get(LANG_COOKIE)) or known(user_locale)
            or from_accept_language(headers.get("accept-language", "")) or DEFAULT_LOCALE)


@cache
def message_ids() -> frozenset[str]:
    """Every msgid of the catalogs (``DEFAULT_LOCALE``'s files)."""
    return frozenset(str(m.id) for m in merged_catalog(DEFAULT_LOCALE) if m.id)
