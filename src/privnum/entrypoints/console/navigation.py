"""The left navigation, mirroring Huawei's console: the tenant's pages and the operator's.

An entry is shown when its page exists (a GET route at its ``path`` is registered) and the signed-in
actor may see it (its side, its permission): pages other areas have not built yet never show as dead
links. Adding a page to the navigation is one ``NavEntry`` line here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from privnum.domain.access import Permission
from privnum.entrypoints.console.i18n import N_

PREFIX = "/console"


class Side(StrEnum):
    TENANT = "tenant"
    OPERATOR = "operator"
    BOTH = "both"


class Viewer(Protocol):
    """What the navigation needs to know of the signed-in actor."""

    @property
    def is_operator(self) -> bool: ...

    def can(self, permission: Permission) -> bool: ...


@dataclass(frozen=True)
class NavEntry:
    key: str
    path: str
    label: str  # msgid, translated where it is shown
    side: Side
    permission: Permission | None = None  # None: every signed-in actor of that side

    def visible_to(self, viewer: Viewer) -> bool:
        if self.side is not Side.BOTH and (self.side is Side.OPERATOR) != viewer.is_operator:
            return False
        return self.permission is None or viewer.can(self.permission)


P = Permission
ENTRIES: tuple[NavEntry, ...] = (
    NavEntry("overview", PREFIX, N_("Overview"), Side.BOTH),
    NavEntry("enterprises", f"{PREFIX}/enterprises", N_("Enterprises"), Side.TENANT, P.READ),
    NavEntry("apps", f"{PREFIX}/apps", N_("Applications"), Side.TENANT, P.READ),
    NavEntry("orders", f"{PREFIX}/orders", N_("Number orders"), Side.TENANT, P.READ),
    NavEntry("numbers", f"{PREFIX}/numbers", N_("Numbers"), Side.TENANT, P.READ),
    NavEntry("a_numbers", f"{PREFIX}/a-numbers", N_("A numbers"), Side.TENANT, P.READ),
    NavEntry("voice_files", f"{PREFIX}/voice-files", N_("Voice files"), Side.TENANT, P.READ),
    NavEntry("records", f"{PREFIX}/records", N_("Call records"), Side.TENANT, P.READ),
    NavEntry("sms_records", f"{PREFIX}/records/sms", N_("SMS records"), Side.TENANT, P.READ),
    NavEntry("statistics", f"{PREFIX}/statistics", N_("Statistics"), Side.TENANT, P.READ),
    NavEntry("pushes", f"{PREFIX}/pushes", N_("Push records"), Side.TENANT, P.READ),
    NavEntry("audit", f"{PREFIX}/audit", N_("Audit log"), Side.TENANT, P.READ_AUDIT),
    NavEntry("users", f"{PREFIX}/users", N_("User management"), Side.TENANT, P.MANAGE_USERS),
    NavEntry("reviews", f"{PREFIX}/admin/reviews", N_("Review queue"), Side.OPERATOR, P.READ),
    NavEntry("tenants", f"{PREFIX}/admin/tenants", N_("Tenants"), Side.OPERATOR, P.MANAGE_TENANTS),
    NavEntry("quotas", f"{PREFIX}/admin/enterprises", N_("Enterprises & quotas"), Side.OPERATOR, P.READ),
    NavEntry("inventory", f"{PREFIX}/admin/inventory", N_("Number inventory"), Side.OPERATOR, P.READ),
    NavEntry("admin_orders", f"{PREFIX}/admin/orders", N_("Number orders"), Side.OPERATOR, P.ISSUE_ORDERS),
    NavEntry("admin_audit", f"{PREFIX}/admin/audit", N_("Audit log"), Side.OPERATOR, P.READ_AUDIT),
    NavEntry("billing", f"{PREFIX}/billing", N_("Billing"), Side.BOTH, P.READ_BILLING),
    NavEntry("tokens", f"{PREFIX}/tokens", N_("API tokens"), Side.BOTH, P.MANAGE_TOKENS),
)


@dataclass(frozen=True)
class NavItem:
    key: str
    path: str
    label: str
    active: bool


def _owns(entry_path: str, current_path: str) -> bool:
    if entry_path == PREFIX:
        return current_path.rstrip("/") == PREFIX
    return current_path == entry_path or current_path.startswith(entry_path + "/")


def menu(viewer: Viewer | None, current_path: str, pages: Iterable[str],
         entries: Iterable[NavEntry] = ENTRIES) -> list[NavItem]:
    """The entries ``viewer`` sees, among those whose page is registered (``pages``: GET paths); the
    longest path owning ``current_path`` is the active one. No viewer (signed out): no navigation."""
    if viewer is None:
        return []
    registered = set(pages)
    shown = [e for e in entries if e.path in registered and e.visible_to(viewer)]
    owners = [e for e in shown if _owns(e.path, current_path)]
    active = max(owners, key=lambda e: len(e.path)).key if owners else None
    return [NavItem(e.key, e.path, e.label, e.key == active) for e in shown]
