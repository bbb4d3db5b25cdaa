"""What a tenant may set on an app (Huawei's 应用管理 rules): its name, mode, callback URLs, IP allow-list,
tags, and the grace period of a rotated secret."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from privnum.domain.management_errors import Invalid
from privnum.domain.modes import Mode

ORDERABLE_MODES = (Mode.AXB, Mode.AX, Mode.AXE, Mode.AXYB)  # X mode: "暂不支持申请", as Huawei
NAME_RULE = re.compile(r"^[\u4e00-\u9fffA-Za-z0-9_]{1,64}$")
URL_MAX = 1024
ALLOWLIST_MAX = 64
TAGS_MAX = 10
TAG_KEY_MAX = 128
TAG_VALUE_MAX = 255
TAG_CHARS = re.compile(r"^[\u4e00-\u9fffA-Za-z0-9_.:/=+\-@]*$")
MAX_GRACE_HOURS = 72


def check_app_name(name: str) -> str:
    if not NAME_RULE.match(name):
        raise Invalid("invalid_name", "an app name has 1 to 64 Chinese characters, letters, digits or underscores "
                      "(no spaces)", field="name")
    return name


def check_mode(value: str) -> Mode:
    try:
        mode = Mode(value)
    except ValueError:
        mode = None
    if mode not in ORDERABLE_MODES:
        raise Invalid("invalid_mode", f"an app's mode is one of {', '.join(ORDERABLE_MODES)} (X mode is not offered)",
                      field="mode")
    assert mode is not None
    return mode


def check_callback_url(field: str, url: str | None) -> str | None:
    """An http(s) URL without spaces, or None (no URL) for None or ""."""
    if url is None or url == "":
        return None
    parts = urlsplit(url)
    if (len(url) > URL_MAX or url.strip() != url or any(c.isspace() for c in url)
            or parts.scheme not in ("http", "https") or not parts.hostname):
        raise Invalid("invalid_url", f"{field} is an http:// or https:// address (https://host:port/path), without "
                      f"spaces, at most {URL_MAX} characters", field=field)
    try:
        parts.port  # noqa: B018 — raises on a port that is not a number
    except ValueError:
        raise Invalid("invalid_url", f"{field} has a port that is not a number", field=field) from None
    return url


def check_allowlist(entries: Iterable[str]) -> tuple[str, ...]:
    checked = []
    for entry in entries:
        try:
            checked.append(str(ipaddress.ip_network(entry.strip(), strict=False)) if "/" in entry
                           else str(ipaddress.ip_address(entry.strip())))
        except ValueError:
            raise Invalid("invalid_ip", f"{entry!r} is not an IP address or CIDR range (10.0.0.1, 10.0.0.0/24, "
                          "2001:db8::/32)", field="ip_allowlist") from None
    if len(checked) > ALLOWLIST_MAX:
        raise Invalid("too_many_ips", f"an allow-list has at most {ALLOWLIST_MAX} entries", field="ip_allowlist")
    return tuple(dict.fromkeys(checked))


def check_tags(tags: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """At most 10 key/value tags with unique keys (Huawei's 标签 rules)."""
    checked = tuple(tags)
    if len(checked) > TAGS_MAX:
        raise Invalid("too_many_tags", f"an app has at most {TAGS_MAX} tags", field="tags")
    seen: set[str] = set()
    for key, value in checked:
        if not 1 <= len(key) <= TAG_KEY_MAX or not TAG_CHARS.match(key):
            raise Invalid("invalid_tag", f"a tag key has 1 to {TAG_KEY_MAX} letters, Chinese characters, digits or "
                          "_ . : / = + - @", field="tags")
        if len(value) > TAG_VALUE_MAX or not TAG_CHARS.match(value):
            raise Invalid("invalid_tag", f"a tag value has at most {TAG_VALUE_MAX} letters, Chinese characters, "
                          "digits or _ . : / = + - @", field="tags")
        if key in seen:
            raise Invalid("duplicate_tag", f"the tag key {key!r} appears twice; keys are unique", field="tags")
        seen.add(key)
    return checked


def check_grace_hours(hours: int) -> int:
    if not 0 <= hours <= MAX_GRACE_HOURS:
        raise Invalid("invalid_grace", f"the grace period is 0 to {MAX_GRACE_HOURS} hours", field="grace_hours")
    return hours
