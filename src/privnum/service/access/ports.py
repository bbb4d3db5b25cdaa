"""What the access use cases need: user, session, token and tenant rows (inside a management transaction),
and a password hasher."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from privnum.domain.access import Permission, Role
from privnum.service.paging import Page, PageRequest


@dataclass(frozen=True)
class Tenant:
    id: int
    name: str
    status: str
    created_at_ms: int


@dataclass(frozen=True)
class User:
    id: int
    login: str
    display_name: str
    locale: str
    tenant_id: int | None
    role: Role
    status: str  # active, disabled, invited
    password_hash: str | None
    created_at_ms: int
    last_login_at_ms: int | None = None
    invite_expires_at_ms: int | None = None
    tenant_name: str | None = None


@dataclass(frozen=True)
class NewUser:
    login: str
    display_name: str
    locale: str
    tenant_id: int | None
    role: Role
    status: str
    password_hash: str | None
    invite_token_hash: str | None = None
    invite_expires_at_ms: int | None = None


@dataclass(frozen=True)
class SessionRow:
    user_id: int
    csrf_token: str
    expires_at_ms: int
    last_seen_at_ms: int


@dataclass(frozen=True)
class ApiToken:
    id: int
    user_id: int
    name: str
    prefix: str
    scopes: frozenset[Permission]
    created_at_ms: int
    expires_at_ms: int
    last_used_at_ms: int | None = None
    revoked_at_ms: int | None = None


class AccessRows(Protocol):
    async def insert_tenant(self, name: str, now_ms: int) -> Tenant | None:
        """None when a tenant of that name exists."""
        ...

    async def tenant(self, tenant_id: int) -> Tenant | None: ...

    async def tenants(self, page: PageRequest) -> Page[Tenant]: ...

    async def insert_user(self, user: NewUser, now_ms: int) -> User | None:
        """None when the login is taken."""
        ...

    async def user(self, user_id: int) -> User | None: ...

    async def user_by_login(self, login: str) -> User | None: ...

    async def user_by_invite(self, token_hash: str) -> User | None: ...

    async def users(self, tenant_id: int | None, page: PageRequest, *, operators_only: bool = False) -> Page[User]: ...

    async def count_operators(self) -> int: ...

    async def update_user(self, user_id: int, **values: object) -> None: ...

    async def login_failures_since(self, login: str, ip: str, since_ms: int) -> tuple[int, int, int | None]:
        """(failures of this login, failures from this IP, the oldest of those in the window)."""
        ...

    async def record_login_failure(self, login: str, ip: str, now_ms: int) -> None: ...

    async def clear_login_failures(self, login: str) -> None: ...

    async def insert_session(self, token_hash: str, user_id: int, csrf: str, ip: str | None, user_agent: str | None,
                             now_ms: int, expires_at_ms: int) -> None: ...

    async def session(self, token_hash: str) -> SessionRow | None: ...

    async def touch_session(self, token_hash: str, now_ms: int, expires_at_ms: int) -> None: ...

    async def delete_session(self, token_hash: str) -> None: ...

    async def delete_sessions_of(self, user_id: int) -> None: ...

    async def insert_token(self, user_id: int, name: str, token_hash: str, prefix: str, scopes: frozenset[Permission],
                           now_ms: int, expires_at_ms: int) -> ApiToken: ...

    async def token_by_hash(self, token_hash: str) -> ApiToken | None: ...

    async def tokens_of(self, user_id: int) -> list[ApiToken]: ...

    async def token(self, token_id: int) -> ApiToken | None: ...

    async def revoke_token(self, token_id: int, now_ms: int) -> None: ...

    async def touch_token(self, token_id: int, now_ms: int) -> None: ...


class PasswordHasher(Protocol):
    def hash(self, password: str) -> str: ...

    def verify(self, password_hash: str, password: str) -> bool: ...

    def needs_rehash(self, password_hash: str) -> bool: ...
