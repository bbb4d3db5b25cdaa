"""Signing in and staying signed in: password sign-in with throttling, sessions with their CSRF token,
and API tokens for automation. Only hashes of session and API tokens are stored."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from dataclasses import dataclass

from privnum.domain.access import Actor, ActorKind, Permission
from privnum.domain.audit import AuditEvent
from privnum.domain.management_errors import Invalid, NotFound, Throttled, Unauthenticated
from privnum.service.access.ports import ApiToken, PasswordHasher, User
from privnum.service.clock import now_ms
from privnum.service.management.ports import ManagementTx, ManagementUnit

SESSION_IDLE_MS = 8 * 3_600_000
SESSION_TOUCH_MS = 60_000
THROTTLE_WINDOW_MS = 15 * 60_000
FAILURES_PER_LOGIN = 5
FAILURES_PER_IP = 30
TOKEN_PREFIX = "pn_"
MAX_TOKEN_DAYS = 366
# verified against when the login does not exist, so a wrong login costs as long as a wrong password
_UNKNOWN_USER_PASSWORD = "no such user: constant-time refusal"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class SessionGrant:
    token: str  # the cookie's value; only its hash is stored
    csrf: str
    actor: Actor
    expires_at_ms: int


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # shown once


def actor_of(user: User, kind: ActorKind = ActorKind.USER, ip: str | None = None,
             scopes: frozenset[Permission] | None = None) -> Actor:
    return Actor(kind=kind, login=user.login, role=user.role, user_id=user.id, tenant_id=user.tenant_id,
                 display_name=user.display_name or user.login, locale=user.locale, ip=ip, token_scopes=scopes)


class SignIn:
    def __init__(self, unit: ManagementUnit, hasher: PasswordHasher) -> None:
        self.unit = unit
        self.hasher = hasher
        self._unknown_hash: str | None = None  # made on the first sign-in, not at every start (CLI included)

    async def login(self, login: str, password: str, *, ip: str, user_agent: str | None = None) -> SessionGrant:
        """A new session for a right login and password. Refused (``Unauthenticated``, the same words for a
        wrong login and a wrong password) or throttled (``Throttled``: 5 failures of one login or 30 from one
        address within 15 minutes)."""
        login = login.strip()[:64]
        now = now_ms()

        async def check(tx: ManagementTx) -> User | None:
            by_login, by_ip, oldest = await tx.login_failures_since(login, ip, now - THROTTLE_WINDOW_MS)
            if by_login >= FAILURES_PER_LOGIN or by_ip >= FAILURES_PER_IP:
                retry = ((oldest or now) + THROTTLE_WINDOW_MS - now) // 1000 + 1
                raise Throttled(max(1, int(retry)))
            return await tx.user_by_login(login)

        user = await self.unit.run(check, read_only=True)
        if self._unknown_hash is None:
            self._unknown_hash = await asyncio.to_thread(self.hasher.hash, _UNKNOWN_USER_PASSWORD)
        stored = user.password_hash if user is not None and user.password_hash else self._unknown_hash
        matches = await asyncio.to_thread(self.hasher.verify, stored, password)
        if user is None or not user.password_hash or not matches or user.status != "active":
            await self.unit.run(lambda tx: tx.record_login_failure(login, ip, now))
            raise Unauthenticated("wrong login or password")
        rehash = self.hasher.needs_rehash(user.password_hash)
        new_hash = await asyncio.to_thread(self.hasher.hash, password) if rehash else None
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
        expires = now + SESSION_IDLE_MS
        actor = actor_of(user, ip=ip)

        async def open_session(tx: ManagementTx) -> None:
            await tx.clear_login_failures(login)
            await tx.insert_session(digest(token), user.id, csrf, ip, (user_agent or "")[:255] or None, now, expires)
            values: dict[str, object] = {"last_login_at_ms": now}
            if new_hash:
                values["password_hash"] = new_hash
            await tx.update_user(user.id, **values)
            await tx.audit(AuditEvent(actor, "session.login", f"user:{user.login}", user.tenant_id), now)

        await self.unit.run(open_session)
        return SessionGrant(token, csrf, actor, expires)

    async def session_actor(self, token: str, ip: str | None = None) -> tuple[Actor, str] | None:
        """The signed-in actor and the session's CSRF token; None when the session is unknown, expired or its
        user disabled. Activity extends the session (written at most once a minute)."""
        if not token:
            return None
        key = digest(token)
        now = now_ms()

        async def look(tx: ManagementTx) -> tuple[Actor, str, bool] | None:
            row = await tx.session(key)
            if row is None or row.expires_at_ms <= now:
                return None
            user = await tx.user(row.user_id)
            if user is None or user.status != "active":
                return None
            return actor_of(user, ip=ip), row.csrf_token, now - row.last_seen_at_ms > SESSION_TOUCH_MS

        found = await self.unit.run(look, read_only=True)
        if found is None:
            return None
        actor, csrf, stale = found
        if stale:
            await self.unit.run(lambda tx: tx.touch_session(key, now, now + SESSION_IDLE_MS))
        return actor, csrf

    async def logout(self, token: str, actor: Actor | None = None) -> None:
        key = digest(token)

        async def close(tx: ManagementTx) -> None:
            await tx.delete_session(key)
            if actor is not None:
                await tx.audit(AuditEvent(actor, "session.logout", f"user:{actor.login}", actor.tenant_id), now_ms())

        await self.unit.run(close)

    # API tokens

    async def issue_token(self, actor: Actor, name: str, scopes: frozenset[Permission] | None,
                          days: int) -> IssuedToken:
        """A bearer token of the actor's user, with at most the user's permissions, valid ``days`` days; its
        secret is in the answer only."""
        actor.require(Permission.MANAGE_TOKENS)
        if actor.user_id is None:
            raise Invalid("no_user", "API tokens belong to a user; sign in as one")
        name = name.strip()
        if not 1 <= len(name) <= 64:
            raise Invalid("invalid_name", "a token's name has 1 to 64 characters", field="name")
        if not 1 <= days <= MAX_TOKEN_DAYS:
            raise Invalid("invalid_expiry", f"a token is valid 1 to {MAX_TOKEN_DAYS} days", field="days")
        granted = frozenset(p for p in Permission if actor.can(p))
        wanted = granted if scopes is None else frozenset(scopes)
        if not wanted <= granted:
            extra = ", ".join(sorted(p.value for p in wanted - granted))
            raise Invalid("scope_not_allowed", f"your role cannot grant {extra}", field="scopes")
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        now = now_ms()
        user_id = actor.user_id

        async def work(tx: ManagementTx) -> ApiToken:
            issued = await tx.insert_token(user_id, name, digest(secret), secret[:10], wanted, now,
                                           now + days * 86_400_000)
            await tx.audit(AuditEvent(actor, "token.create", f"token:{issued.id}", actor.tenant_id,
                                      after={"name": name, "scopes": sorted(p.value for p in wanted),
                                             "expires_at_ms": issued.expires_at_ms}), now)
            return issued

        return IssuedToken(await self.unit.run(work), secret)

    async def token_actor(self, secret: str, ip: str | None = None) -> Actor | None:
        """The actor of a bearer token; None when unknown, expired, revoked, or its user is not active."""
        if not secret.startswith(TOKEN_PREFIX):
            return None
        now = now_ms()

        async def look(tx: ManagementTx) -> tuple[Actor, ApiToken] | None:
            token = await tx.token_by_hash(digest(secret))
            if token is None or token.revoked_at_ms is not None or token.expires_at_ms <= now:
                return None
            user = await tx.user(token.user_id)
            if user is None or user.status != "active":
                return None
            return actor_of(user, ActorKind.TOKEN, ip, token.scopes), token

        found = await self.unit.run(look, read_only=True)
        if found is None:
            return None
        actor, token = found
        if token.last_used_at_ms is None or now - token.last_used_at_ms > SESSION_TOUCH_MS:
            await self.unit.run(lambda tx: tx.touch_token(token.id, now))
        return actor

    async def tokens(self, actor: Actor) -> list[ApiToken]:
        if actor.user_id is None:
            return []
        user_id = actor.user_id
        return await self.unit.run(lambda tx: tx.tokens_of(user_id), read_only=True)

    async def revoke_token(self, actor: Actor, token_id: int) -> None:
        async def work(tx: ManagementTx) -> None:
            token = await tx.token(token_id)
            if token is None or token.user_id != actor.user_id:
                raise NotFound("token")
            if token.revoked_at_ms is None:
                await tx.revoke_token(token_id, now_ms())
                await tx.audit(AuditEvent(actor, "token.revoke", f"token:{token_id}", actor.tenant_id,
                                          before={"name": token.name}), now_ms())

        await self.unit.run(work)
