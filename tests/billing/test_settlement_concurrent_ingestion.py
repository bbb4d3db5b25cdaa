"""Settlement marks only the records it rated, although ingestion commits records of the same tenant and hour while
the settlement runs (PostgreSQL, several nodes: the billing job of one node and the ingestion of another).

The interleaving that breaks a marking "every unsettled record of the tenant up to the highest id read": record
*late* takes its id first but commits only after the settlement has read the tenant's records; record *early*,
with a higher id, was committed before. The settlement must settle *early* and leave *late* unsettled and unrated
for the next window. Real PostgreSQL, the real use case and adapter; the only addition is the hook that commits
*late* right after the settlement read the records."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import text

from privnum.adapters.db import tables
from privnum.adapters.db.billing_unit import SqlBillingTx, SqlBillingUnit
from privnum.adapters.db.database import open_database
from privnum.adapters.db.migrate import upgrade
from privnum.bootstrap import build_standings
from privnum.config import Settings
from privnum.domain.billing.meters import Meter, NumberClass
from privnum.domain.billing.plans import PlanVersion, PricePlan, Rate
from privnum.domain.billing.usage import HOUR_MS
from privnum.service.billing.ingestion import UsageIngestion
from privnum.service.billing.ports import BillingTx, NewUsage, StoredUsage
from privnum.service.billing.settlement import HourlySettlement
from servers import POSTGRES_URL, drop_database, fresh_database_url

T = TypeVar("T")
WINDOW_MS = int(datetime(2026, 12, 1, 10, tzinfo=UTC).timestamp() * 1000)
TENANT = 1
PRICE = 100_000

pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason="PRIVNUM_TEST_POSTGRES_URL not set")


def usage(key: str, minute: int) -> NewUsage:
    return NewUsage(tenant_id=TENANT, app_id=1, source="cdr", key=key, meter=Meter.CALL_FORWARDED.value,
                    number_class=NumberClass.VIRTUAL.value, x_number="+8617000000001", quantity=60, units=1,
                    occurred_at_ms=WINDOW_MS + minute * 60_000)


class CommitsAfterTheRead(SqlBillingUnit):
    """The real unit; after the settlement's transaction read the unsettled records, ``then`` runs (once)."""

    def __init__(self, db: Any, then: Callable[[], Awaitable[None]]) -> None:
        super().__init__(db)
        self.then: Callable[[], Awaitable[None]] | None = then

    async def run(self, work: Callable[[BillingTx], Awaitable[T]], *, read_only: bool = False) -> T:
        unit = self

        class Tx(SqlBillingTx):
            async def unsettled(self, tenant_id: int, before_ms: int, sources: Sequence[str]
                                ) -> Sequence[StoredUsage]:
                found = await super().unsettled(tenant_id, before_ms, sources)
                if unit.then is not None:
                    then, unit.then = unit.then, None
                    await then()
                return found

        async def wrapped(tx: BillingTx) -> T:
            assert isinstance(tx, SqlBillingTx)
            return await work(Tx(tx.conn))

        return await super().run(wrapped, read_only=read_only)


async def scenario(url: str) -> dict[str, Any]:
    await asyncio.to_thread(upgrade, url)
    db = open_database(url)
    try:
        async with db.transaction() as conn:
            await conn.execute(tables.tenants.insert().values(id=TENANT, name="t", created_at_ms=WINDOW_MS))
            tx = SqlBillingTx(conn)
            await tx.open_account(TENANT, "CNY", "p", WINDOW_MS)
            await tx.add_plan_version(PricePlan("p", "CNY", (PlanVersion(0, {
                (Meter.CALL_FORWARDED, NumberClass.VIRTUAL): Rate(PRICE)}),)), WINDOW_MS)
            await tx.add_usage([usage("first", 1)], WINDOW_MS)
        late = db.transaction()
        late_conn = await late.__aenter__()
        await SqlBillingTx(late_conn).add_usage([usage("late", 2)], WINDOW_MS)  # takes its id now
        async with db.transaction() as conn:
            await SqlBillingTx(conn).add_usage([usage("early", 3)], WINDOW_MS)  # a higher id, committed first

        async def commit_late() -> None:
            await late.__aexit__(None, None, None)

        unit = CommitsAfterTheRead(db, commit_late)
        settled = await HourlySettlement(unit, UsageIngestion(unit), build_standings(Settings())).settle_hour(
            WINDOW_MS, WINDOW_MS + HOUR_MS + 300_000)
        assert unit.then is None, "the hook did not run: the settlement never read the records"
        async with db.reading() as conn:
            rows = (await conn.execute(text(
                "SELECT u.key, u.id, u.settlement_key, count(r.id) AS lines FROM usage_records u "
                "LEFT JOIN rated_lines r ON r.usage_record_id = u.id GROUP BY u.key, u.id, u.settlement_key"))).all()
        return {"settled": settled, "rows": {row.key: row for row in rows}}
    finally:
        await db.dispose()


def test_a_record_committed_during_the_settlement_is_neither_rated_nor_marked(tmp_path: Path) -> None:
    url = fresh_database_url("postgres", tmp_path)
    try:
        found = asyncio.run(scenario(url))
    finally:
        drop_database(url)
    rows = found["rows"]
    assert rows["late"].id < rows["early"].id, "the interleaving needs late's id below early's"
    assert [(t.records, t.amount_micros) for t in found["settled"]] == [(2, 2 * PRICE)]
    assert rows["first"].settlement_key is not None and rows["first"].lines == 1
    assert rows["early"].settlement_key is not None and rows["early"].lines == 1
    assert rows["late"].settlement_key is None and rows["late"].lines == 0
