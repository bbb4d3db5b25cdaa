"""The common bind in one step: the least-loaded number of a scope with room and none of the binding's keys
takes the binding, on the driver's prepared statements.

The rules are the ones ``SqlProvisioningTx.claim`` relies on, kept by the database: the load is raised by an
``UPDATE … WHERE load < capacity``, a taken key is a primary-key violation on ``binding_keys``. PostgreSQL does
it all in one statement (data-modifying CTEs), the number picked ``FOR UPDATE SKIP LOCKED`` so concurrent binds
take different numbers instead of queueing on one; SQLite in one short transaction of driver statements
(writers take turns there anyway). Any lost race answers False and leaves nothing behind: the caller then runs
the full placement, which walks every candidate and explains a shortage.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from privnum.adapters.db.database import Database
from privnum.domain.allocation import AreaScope

_PG_SCOPES = {"area": "n.area_code = $2::text", "province": "n.province = $2::text", "any": "$2::text IS NULL"}
_PG_ROOM = ("n.app_id = $1::integer AND {scope} AND n.state = 'available' AND NOT n.locked "
            "AND n.load < $3::integer AND (n.role IS NULL OR n.role = $4::text)")
_PG_PLACE = {
    kind: (
        "WITH picked AS (SELECT n.number FROM numbers n WHERE " + _PG_ROOM.format(scope=clause)
        + " AND NOT EXISTS (SELECT 1 FROM binding_keys k WHERE k.number = n.number AND k.key = ANY($5::text[]))"
        " ORDER BY n.load, n.number LIMIT 1 FOR UPDATE OF n SKIP LOCKED), "
        "raised AS (UPDATE numbers SET load = numbers.load + 1, role = $4::text, updated_at_ms = $6::bigint "
        "FROM picked WHERE numbers.number = picked.number AND numbers.load < $3::integer RETURNING numbers.number), "
        "keyed AS (INSERT INTO binding_keys (number, key, binding_id) "
        "SELECT raised.number, k.key, $7::text FROM raised, unnest($5::text[]) AS k(key)), "
        "bound AS (INSERT INTO bindings (id, app_id, mode, number, party_a, party_b, extension, parent_id, settings, "
        "created_at_ms, updated_at_ms, expires_at_ms) SELECT $7::text, $1::integer, $8::text, raised.number, "
        "$9::text, $10::text, $11::text, $12::text, $13::text, $6::bigint, $14::bigint, $15::bigint FROM raised), "
        "evented AS (INSERT INTO binding_events (app_id, binding_id, number, kind, at_ms) "
        "SELECT $1::integer, $7::text, raised.number, 'bind', $6::bigint FROM raised) "
        "SELECT number FROM raised"
    )
    for kind, clause in _PG_SCOPES.items()
}

_SQLITE_SCOPES = {"area": "n.area_code = :scope", "province": "n.province = :scope", "any": ":scope IS NULL"}
_SQLITE_RAISE = (
    "UPDATE numbers SET load = load + 1, role = :role, updated_at_ms = :now WHERE number = ("
    "SELECT n.number FROM numbers n WHERE n.app_id = :app_id AND {scope} AND n.state = 'available' "
    "AND NOT n.locked AND n.load < :capacity AND (n.role IS NULL OR n.role = :role) "
    "AND NOT EXISTS (SELECT 1 FROM binding_keys k WHERE k.number = n.number AND k.key IN ({keys})) "
    "ORDER BY n.load, n.number LIMIT 1) RETURNING number"
)
_SQLITE_KEY = "INSERT INTO binding_keys (number, key, binding_id) VALUES (?, ?, ?)"
_SQLITE_BINDING = (
    "INSERT INTO bindings (id, app_id, mode, number, party_a, party_b, extension, parent_id, settings, "
    "created_at_ms, updated_at_ms, expires_at_ms) VALUES (:id, :app_id, :mode, :number, :party_a, :party_b, "
    ":extension, :parent_id, :settings, :created_at_ms, :updated_at_ms, :expires_at_ms)"
)
_SQLITE_EVENT = ("INSERT INTO binding_events (app_id, binding_id, number, kind, at_ms) "
                 "VALUES (:app_id, :id, :number, 'bind', :created_at_ms)")


def scope_kind(scope: AreaScope) -> tuple[str, str | None]:
    """The statement variant of ``scope`` (area, province or any) and its one parameter."""
    if scope.area_code:
        return "area", scope.area_code
    if scope.province:
        return "province", scope.province
    return "any", None


class FirstFit:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._sqlite_raise: dict[tuple[str, int], str] = {}

    async def place(self, row: dict[str, Any], keys: Sequence[str], scope: AreaScope, role: str,
                    capacity: int) -> str | None:
        """Insert the binding ``row`` (its ``number`` left out) on the first number that fits; that number,
        or None when none did at once."""
        if not keys:
            return None  # every mode's binding holds a key; without one, the full placement decides
        kind, value = scope_kind(scope)
        if self.db.is_postgres:
            return await self._place_postgres(row, list(keys), kind, value, role, capacity)
        return await self._place_sqlite(row, list(keys), kind, value, role, capacity)

    async def _place_postgres(self, row: dict[str, Any], keys: list[str], kind: str, value: str | None, role: str,
                              capacity: int) -> str | None:
        import asyncpg  # type: ignore[import-untyped]

        try:
            async with self.db.driver() as raw:
                return await raw.fetchval(
                    _PG_PLACE[kind], row["app_id"], value, capacity, role, keys, row["created_at_ms"], row["id"],
                    row["mode"], row["party_a"], row["party_b"], row["extension"], row["parent_id"],
                    row["settings"], row["updated_at_ms"], row["expires_at_ms"])
        except (asyncpg.UniqueViolationError, asyncpg.SerializationError, asyncpg.DeadlockDetectedError):
            return None

    async def _place_sqlite(self, row: dict[str, Any], keys: list[str], kind: str, value: str | None, role: str,
                            capacity: int) -> str | None:
        shape = (kind, len(keys))
        statement = self._sqlite_raise.get(shape)
        if statement is None:
            marks = ", ".join(f":key{i}" for i in range(len(keys)))
            statement = self._sqlite_raise[shape] = _SQLITE_RAISE.format(scope=_SQLITE_SCOPES[kind], keys=marks)
        params = {"role": role, "now": row["created_at_ms"], "app_id": row["app_id"], "scope": value,
                  "capacity": capacity, **{f"key{i}": key for i, key in enumerate(keys)}}
        try:
            async with self.db.driver() as raw:
                picked = raw.execute(statement, params).fetchall()
                if not picked:
                    return None
                number: str = picked[0][0]
                raw.executemany(_SQLITE_KEY, [(number, key, row["id"]) for key in keys])
                values = {**row, "number": number}
                raw.execute(_SQLITE_BINDING, values)
                raw.execute(_SQLITE_EVENT, values)
                return number
        except sqlite3.IntegrityError:
            return None
