"""Tenant, user, session, API-token and sign-in-failure rows, inside a management transaction."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from privnum.adapters.db.database import Conn
from privnum.adapters.db.tables import api_tokens, login_failures, sessions, tenants, users
from privnum.domain.access import OPERATOR_ROLES, Permission, Role
from privnum.service.access.ports import ApiToken, NewUser, SessionRow, Tenant, User
from privnum.service.paging import Page, PageRequest


def tenant_from_row(row: Any) -> Tenant:
    return Tenant(id=row.id, name=row.name, status=row.status, created_at_ms=row.created_at_ms)


def user_from_row(row: Any) -> User:
    return User(id=row.id, login=row.login, display_name=row.display_name, locale=row.locale,
                tenant_id=row.tenant_id, role=Role(row.role), status=row.status, password_hash=row.password_hash,
                created_at_ms=row.created_at_ms, last_login_at_ms=row.last_login_at_ms,
                invite_expires_at_ms=row.invite_expires_at_ms, tenant_name=getattr(row, "tenant_name", None))


def token_from_row(row: Any) -> ApiToken:
    scopes = frozenset(Permission(p) for p in json.loads(row.scopes) if p in Permission._value2member_map_)
    return ApiToken(id=row.id, user_id=row.user_id, name=row.name, prefix=row.prefix, scopes=scopes,
                    created_at_ms=row.created_at_ms, expires_at_ms=row.expires_at_ms,
                    last_used_at_ms=row.last_used_at_ms, revoked_at_ms=row.revoked_at_ms)


_USER_SELECT = select(users, tenants.c.name.label("tenant_name")).outerjoin(tenants, tenants.c.id == users.c.tenant_id)


async def _inserted(conn: Conn, statement: Any) -> bool:
    savepoint = await conn.begin_nested()
    try:
        await conn.execute(statement)
    except IntegrityError:
        await savepoint.rollback()
        return False
    await savepoint.commit()
    return True


class AccessRows:
    conn: Conn

    async def insert_tenant(self, name: str, now_ms: int) -> Tenant | None:
        if not await _inserted(self.conn, insert(tenants).values(name=name, status="active", created_at_ms=now_ms)):
            return None
        row = (await self.conn.execute(select(tenants).where(tenants.c.name == name))).one()
        return tenant_from_row(row)

    async def tenant(self, tenant_id: int) -> Tenant | None:
        row = (await self.conn.execute(select(tenants).where(tenants.c.id == tenant_id))).first()
        return tenant_from_row(row) if row else None

    async def tenants(self, page: PageRequest) -> Page[Tenant]:
        total = (await self.conn.execute(select(func.count()).select_from(tenants))).scalar_one()
        rows = (await self.conn.execute(select(tenants).order_by(tenants.c.id.desc())
                                        .limit(page.per_page).offset(page.offset))).all()
        return Page([tenant_from_row(r) for r in rows], total, page.page, page.per_page)

    async def insert_user(self, user: NewUser, now_ms: int) -> User | None:
        values = {"login": user.login, "display_name": user.display_name, "locale": user.locale,
                  "tenant_id": user.tenant_id, "role": user.role.value, "status": user.status,
                  "password_hash": user.password_hash, "invite_token_hash": user.invite_token_hash,
                  "invite_expires_at_ms": user.invite_expires_at_ms, "created_at_ms": now_ms}
        if not await _inserted(self.conn, insert(users).values(**values)):
            return None
        return await self.user_by_login(user.login)

    async def user(self, user_id: int) -> User | None:
        row = (await self.conn.execute(_USER_SELECT.where(users.c.id == user_id))).first()
        return user_from_row(row) if row else None

    async def user_by_login(self, login: str) -> User | None:
        row = (await self.conn.execute(_USER_SELECT.where(users.c.login == login))).first()
        return user_from_row(row) if row else None

    async def user_by_invite(self, token_hash: str) -> User | None:
        row = (await self.conn.execute(_USER_SELECT.where(users.c.invite_token_hash == token_hash))).first()
        return user_from_row(row) if row else None

    async def users(self, tenant_id: int | None, page: PageRequest, *, operators_only: bool = False) -> Page[User]:
        where: Any
        if operators_only:
            where = users.c.role.in_([r.value for r in OPERATOR_ROLES])
        elif tenant_id is not None:
            where = users.c.tenant_id == tenant_id
        else:
            where = users.c.tenant_id.is_not(None)
        total = (await self.conn.execute(select(func.count()).select_from(users).where(where))).scalar_one()
        rows = (await self.conn.execute(_USER_SELECT.where(where).order_by(users.c.login)
                                        .limit(page.per_page).offset(page.offset))).all()
        return Page([user_from_row(r) for r in rows], total, page.page, page.per_page)

    async def count_operators(self) -> int:
        query = select(func.count()).select_from(users).where(users.c.role.in_([r.value for r in OPERATOR_ROLES]))
        return int((await self.conn.execute(query)).scalar_one())

    async def update_user(self, user_id: int, **values: object) -> None:
        await self.conn.execute(update(users).where(users.c.id == user_id).values(**values))

    async def login_failures_since(self, login: str, ip: str, since_ms: int) -> tuple[int, int, int | None]:
        by_login = (await self.conn.execute(
            select(func.count(), func.min(login_failures.c.at_ms))
            .where(login_failures.c.login == login, login_failures.c.at_ms >= since_ms))).one()
        by_ip = (await self.conn.execute(
            select(func.count(), func.min(login_failures.c.at_ms))
            .where(login_failures.c.ip == ip, login_failures.c.at_ms >= since_ms))).one()
        oldest = [t for t in (by_login[1], by_ip[1]) if t is not None]
        return int(by_login[0]), int(by_ip[0]), min(oldest) if oldest else None

    async def record_login_failure(self, login: str, ip: str, now_ms: int) -> None:
        await self.conn.execute(insert(login_failures).values(login=login, ip=ip, at_ms=now_ms))

    async def clear_login_failures(self, login: str) -> None:
        await self.conn.execute(delete(login_failures).where(login_failures.c.login == login))

    async def insert_session(self, token_hash: str, user_id: int, csrf: str, ip: str | None, user_agent: str | None,
                             now_ms: int, expires_at_ms: int) -> None:
        await self.conn.execute(insert(sessions).values(
            token_hash=token_hash, user_id=user_id, csrf_token=csrf, ip=ip, user_agent=user_agent,
            created_at_ms=now_ms, last_seen_at_ms=now_ms, expires_at_ms=expires_at_ms))

    async def session(self, token_hash: str) -> SessionRow | None:
        row = (await self.conn.execute(select(sessions).where(sessions.c.token_hash == token_hash))).first()
        if row is None:
            return None
        return SessionRow(user_id=row.user_id, csrf_token=row.csrf_token, expires_at_ms=row.expires_at_ms,
                          last_seen_at_ms=row.last_seen_at_ms)

    async def touch_session(self, token_hash: str, now_ms: int, expires_at_ms: int) -> None:
        await self.conn.execute(update(sessions).where(sessions.c.token_hash == token_hash)
                                .values(last_seen_at_ms=now_ms, expires_at_ms=expires_at_ms))

    async def delete_session(self, token_hash: str) -> None:
        await self.conn.execute(delete(sessions).where(sessions.c.token_hash == token_hash))

    async def delete_sessions_of(self, user_id: int) -> None:
        await self.conn.execute(delete(sessions).where(sessions.c.user_id == user_id))

    async def insert_token(self, user_id: int, name: str, token_hash: str, prefix: str, scopes: frozenset[Permission],
                           now_ms: int, expires_at_ms: int) -> ApiToken:
        await self.conn.execute(insert(api_tokens).values(
            user_id=user_id, name=name, token_hash=token_hash, prefix=prefix,
            scopes=json.dumps(sorted(p.value for p in scopes)), created_at_ms=now_ms, expires_at_ms=expires_at_ms))
        token = await self.token_by_hash(token_hash)
        assert token is not None
        return token

    async def token_by_hash(self, token_hash: str) -> ApiToken | None:
        row = (await self.conn.execute(select(api_tokens).where(api_tokens.c.token_hash == token_hash))).first()
        return token_from_row(row) if row else None

    async def tokens_of(self, user_id: int) -> list[ApiToken]:
        rows = (await self.conn.execute(select(api_tokens).where(api_tokens.c.user_id == user_id)
                                        .order_by(api_tokens.c.id.desc()))).all()
        return [token_from_row(r) for r in rows]

    async def token(self, token_id: int) -> ApiToken | None:
        row = (await self.conn.execute(select(api_tokens).where(api_tokens.c.id == token_id))).first()
        return token_from_row(row) if row else None

    async def revoke_token(self, token_id: int, now_ms: int) -> None:
        await self.conn.execute(update(api_tokens).where(api_tokens.c.id == token_id).values(revoked_at_ms=now_ms))

    async def touch_token(self, token_id: int, now_ms: int) -> None:
        await self.conn.execute(update(api_tokens).where(api_tokens.c.id == token_id).values(last_used_at_ms=now_ms))
