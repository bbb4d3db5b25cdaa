"""The provisioning port on SQLAlchemy Core: bindings, keys, number load and user quotas.

Every rule that must hold across processes is decided here by one atomic statement or a
constraint, inside a SAVEPOINT so a lost race can be undone and the next candidate tried:
raising a number's load is ``UPDATE ... WHERE load < capacity``; a taken key is a primary-key
violation on ``binding_keys``; a full quota is an upsert whose WHERE refuses.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, ClassVar, TypeVar

from sqlalchemy import bindparam, text
from sqlalchemy.exc import IntegrityError

from privnum.adapters.db.database import Conn, Database
from privnum.adapters.db.engine import with_retries
from privnum.adapters.db.first_fit import FirstFit, scope_kind
from privnum.adapters.db.number_page import NumberPages
from privnum.domain.allocation import AreaScope, ScopeCensus
from privnum.domain.binding_options import BindingOptions, LastCaller
from privnum.domain.bindings import Binding
from privnum.domain.modes import Mode
from privnum.domain.private_numbers import NumberRole, NumberState, PrivateNumber
from privnum.service.clock import now_ms as clock_now_ms
from privnum.service.provisioning.ports import BindingFilter, Claim, NumberPage

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
        **_options_from_json(row.settings),
        created_at_ms=row.created_at_ms,
        updated_at_ms=row.updated_at_ms,
        expires_at_ms=row.expires_at_ms,
    )


def _options_from_json(raw: str | None) -> dict[str, Any]:
    """The ``settings`` column holds the options that are set, and AXE's ``last_caller``."""
    data = json.loads(raw or "{}")
    last = data.pop("last_caller", None)
    return {"options": BindingOptions.from_dict(data), "last_caller": LastCaller(**last) if last else None}


def _options_to_json(b: Binding) -> str:
    data = b.options.to_dict()
    if b.last_caller is not None:
        data["last_caller"] = {"number": b.last_caller.number, "at_ms": b.last_caller.at_ms}
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


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
        locked=bool(row.locked),
        number_type=row.number_type,
        city=row.city,
        order_id=row.order_id,
        issued_at_ms=row.issued_at_ms,
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
        "settings": _options_to_json(b),
        "created_at_ms": b.created_at_ms,
        "updated_at_ms": b.updated_at_ms,
        "expires_at_ms": b.expires_at_ms,
    }




_LIVE = "(expires_at_ms IS NULL OR expires_at_ms > :now)"
_SCOPES = {"area": "n.area_code = :scope", "province": "n.province = :scope", "any": "1 = 1"}
_ROOM = ("n.app_id = :app_id AND {scope} AND n.state = 'available' AND NOT n.locked AND n.load < :capacity "
         "AND (n.role IS NULL OR n.role = :role)")
_CANDIDATES = {
    (scope, with_keys, with_exclude): text(
        "SELECT n.number FROM numbers n WHERE " + _ROOM.format(scope=clause)
        + (" AND NOT EXISTS (SELECT 1 FROM binding_keys k WHERE k.number = n.number AND k.key IN :keys)"
           if with_keys else "")
        + (" AND n.number NOT IN :exclude" if with_exclude else "")
        + " ORDER BY n.load, n.number LIMIT :limit"
    ).bindparams(*([bindparam("keys", expanding=True)] if with_keys else []),
                 *([bindparam("exclude", expanding=True)] if with_exclude else []))
    for scope, clause in _SCOPES.items() for with_keys in (False, True) for with_exclude in (False, True)
}
_CENSUS = {
    (scope, with_keys): text(
        f"SELECT (SELECT count(*) FROM numbers n WHERE n.app_id = :app_id AND {clause}), "
        f"(SELECT count(*) FROM numbers n WHERE n.app_id = :app_id AND {clause} AND n.state = 'available'), "
        f"(SELECT count(*) FROM numbers n WHERE {_ROOM.format(scope=clause)}), "
        f"(SELECT count(*) FROM numbers n WHERE n.app_id = :app_id AND {clause} AND n.state = 'available' "
        "AND n.locked), "
        f"(SELECT count(*) FROM numbers n WHERE {_ROOM.format(scope=clause)}"
        + (" AND NOT EXISTS (SELECT 1 FROM binding_keys k WHERE k.number = n.number AND k.key IN :keys)"
           if with_keys else "") + ")"
    ).bindparams(*([bindparam("keys", expanding=True)] if with_keys else []))
    for scope, clause in _SCOPES.items() for with_keys in (False, True)
}
_NUMBER = text("SELECT * FROM numbers WHERE number = :number")
_RAISE_LOAD = text(
    "UPDATE numbers SET load = load + 1, role = :role, updated_at_ms = :now WHERE number = :number "
    "AND app_id = :app_id AND state = 'available' AND NOT locked AND load < :capacity "
    "AND (role IS NULL OR role = :role)"
)
_LOWER_LOAD = text(
    "UPDATE numbers SET load = load - 1, role = CASE WHEN load <= 1 THEN NULL ELSE role END WHERE number = :number"
)
_INSERT_KEY = text("INSERT INTO binding_keys (number, key, binding_id) VALUES (:number, :key, :binding_id)")
_DELETE_KEYS = text("DELETE FROM binding_keys WHERE binding_id = :binding_id")
_INSERT_BINDING = text(
    "INSERT INTO bindings (id, app_id, mode, number, party_a, party_b, extension, parent_id, settings, "
    "created_at_ms, updated_at_ms, expires_at_ms) VALUES (:id, :app_id, :mode, :number, :party_a, :party_b, "
    ":extension, :parent_id, :settings, :created_at_ms, :updated_at_ms, :expires_at_ms)"
)
_UPDATE_BINDING = text(
    "UPDATE bindings SET party_a = :party_a, party_b = :party_b, extension = :extension, settings = :settings, "
    "updated_at_ms = :updated_at_ms, expires_at_ms = :expires_at_ms WHERE id = :id"
)
_DELETE_BINDING = text("DELETE FROM bindings WHERE id = :id")
_BINDING_EVENT = text("INSERT INTO binding_events (app_id, binding_id, number, kind, at_ms) "
                      "VALUES (:app_id, :binding_id, :number, :kind, :at_ms)")  # counted by bind statistics
_GET_BINDING = text(f"SELECT * FROM bindings WHERE id = :id AND app_id = :app_id AND {_LIVE}")
_QUOTA_USED = text("SELECT used FROM user_quotas WHERE app_id = :app_id AND user_number = :user")
_QUOTA_RELEASE = text("UPDATE user_quotas SET used = used - 1 WHERE app_id = :app_id AND user_number = :user")
_CHILDREN = text("SELECT * FROM bindings WHERE parent_id = :parent_id")
_EXPIRED = text("SELECT * FROM bindings WHERE expires_at_ms <= :now ORDER BY number, id LIMIT :limit")
_EXPIRED_OF_APP = text(
    "SELECT * FROM bindings WHERE app_id = :app_id AND expires_at_ms <= :now ORDER BY number, id LIMIT :limit"
)
_USED_EXTENSIONS = text("SELECT extension FROM bindings WHERE number = :number AND extension IS NOT NULL")
_BY_KEY = text(
    "SELECT b.* FROM binding_keys k JOIN bindings b ON b.id = k.binding_id "
    "WHERE k.number = :number AND k.key = :key AND (b.expires_at_ms IS NULL OR b.expires_at_ms > :now)"
)
_FILTER_COLUMNS = ("number", "party_a", "party_b", "extension", "parent_id")


class SqlProvisioningTx:
    """Hot-path statements are prepared ``text()`` once at import: building SQLAlchemy expressions per
    request cost more than the database's own work."""

    _filters: ClassVar[dict[tuple, Any]] = {}

    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def purge_expired(self, now_ms: int, app_id: int | None = None, limit: int = 500) -> int:
        if app_id is None:
            rows = (await self.conn.execute(_EXPIRED, {"now": now_ms, "limit": limit})).all()
        else:
            rows = (await self.conn.execute(_EXPIRED_OF_APP, {"now": now_ms, "limit": limit, "app_id": app_id})).all()
        released = 0
        for row in rows:
            released += await self.release(_binding_from_row(row))
        return released

    async def number(self, number: str) -> PrivateNumber | None:
        row = (await self.conn.execute(_NUMBER, {"number": number})).first()
        return number_from_row(row) if row else None

    async def candidates(self, app_id: int, scope: AreaScope, role: NumberRole, capacity: int, keys: Sequence[str],
                         exclude: Sequence[str], limit: int) -> list[str]:
        kind, value = scope_kind(scope)
        params: dict[str, Any] = {"app_id": app_id, "scope": value, "capacity": capacity, "role": role.value,
                                  "limit": limit}
        if keys:
            params["keys"] = list(keys)
        if exclude:
            params["exclude"] = list(exclude)
        statement = _CANDIDATES[(kind, bool(keys), bool(exclude))]
        return list((await self.conn.execute(statement, params)).scalars())

    async def census(self, app_id: int, scope: AreaScope, role: NumberRole, capacity: int,
                     keys: Sequence[str]) -> ScopeCensus:
        kind, value = scope_kind(scope)
        params: dict[str, Any] = {"app_id": app_id, "scope": value, "capacity": capacity, "role": role.value}
        if keys:
            params["keys"] = list(keys)
        counts = (await self.conn.execute(_CENSUS[(kind, bool(keys))], params)).one()
        return ScopeCensus(scope=scope, numbers=counts[0], usable=counts[1], with_room=counts[2], locked=counts[3],
                           free_of_parties=counts[4])

    async def quota_used(self, app_id: int, user: str) -> int:
        return (await self.conn.execute(_QUOTA_USED, {"app_id": app_id, "user": user})).scalar() or 0

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
        raised = await self.conn.execute(_RAISE_LOAD, {"role": role.value, "now": binding.created_at_ms,
                                                       "number": binding.number, "app_id": binding.app_id,
                                                       "capacity": capacity})
        if raised.rowcount != 1:
            return Claim.NUMBER_FULL
        await self._insert_keys(binding)
        user = binding.quota_user()
        if user is not None:
            quota = await self.conn.execute(_QUOTA_UPSERT, {"app_id": binding.app_id, "user": user,
                                                            "limit": quota_limit})
            if quota.rowcount != 1:
                return Claim.QUOTA_EXCEEDED
        await self.conn.execute(_INSERT_BINDING, _binding_values(binding))
        await self._binding_event(binding, "bind", binding.created_at_ms)
        return Claim.PLACED

    async def _binding_event(self, binding: Binding, kind: str, at_ms: int) -> None:
        await self.conn.execute(_BINDING_EVENT, {"app_id": binding.app_id, "binding_id": binding.id,
                                                 "number": binding.number, "kind": kind, "at_ms": at_ms})

    async def _insert_keys(self, binding: Binding) -> None:
        await self.conn.execute(
            _INSERT_KEY,
            [{"number": binding.number, "key": key, "binding_id": binding.id} for key in binding.exclusive_keys()],
        )

    async def rekey(self, old: Binding, new: Binding) -> Claim:
        """Swap the keys of a binding whose parties changed (AXB modify of A or B)."""
        savepoint = await self.conn.begin_nested()
        try:
            await self.conn.execute(_DELETE_KEYS, {"binding_id": old.id})
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
        await self.conn.execute(_QUOTA_RELEASE, {"app_id": app_id, "user": old_user})
        await savepoint.commit()
        return True

    async def save(self, binding: Binding) -> bool:
        """Write a changed binding; False if it no longer exists (unbound concurrently)."""
        return (await self.conn.execute(_UPDATE_BINDING, _binding_values(binding))).rowcount == 1

    async def release(self, binding: Binding) -> bool:
        """Delete a binding and give back what it held. False if another transaction already did."""
        gone = await self.conn.execute(_DELETE_BINDING, {"id": binding.id})
        if gone.rowcount != 1:
            return False
        await self.conn.execute(_DELETE_KEYS, {"binding_id": binding.id})
        await self.conn.execute(_LOWER_LOAD, {"number": binding.number})
        await self._binding_event(binding, "unbind", clock_now_ms())
        user = binding.quota_user()
        if user is not None:
            await self.conn.execute(_QUOTA_RELEASE, {"app_id": binding.app_id, "user": user})
        if binding.mode is Mode.AXYB and not binding.is_yb_relation:
            for child in (await self.conn.execute(_CHILDREN, {"parent_id": binding.id})).all():
                await self.release(_binding_from_row(child))
        return True

    async def get(self, app_id: int, binding_id: str, now_ms: int) -> Binding | None:
        row = (await self.conn.execute(_GET_BINDING, {"id": binding_id, "app_id": app_id, "now": now_ms})).first()
        return _binding_from_row(row) if row else None

    def _filtered(self, select_list: str, where: BindingFilter, now_ms: int, paged: bool) -> tuple[Any, dict]:
        values = {c: getattr(where, c) for c in _FILTER_COLUMNS if getattr(where, c) is not None}
        shape = (select_list, tuple(values), where.yb_relations, paged)
        statement = self._filters.get(shape)
        if statement is None:
            clauses = ["app_id = :app_id", "mode = :mode", _LIVE, *(f"{c} = :{c}" for c in values)]
            if where.yb_relations is True:
                clauses.append("parent_id IS NOT NULL")
            elif where.yb_relations is False:
                clauses.append("parent_id IS NULL")
            sql = f"SELECT {select_list} FROM bindings WHERE " + " AND ".join(clauses)
            if paged:
                sql += " ORDER BY created_at_ms, id LIMIT :limit OFFSET :offset"
            statement = self._filters[shape] = text(sql)
        return statement, {**values, "app_id": where.app_id, "mode": where.mode.value, "now": now_ms}

    async def find(self, where: BindingFilter, now_ms: int, offset: int = 0, limit: int | None = None,
                   ) -> list[Binding]:
        statement, params = self._filtered("*", where, now_ms, paged=True)
        params.update(offset=offset, limit=limit if limit is not None else 1_000_000)
        return [_binding_from_row(row) for row in (await self.conn.execute(statement, params)).all()]

    async def count(self, where: BindingFilter, now_ms: int) -> int:
        statement, params = self._filtered("count(*)", where, now_ms, paged=False)
        return (await self.conn.execute(statement, params)).scalar() or 0

    async def by_key(self, number: str, key: str, now_ms: int) -> Binding | None:
        """The live binding holding ``key`` on ``number`` (an indexed lookup, whatever the number carries)."""
        row = (await self.conn.execute(_BY_KEY, {"number": number, "key": key, "now": now_ms})).first()
        return _binding_from_row(row) if row else None

    async def used_extensions(self, number: str) -> set[str]:
        return set((await self.conn.execute(_USED_EXTENSIONS, {"number": number})).scalars())


class SqlProvisioningStore:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._first_fit = FirstFit(db)
        self._pages = NumberPages(db)

    async def page_on_number(self, where: BindingFilter, now_ms: int, offset: int, limit: int) -> NumberPage:
        assert where.number is not None
        given = {c: getattr(where, c) for c in _FILTER_COLUMNS if getattr(where, c) is not None}
        owner, total, rows = await self._pages.page(where.number, where.app_id, where.mode.value, given,
                                                    where.yb_relations, now_ms, offset, limit)
        return NumberPage(owner, total, [_binding_from_row(row) for row in rows])

    async def place_first_fit(self, binding: Binding, scope: AreaScope, role: NumberRole, capacity: int) -> bool:
        values = _binding_values(binding)
        number = await self._first_fit.place(values, binding.exclusive_keys(), scope, role.value, capacity)
        if number is None:
            return False
        binding.number = number
        return True

    async def run(self, work: Callable[[SqlProvisioningTx], Awaitable[T]], *, read_only: bool = False) -> T:
        async def attempt() -> T:
            async with self.db.reading() if read_only else self.db.transaction() as conn:
                return await work(SqlProvisioningTx(conn))

        return await with_retries(attempt)
