"""Tenants and their users, and the operators: the first operator (CLI or first start), tenants created by an
operator with their first account admin, users invited by their account admin (or an operator) through a
one-time link, role and status changes, password changes."""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass

from privnum.domain.access import (
    Actor,
    ActorKind,
    Permission,
    Role,
    check_locale,
    check_login,
    check_password,
    check_role,
)
from privnum.domain.audit import AuditEvent
from privnum.domain.management_errors import Conflict, Forbidden, Invalid, NotFound
from privnum.service.access.ports import NewUser, PasswordHasher, Tenant, User
from privnum.service.access.sign_in import digest
from privnum.service.clock import now_ms
from privnum.service.management.ports import ManagementTx, ManagementUnit
from privnum.service.paging import Page, PageRequest

INVITE_VALID_MS = 7 * 86_400_000
TENANT_NAME_MAX = 64


@dataclass(frozen=True)
class Invitation:
    user: User
    token: str  # shown once: the invitee opens /console/invite/<token> and chooses a password


def _user_view(user: User) -> dict[str, object]:
    return {"login": user.login, "role": user.role.value, "status": user.status, "tenant_id": user.tenant_id,
            "display_name": user.display_name, "locale": user.locale}


class Users:
    def __init__(self, unit: ManagementUnit, hasher: PasswordHasher) -> None:
        self.unit = unit
        self.hasher = hasher

    async def _hash(self, password: str) -> str:
        return await asyncio.to_thread(self.hasher.hash, check_password(password))

    async def create_operator(self, actor: Actor, login: str, password: str, role: Role = Role.PLATFORM_ADMIN,
                              display_name: str = "") -> User:
        """An operator (platform admin, reviewer or support), by the CLI or a platform admin."""
        actor.require(Permission.MANAGE_USERS)
        if not actor.is_operator:
            raise Forbidden("only operators create operators")
        check_login(login)
        check_role(role.value, tenant=False)
        password_hash = await self._hash(password)
        return await self.unit.run(lambda tx: self._insert(tx, actor, NewUser(
            login=login, display_name=display_name, locale="zh_CN", tenant_id=None, role=role, status="active",
            password_hash=password_hash)))

    async def has_operator(self) -> bool:
        return bool(await self.unit.run(lambda tx: tx.count_operators(), read_only=True))

    async def ensure_first_operator(self, login: str, password: str) -> User | None:
        """On first start: the first platform admin, only when there is no operator yet; None when there is one
        (also when another process of this server created it a moment ago)."""
        check_login(login)
        password_hash = await self._hash(password)

        async def work(tx: ManagementTx) -> User | None:
            if await tx.count_operators():
                return None
            return await self._insert(tx, Actor.system(), NewUser(
                login=login, display_name="", locale="zh_CN", tenant_id=None, role=Role.PLATFORM_ADMIN,
                status="active", password_hash=password_hash))

        try:
            return await self.unit.run(work)
        except Conflict:
            return None

    async def _insert(self, tx: ManagementTx, actor: Actor, user: NewUser) -> User:
        created = await tx.insert_user(user, now_ms())
        if created is None:
            raise Conflict("login_taken", f"the login {user.login!r} is taken; choose another", field="login")
        await tx.audit(AuditEvent(actor, "user.create", f"user:{created.login}", created.tenant_id,
                                  after=_user_view(created)), now_ms())
        return created

    # tenants

    async def create_tenant(self, actor: Actor, name: str, admin_login: str,
                            admin_password: str | None = None) -> tuple[Tenant, User, Invitation | None]:
        """A tenant (a customer account) with its first account admin: with a password, or invited (the
        answer carries the one-time invitation)."""
        actor.require(Permission.MANAGE_TENANTS)
        name = name.strip()
        if not 1 <= len(name) <= TENANT_NAME_MAX:
            raise Invalid("invalid_name", f"a tenant's name has 1 to {TENANT_NAME_MAX} characters", field="name")
        check_login(admin_login)
        password_hash = await self._hash(admin_password) if admin_password is not None else None
        token = None if password_hash else secrets.token_urlsafe(24)
        now = now_ms()

        async def work(tx: ManagementTx) -> tuple[Tenant, User]:
            tenant = await tx.insert_tenant(name, now)
            if tenant is None:
                raise Conflict("tenant_exists", f"a tenant called {name!r} exists", field="name")
            await tx.audit(AuditEvent(actor, "tenant.create", f"tenant:{tenant.id}", tenant.id,
                                      after={"name": name}), now)
            admin = await self._insert(tx, actor, NewUser(
                login=admin_login, display_name="", locale="zh_CN", tenant_id=tenant.id, role=Role.ACCOUNT_ADMIN,
                status="active" if password_hash else "invited", password_hash=password_hash,
                invite_token_hash=digest(token) if token else None,
                invite_expires_at_ms=now + INVITE_VALID_MS if token else None))
            return tenant, admin

        tenant, admin = await self.unit.run(work)
        return tenant, admin, Invitation(admin, token) if token else None

    async def tenants(self, actor: Actor, page: PageRequest = PageRequest()) -> Page[Tenant]:
        actor.require(Permission.MANAGE_TENANTS)
        return await self.unit.run(lambda tx: tx.tenants(page), read_only=True)

    async def tenant(self, actor: Actor, tenant_id: int) -> Tenant:
        found = await self.unit.run(lambda tx: tx.tenant(tenant_id), read_only=True)
        if found is None or not actor.sees(found.id):
            raise NotFound("tenant")
        return found

    # users of a tenant

    async def invite(self, actor: Actor, login: str, role: str, *, tenant_id: int | None = None,
                     display_name: str = "", password: str | None = None) -> tuple[User, Invitation | None]:
        """A user of the actor's tenant (an operator names the tenant): invited through a one-time link, or,
        with a password, active at once."""
        actor.require(Permission.MANAGE_USERS)
        target = tenant_id if actor.is_operator else actor.tenant_id
        if target is None:
            raise Invalid("tenant_required", "name the tenant the user belongs to", field="tenant_id")
        if not actor.sees(target):
            raise NotFound("tenant")
        check_login(login)
        parsed = check_role(role, tenant=True)
        password_hash = await self._hash(password) if password is not None else None
        token = None if password_hash else secrets.token_urlsafe(24)
        now = now_ms()

        async def work(tx: ManagementTx) -> User:
            if await tx.tenant(target) is None:
                raise NotFound("tenant")
            return await self._insert(tx, actor, NewUser(
                login=login, display_name=display_name.strip()[:64], locale="zh_CN", tenant_id=target, role=parsed,
                status="active" if password_hash else "invited", password_hash=password_hash,
                invite_token_hash=digest(token) if token else None,
                invite_expires_at_ms=now + INVITE_VALID_MS if token else None))

        user = await self.unit.run(work)
        return user, Invitation(user, token) if token else None

    async def invitation(self, token: str) -> User:
        """The invited user behind a one-time link (to greet them on the page that sets the password)."""
        found = await self.unit.run(lambda tx: tx.user_by_invite(digest(token)), read_only=True)
        if found is None or found.status != "invited" or (found.invite_expires_at_ms or 0) <= now_ms():
            raise NotFound("invitation", "this invitation is unknown, used or expired; ask for a new one")
        return found

    async def accept_invitation(self, token: str, password: str) -> User:
        await self.invitation(token)
        password_hash = await self._hash(password)

        async def work(tx: ManagementTx) -> User:
            current = await tx.user_by_invite(digest(token))
            if current is None or current.status != "invited":
                raise NotFound("invitation", "this invitation was used already")
            await tx.update_user(current.id, password_hash=password_hash, status="active", invite_token_hash=None,
                                 invite_expires_at_ms=None)
            actor = Actor(kind=ActorKind.USER, login=current.login, role=current.role, user_id=current.id,
                          tenant_id=current.tenant_id)
            await tx.audit(AuditEvent(actor, "user.accept_invitation", f"user:{current.login}", current.tenant_id),
                           now_ms())
            accepted = await tx.user(current.id)
            assert accepted is not None
            return accepted

        return await self.unit.run(work)

    async def list(self, actor: Actor, page: PageRequest = PageRequest(), *, tenant_id: int | None = None,
                   operators: bool = False) -> Page[User]:
        actor.require(Permission.READ)
        if operators:
            if not actor.is_operator:
                raise Forbidden("only operators see the operators")
            return await self.unit.run(lambda tx: tx.users(None, page, operators_only=True), read_only=True)
        scope = tenant_id if actor.is_operator else actor.tenant_id
        return await self.unit.run(lambda tx: tx.users(scope, page), read_only=True)

    async def change(self, actor: Actor, user_id: int, *, role: str | None = None, status: str | None = None,
                     display_name: str | None = None, locale: str | None = None) -> User:
        """Role and status by an account admin (or operator); display name and locale by the user too."""
        async def work(tx: ManagementTx) -> User:
            user = await tx.user(user_id)
            if user is None or not actor.sees(user.tenant_id) or (user.tenant_id is None and not actor.is_operator):
                raise NotFound("user")
            values: dict[str, object] = {}
            own = user.id == actor.user_id
            if role is not None or status is not None:
                actor.require(Permission.MANAGE_USERS)
                if own:
                    raise Conflict("own_account", "you cannot change your own role or status; ask another admin")
            if role is not None:
                values["role"] = check_role(role, tenant=user.tenant_id is not None).value
            if status is not None:
                if status not in ("active", "disabled"):
                    raise Invalid("invalid_status", "a user's status is active or disabled", field="status")
                if user.status == "invited" and status == "active":
                    raise Conflict("invited", "an invited user becomes active by accepting the invitation")
                values["status"] = status
            if display_name is not None:
                if not own:
                    actor.require(Permission.MANAGE_USERS)
                values["display_name"] = display_name.strip()[:64]
            if locale is not None:
                values["locale"] = check_locale(locale)
            if not values:
                return user
            await tx.update_user(user.id, **values)
            if values.get("status") == "disabled":
                await tx.delete_sessions_of(user.id)
            changed = await tx.user(user.id)
            assert changed is not None
            await tx.audit(AuditEvent(actor, "user.update", f"user:{user.login}", user.tenant_id,
                                      before=_user_view(user), after=_user_view(changed)), now_ms())
            return changed

        return await self.unit.run(work)

    async def change_password(self, actor: Actor, current: str, new: str) -> None:
        if actor.user_id is None:
            raise Invalid("no_user", "sign in as a user to change a password")
        user_id = actor.user_id
        user = await self.unit.run(lambda tx: tx.user(user_id), read_only=True)
        if user is None or not user.password_hash:
            raise NotFound("user")
        if not await asyncio.to_thread(self.hasher.verify, user.password_hash, current):
            raise Invalid("wrong_password", "the current password is wrong", field="current_password")
        password_hash = await self._hash(new)

        async def work(tx: ManagementTx) -> None:
            await tx.update_user(user_id, password_hash=password_hash)
            await tx.delete_sessions_of(user_id)
            await tx.audit(AuditEvent(actor, "user.change_password", f"user:{user.login}", user.tenant_id), now_ms())

        await self.unit.run(work)
