"""Every message the console shows has a Chinese translation; catalogs agree with each other; the vendored
htmx is the file VENDORED.md records. (Run this after adding an area's strings.)"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from privnum.entrypoints.console import i18n

ROOT = Path(__file__).resolve().parents[2]
CONSOLE = ROOT / "src" / "privnum" / "entrypoints" / "console"
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def extracted() -> dict[str, str]:
    """msgid → where it is first used, as ``pybabel extract -F babel.cfg -k t`` finds them."""
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    found: dict[str, str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords={**DEFAULT_KEYWORDS, "t": None}):
        for msgid in message if isinstance(message, tuple) else (message,):
            found.setdefault(msgid, f"{filename}:{lineno}")
    return found


def test_every_message_has_a_chinese_translation() -> None:
    catalog = i18n.merged_catalog("zh_CN")
    missing = [f"{where}: {msgid!r}" for msgid, where in extracted().items()
               if not (catalog.get(msgid) and catalog.get(msgid).string)]
    assert not missing, "add these to locale/zh_CN/LC_MESSAGES/<area>.po (and en):\n" + "\n".join(missing)


def test_every_message_is_in_the_english_catalog_too() -> None:
    catalog = i18n.merged_catalog("en")
    missing = [f"{where}: {msgid!r}" for msgid, where in extracted().items() if catalog.get(msgid) is None]
    assert not missing, "add these to locale/en/LC_MESSAGES/<area>.po (msgstr may stay empty):\n" + "\n".join(missing)


def test_translations_keep_their_placeholders() -> None:
    for locale in i18n.LOCALES:
        for message in i18n.merged_catalog(locale):
            if message.id and message.string:
                assert set(PLACEHOLDER.findall(str(message.id))) == set(PLACEHOLDER.findall(str(message.string))), (
                    locale, message.id)


def test_areas_do_not_translate_one_message_two_ways() -> None:
    for locale in i18n.LOCALES:
        seen: dict[str, tuple[str, str]] = {}
        for po_file in sorted((i18n.LOCALE_DIR / locale / "LC_MESSAGES").glob("*.po")):
            with po_file.open("rb") as source:
                for message in read_po(source, locale=locale):
                    if not message.id or not message.string:
                        continue
                    earlier = seen.setdefault(str(message.id), (po_file.name, str(message.string)))
                    assert earlier[1] == message.string, (
                        f"{message.id!r}: {earlier[0]} says {earlier[1]!r}, {po_file.name} says {message.string!r}")


def test_catalogs_compile_and_translate() -> None:
    assert i18n.translate("zh_CN", "Overview") == "总览"
    assert i18n.translate("en", "Overview") == "Overview"
    assert i18n.translate("zh_CN", "Page %(number)s of %(pages)s", number=2, pages=5) == "第 2 页，共 5 页"


def test_vendored_htmx_is_the_recorded_file() -> None:
    recorded = re.search(r"`htmx\.min\.js` \| htmx\.org \| 2\.0\.\d+ .*`([0-9a-f]{64})`",
                         (CONSOLE / "static" / "VENDORED.md").read_text())
    assert recorded, "VENDORED.md has no htmx row"
    assert hashlib.sha256((CONSOLE / "static" / "htmx.min.js").read_bytes()).hexdigest() == recorded.group(1)
