"""Who may do what in the management plane: roles, their permissions, and the actor of an action.

Two kinds of people: operators (whoever runs privnum; they play Huawei's reviewers and support; no tenant)
and tenant users (a customer's staff; one tenant each). A tenant user never sees another tenant's things:
``Actor.sees`` is the one test every lookup applies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from enum import StrEnum

from privnum.domain.management_errors import Forbidden, Invalid


class Role(StrEnum):
    PLATFORM_ADMIN = "platform_admin"
    REVIEWER = "reviewer"
    SUPPORT = "support"
    ACCOUNT_ADMIN = "account_admin"
    DEVELOPER = "developer"
    BILLING = "billing"
    VIEWER = "viewer"


OPERATOR_ROLES = frozenset({Role.PLATFORM_ADMIN, Role.REVIEWER, Role.SUPPORT})
TENANT_ROLES = frozenset({Role.ACCOUNT_ADMIN, Role.DEVELOPER, Role.BILLING, Role.VIEWER})


class Permission(StrEnum):
    # tenant side
    READ = "read"  # see the tenant's enterprises, apps, numbers, voice files, records, statistics
    MANAGE_USERS = "users.manage"
    MANAGE_ENTERPRISES = "enterprises.manage"
    MANAGE_APPS = "apps.manage"
    ROTATE_SECRETS = "apps.rotate_secret"
    ORDER_NUMBERS = "numbers.order"
    RELEASE_NUMBERS = "numbers.release"
    MANAGE_VOICE_FILES = "voice_files.manage"
    REVEAL_NUMBERS = "numbers.reveal"  # see real A/B numbers unmasked (each reveal is audited)
    REPLAY_PUSHES = "pushes.replay"
    READ_BILLING = "billing.read"
    BUY_PACKAGES = "billing.packages.buy"  # buy a package for the tenant, paid from its wallet
    MANAGE_TOKENS = "tokens.manage"
    # operator side
    DECIDE_REVIEWS = "reviews.decide"
    MANAGE_TENANTS = "tenants.manage"
    MANAGE_QUOTAS = "quotas.manage"
    MANAGE_INVENTORY = "inventory.manage"
    ISSUE_ORDERS = "orders.issue"
    SUSPEND_APPS = "apps.suspend"
    LOCK_NUMBERS = "numbers.lock"
    MANAGE_SETTINGS = "settings.manage"
    READ_AUDIT = "audit.read"
    MANAGE_BILLING = "billing.manage"  # top-ups, adjustments, credit limits


_ALL = frozenset(Permission)
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.PLATFORM_ADMIN: _ALL,
    Role.REVIEWER: frozenset({Permission.READ, Permission.DECIDE_REVIEWS, Permission.READ_AUDIT,
                              Permission.ISSUE_ORDERS, Permission.MANAGE_TOKENS}),
    Role.SUPPORT: frozenset({Permission.READ, Permission.SUSPEND_APPS, Permission.LOCK_NUMBERS,
                             Permission.REPLAY_PUSHES, Permission.REVEAL_NUMBERS, Permission.READ_AUDIT,
                             Permission.MANAGE_TOKENS, Permission.READ_BILLING}),
    Role.ACCOUNT_ADMIN: frozenset({
        Permission.READ, Permission.MANAGE_USERS, Permission.MANAGE_ENTERPRISES, Permission.MANAGE_APPS,
        Permission.ROTATE_SECRETS, Permission.ORDER_NUMBERS, Permission.RELEASE_NUMBERS,
        Permission.MANAGE_VOICE_FILES, Permission.REVEAL_NUMBERS, Permission.REPLAY_PUSHES,
        Permission.READ_BILLING, Permission.BUY_PACKAGES, Permission.MANAGE_TOKENS, Permission.READ_AUDIT}),
    Role.DEVELOPER: frozenset({Permission.READ, Permission.MANAGE_APPS, Permission.MANAGE_VOICE_FILES,
                               Permission.REVEAL_NUMBERS, Permission.REPLAY_PUSHES, Permission.MANAGE_TOKENS}),
    Role.BILLING: frozenset({Permission.READ, Permission.READ_BILLING, Permission.BUY_PACKAGES}),
    Role.VIEWER: frozenset({Permission.READ}),
}

LOGIN_RULE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{2,63}$")
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256
LOCALES = ("zh_CN", "en")


class ActorKind(StrEnum):
    USER = "user"  # signed in to the console or the management API with a password
    TOKEN = "token"  # an API token of a user
    CLI = "cli"  # someone with a shell on the server (the operator's CLI)
    SYSTEM = "system"  # privnum itself (auto-approval, first-start bootstrap)


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    login: str
    role: Role
    user_id: int | None = None
    tenant_id: int | None = None
    display_name: str = ""
    locale: str = "zh_CN"
    ip: str | None = None
    token_scopes: frozenset[Permission] | None = None  # an API token may carry fewer permissions than its user

    @property
    def is_operator(self) -> bool:
        return self.role in OPERATOR_ROLES

    def can(self, permission: Permission) -> bool:
        if permission not in ROLE_PERMISSIONS[self.role]:
            return False
        return self.token_scopes is None or permission in self.token_scopes

    def require(self, permission: Permission) -> None:
        if not self.can(permission):
            raise Forbidden(f"your role ({self.role.value}) may not do this ({permission.value}); "
                            "ask your account admin or an operator")

    def sees(self, tenant_id: int | None) -> bool:
        """Whether a thing of ``tenant_id`` exists for this actor (operators see everything)."""
        return self.is_operator or (self.tenant_id is not None and tenant_id == self.tenant_id)

    def tenant_scope(self) -> int | None:
        """The tenant whose things a listing shows: None (everything) for operators."""
        return None if self.is_operator else self.tenant_id

    def with_ip(self, ip: str | None) -> Actor:
        return replace(self, ip=ip)

    @staticmethod
    def cli(login: str = "cli") -> Actor:
        return Actor(kind=ActorKind.CLI, login=login, role=Role.PLATFORM_ADMIN)

    @staticmethod
    def system() -> Actor:
        return Actor(kind=ActorKind.SYSTEM, login="privnum", role=Role.PLATFORM_ADMIN)


def check_login(login: str) -> str:
    if not LOGIN_RULE.match(login):
        raise Invalid("invalid_login", "a login is 3 to 64 letters, digits or . _ @ -, starting with a letter "
                      "or digit", field="login")
    return login


def check_password(password: str) -> str:
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise Invalid("weak_password", f"a password has {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters",
                      field="password")
    if password.strip() != password or len(set(password)) < 4:
        raise Invalid("weak_password", "choose a password with more varied characters and no leading or "
                      "trailing spaces", field="password")
    return password


def check_role(role: str, *, tenant: bool) -> Role:
    try:
        parsed = Role(role)
    except ValueError:
        raise Invalid("invalid_role", f"no role {role!r}", field="role") from None
    allowed = TENANT_ROLES if tenant else OPERATOR_ROLES
    if parsed not in allowed:
        side = "a tenant user" if tenant else "an operator"
        raise Invalid("invalid_role", f"{side} has one of the roles {', '.join(sorted(allowed))}", field="role")
    return parsed


def check_locale(locale: str) -> str:
    if locale not in LOCALES:
        raise Invalid("invalid_locale", f"a locale is one of {', '.join(LOCALES)}", field="locale")
    return locale
