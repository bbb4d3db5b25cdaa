"""A query by X in one step on the driver's prepared statements: who owns the number, how many live bindings
of the filter it carries, and one page of them. PostgreSQL answers in one statement (two LATERAL joins on
the number's row), SQLite in three driver statements of one read transaction."""

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

from privnum.adapters.db.database import Database

FILTER_COLUMNS = ("number", "party_a", "party_b", "extension", "parent_id")
_LIVE = "(expires_at_ms IS NULL OR expires_at_ms > {now})"


def _yb_clause(yb_relations: bool | None) -> list[str]:
    if yb_relations is True:
        return ["parent_id IS NOT NULL"]
    if yb_relations is False:
        return ["parent_id IS NULL"]
    return []


class NumberPages:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._statements: dict[tuple, str] = {}

    async def page(self, number: str, app_id: int, mode: str, given: dict[str, str], yb_relations: bool | None,
                   now_ms: int, offset: int, limit: int) -> tuple[int | None, int, list[Any]]:
        """(the app owning ``number`` or None, live bindings matching, the page's rows) for the bindings of
        ``app_id`` in ``mode`` on ``number`` whose columns equal ``given`` (``number`` among them)."""
        columns = tuple(c for c in FILTER_COLUMNS if c in given)
        if self.db.is_postgres:
            return await self._postgres(number, app_id, mode, given, columns, yb_relations, now_ms, offset, limit)
        return await self._sqlite(number, app_id, mode, given, columns, yb_relations, now_ms, offset, limit)

    async def _postgres(self, number: str, app_id: int, mode: str, given: dict[str, str], columns: Sequence[str],
                        yb_relations: bool | None, now_ms: int, offset: int, limit: int,
                        ) -> tuple[int | None, int, list[Any]]:
        shape = ("pg", columns, yb_relations)
        sql = self._statements.get(shape)
        if sql is None:
            clauses = ["app_id = $2::integer", "mode = $3::text", _LIVE.format(now="$4::bigint"),
                       *(f"{c} = ${i}::text" for i, c in enumerate(columns, start=7)), *_yb_clause(yb_relations)]
            where = " AND ".join(clauses)
            sql = self._statements[shape] = (
                "SELECT n.app_id AS owner_app_id, c.total, b.* FROM numbers n "
                f"CROSS JOIN LATERAL (SELECT count(*) AS total FROM bindings WHERE {where}) c "
                f"LEFT JOIN LATERAL (SELECT * FROM bindings WHERE {where} "
                "ORDER BY created_at_ms, id LIMIT $5::bigint OFFSET $6::bigint) b ON true "
                "WHERE n.number = $1::text")
        async with self.db.driver(read_only=True) as raw:
            records = await raw.fetch(sql, number, app_id, mode, now_ms, limit, offset,
                                      *(given[c] for c in columns))
        if not records:
            return None, 0, []
        first = records[0]
        rows = [SimpleNamespace(**{k: v for k, v in r.items() if k not in ("owner_app_id", "total")})
                for r in records if r["id"] is not None]
        return first["owner_app_id"], first["total"], rows

    async def _sqlite(self, number: str, app_id: int, mode: str, given: dict[str, str], columns: Sequence[str],
                      yb_relations: bool | None, now_ms: int, offset: int, limit: int,
                      ) -> tuple[int | None, int, list[Any]]:
        shape = ("sqlite", columns, yb_relations)
        sql = self._statements.get(shape)
        if sql is None:
            clauses = ["app_id = :app_id", "mode = :mode", _LIVE.format(now=":now"),
                       *(f"{c} = :{c}" for c in columns), *_yb_clause(yb_relations)]
            sql = self._statements[shape] = " AND ".join(clauses)
        params = {**given, "app_id": app_id, "mode": mode, "now": now_ms, "limit": limit, "offset": offset}
        async with self.db.driver(read_only=True) as raw:
            owner = raw.execute("SELECT app_id FROM numbers WHERE number = ?", (number,)).fetchall()
            if not owner:
                return None, 0, []
            total = raw.execute(f"SELECT count(*) FROM bindings WHERE {sql}", params).fetchall()[0][0]
            cursor = raw.execute(f"SELECT * FROM bindings WHERE {sql} ORDER BY created_at_ms, id "
                                 "LIMIT :limit OFFSET :offset", params)
            names = [d[0] for d in cursor.description]
            rows = [SimpleNamespace(**dict(zip(names, r, strict=True))) for r in cursor.fetchall()]
        return owner[0][0], total, rows
