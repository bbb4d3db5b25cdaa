"""The provisioning port on SQLAlchemy Core: bindings, keys, number load and user quotas.

Every rule that must hold across processes is decided here by one atomic statement or a
constraint, inside a SAVEPOINT so a lost race can be undone and the next candidate tried:
raising a number's load is ``UPDATE ... WHERE load < capacity``; a taken key is a primary-key
violation on ``binding_keys``; a full quota is an upsert whose WHERE refuses.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import and_, case, delete, exists, func, insert, not_, or_, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from privnum.adapters.db.engine import with_retries
from privnum.adapters.db.tables import binding_keys, bindings, numbers, user_quotas
from privnum.domain.allocation import AreaScope, ScopeCensus
from privnum.domain.bindings import Binding
from privnum.domain.modes import Mode
from privnum.domain.private_numbers import NumberRole, NumberState, PrivateNumber
from privnum.service.ports import BindingFilter, Claim

T = TypeVar("T")

_QUOTA_UPSERT = text(
    "INSERT INTO user_quotas (app_id, user_number, used) VALUES (:app_id, :user, 1) "
    "ON CONFLICT (app_id, user_number) DO UPDATE SET used = user_quotas.used + 1 "
    "WHERE user_quotas.used < :limit"
)


def _binding_from_row(row: Any) -> Binding:
    return Binding(
        id=row.id,
        app_id=row.app_id,
        mode=Mode(row.mode),
        number=row.number,
        party_a=row.party_a,
        party_b=row.party_b,
        extension=row.extension,
        parent_id=row.parent_id,
        settings=json.loads(row.settings or "{}"),
        created_at_ms=row.created_at_ms,
        updated_at_ms=row.updated_at_ms,
        expires_at_ms=row.expires_at_ms,
    )


def number_from_row(row: Any) -> PrivateNumber:
    return PrivateNumber(
        number=row.number,
        app_id=row.app_id,
        area_code=row.area_code,
        province=row.province,
        state=NumberState(row.state),
        load=row.load,
        role=NumberRole(row.role) if row.role else None,
        sms_capable=bool(row.sms_capable),
    )


def _binding_values(b: Binding) -> dict[str, Any]:
    return {
        "id": b.id,
        "app_id": b.app_id,
        "mode": b.mode.value,
        "number": b.number,
        "party_a": b.party_a,
        "party_b": b.party_b,
        "extension": b.extension,
        "parent_id": b.parent_id,
        "settings": json.dumps(b.settings, separators=(",", ":"), ensure_ascii=False),
        "created_at_ms": b.created_at_ms,
        "updated_at_ms": b.updated_at_ms,
        "expires_at_ms": b.expires_at_ms,
    }


def _live(now_ms: int):  # type: ignore[no-untyped-def]
    return or_(bindings.c.expires_at_ms.is_(None), bindings.c.expires_at_ms > now_ms)


def _scope_clause(scope: AreaScope):  # type: ignore[no-untyped-def]
    if scope.area_code:
        return numbers.c.area_code == scope.area_code
    if scope.province:
        return numbers.c.province == scope.province
    return text("1=1")


class SqlProvisioningTx:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def purge_expired(self, now_ms: int, app_id: int | None = None, limit: int = 500) -> int:
        query = select(bindings).where(bindings.c.expires_at_ms <= now_ms)
        if app_id is not None:
            query = query.where(bindings.c.app_id == app_id)
        rows = (await self.conn.execute(query.order_by(bindings.c.number, bindings.c.id).limit(limit))).all()
        released = 0
        for row in rows:
            released += await self.release(_binding_from_row(row))
        return released

    async def number(self, number: str) -> PrivateNumber | None:
        row = (await self.conn.execute(select(numbers).where(numbers.c.number == number))).first()
        return number_from_row(row) if row else None

    def _room(self, app_id: int, scope: AreaScope, role: NumberRole, capacity: int):  # type: ignore[no-untyped-def]
        return and_(
            numbers.c.app_id == app_id,
            _scope_clause(scope),
            numbers.c.state == NumberState.AVAILABLE.value,
            numbers.c.load < capacity,
            or_(numbers.c.role.is_(None), numbers.c.role == role.value),
        )

    @staticmethod
    def _keys_free(keys: Sequence[str]):  # type: ignore[no-untyped-def]
        taken = exists().where(and_(binding_keys.c.number == numbers.c.number, binding_keys.c.key.in_(list(keys))))
        return not_(taken)

    async def candidates(self, app_id: int, scope: AreaScope, role: NumberRole, capacity: int, keys: Sequence[str],
                         exclude: Sequence[str], limit: int) -> list[str]:
        query = select(numbers.c.number).where(self._room(app_id, scope, role, capacity), self._keys_free(keys))
        if exclude:
            query = query.where(numbers.c.number.not_in(list(exclude)))
        query = query.order_by(numbers.c.load, numbers.c.number).limit(limit)
        return list((await self.conn.execute(query)).scalars())

    async def census(self, app_id: int, scope: AreaScope, role: NumberRole, capacity: int,
                     keys: Sequence[str]) -> ScopeCensus:
        in_scope = and_(numbers.c.app_id == app_id, _scope_clause(scope))
        usable = and_(in_scope, numbers.c.state == NumberState.AVAILABLE.value)
        counts = (await self.conn.execute(select(
            select(func.count()).where(in_scope).scalar_subquery(),
            select(func.count()).where(usable).scalar_subquery(),
            select(func.count()).where(self._room(app_id, scope, role, capacity)).scalar_subquery(),
        ))).one()
        return ScopeCensus(scope=scope, numbers=counts[0], usable=counts[1], with_room=counts[2])

    async def quota_used(self, app_id: int, user: str) -> int:
        query = select(user_quotas.c.used).where(user_quotas.c.app_id == app_id, user_quotas.c.user_number == user)
        return (await self.conn.execute(query)).scalar() or 0

    async def claim(self, binding: Binding, role: NumberRole, capacity: int, quota_limit: int) -> Claim:
        savepoint = await self.conn.begin_nested()
        try:
            outcome = await self._claim(binding, role, capacity, quota_limit)
        except IntegrityError:
            outcome = Claim.KEY_TAKEN
        if outcome is Claim.PLACED:
            await savepoint.commit()
        else:
            await savepoint.rollback()
        return outcome

    async def _claim(self, binding: Binding, role: NumberRole, capacity: int, quota_limit: int) -> Claim:
        raised = await self.conn.execute(
            update(numbers)
            .where(
                numbers.c.number == binding.number,
                numbers.c.app_id == binding.app_id,
                numbers.c.state == NumberState.AVAILABLE.value,
                numbers.c.load < capacity,
                or_(numbers.c.role.is_(None), numbers.c.role == role.value),
            )
            .values(load=numbers.c.load + 1, role=role.value, updated_at_ms=binding.created_at_ms)
        )
        if raised.rowcount != 1:
            return Claim.NUMBER_FULL
        await self._insert_keys(binding)
        user = binding.quota_user()
        if user is not None:
            quota = await self.conn.execute(_QUOTA_UPSERT, {"app_id": binding.app_id, "user": user,
                                                            "limit": quota_limit})
            if quota.rowcount != 1:
                return Claim.QUOTA_EXCEEDED
        await self.conn.execute(insert(bindings).values(**_binding_values(binding)))
        return Claim.PLACED

    async def _insert_keys(self, binding: Binding) -> None:
        await self.conn.execute(
            insert(binding_keys),
            [{"number": binding.number, "key": key, "binding_id": binding.id} for key in binding.exclusive_keys()],
        )

    async def rekey(self, old: Binding, new: Binding) -> Claim:
        """Swap the keys of a binding whose parties changed (AXB modify of A or B)."""
        savepoint = await self.conn.begin_nested()
        try:
            await self.conn.execute(delete(binding_keys).where(binding_keys.c.binding_id == old.id))
            await self._insert_keys(new)
        except IntegrityError:
            await savepoint.rollback()
            return Claim.KEY_TAKEN
        await savepoint.commit()
        return Claim.PLACED

    async def move_quota(self, app_id: int, old_user: str, new_user: str, limit: int) -> bool:
        """Hand one X of ``old_user``'s quota to ``new_user`` (AX modify of origNum)."""
        savepoint = await self.conn.begin_nested()
        taken = await self.conn.execute(_QUOTA_UPSERT, {"app_id": app_id, "user": new_user, "limit": limit})
        if taken.rowcount != 1:
            await savepoint.rollback()
            return False
        await self.conn.execute(
            update(user_quotas)
            .where(user_quotas.c.app_id == app_id, user_quotas.c.user_number == old_user)
            .values(used=user_quotas.c.used - 1)
        )
        await savepoint.commit()
        return True

    async def save(self, binding: Binding) -> None:
        values = _binding_values(binding)
        del values["id"]
        await self.conn.execute(update(bindings).where(bindings.c.id == binding.id).values(**values))

    async def release(self, binding: Binding) -> bool:
        """Delete a binding and give back what it held. False if another transaction already did."""
        gone = await self.conn.execute(delete(bindings).where(bindings.c.id == binding.id))
        if gone.rowcount != 1:
            return False
        await self.conn.execute(delete(binding_keys).where(binding_keys.c.binding_id == binding.id))
        await self.conn.execute(
            update(numbers)
            .where(numbers.c.number == binding.number)
            .values(
                load=numbers.c.load - 1,
                role=case((numbers.c.load <= 1, None), else_=numbers.c.role),
            )
        )
        user = binding.quota_user()
        if user is not None:
            await self.conn.execute(
                update(user_quotas)
                .where(user_quotas.c.app_id == binding.app_id, user_quotas.c.user_number == user)
                .values(used=user_quotas.c.used - 1)
            )
        if binding.mode is Mode.AXYB and not binding.is_yb_relation:
            children = await self.conn.execute(select(bindings).where(bindings.c.parent_id == binding.id))
            for child in children.all():
                await self.release(_binding_from_row(child))
        return True

    async def get(self, app_id: int, binding_id: str, now_ms: int) -> Binding | None:
        query = select(bindings).where(bindings.c.id == binding_id, bindings.c.app_id == app_id, _live(now_ms))
        row = (await self.conn.execute(query)).first()
        return _binding_from_row(row) if row else None

    def _filtered(self, query, where: BindingFilter, now_ms: int):  # type: ignore[no-untyped-def]
        query = query.where(bindings.c.app_id == where.app_id, bindings.c.mode == where.mode.value, _live(now_ms))
        for column, value in (
            (bindings.c.number, where.number),
            (bindings.c.party_a, where.party_a),
            (bindings.c.party_b, where.party_b),
            (bindings.c.extension, where.extension),
            (bindings.c.parent_id, where.parent_id),
        ):
            if value is not None:
                query = query.where(column == value)
        if where.yb_relations is True:
            query = query.where(bindings.c.parent_id.is_not(None))
        elif where.yb_relations is False:
            query = query.where(bindings.c.parent_id.is_(None))
        return query

    async def find(self, where: BindingFilter, now_ms: int, offset: int = 0, limit: int | None = None,
                   ) -> list[Binding]:
        query = self._filtered(select(bindings), where, now_ms).order_by(bindings.c.created_at_ms, bindings.c.id)
        if offset:
            query = query.offset(offset)
        if limit is not None:
            query = query.limit(limit)
        return [_binding_from_row(row) for row in (await self.conn.execute(query)).all()]

    async def count(self, where: BindingFilter, now_ms: int) -> int:
        query = self._filtered(select(func.count()).select_from(bindings), where, now_ms)
        return (await self.conn.execute(query)).scalar() or 0

    async def used_extensions(self, number: str) -> set[str]:
        query = select(binding_keys.c.key).where(binding_keys.c.number == number, binding_keys.c.key.like("ext:%"))
        return {key[4:] for key in (await self.conn.execute(query)).scalars()}


class SqlProvisioningStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def run(self, work: Callable[[SqlProvisioningTx], Awaitable[T]]) -> T:
        async def attempt() -> T:
            async with self.engine.begin() as conn:
                return await work(SqlProvisioningTx(conn))

        return await with_retries(attempt)
