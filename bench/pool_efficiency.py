"""Pool efficiency: a skewed AXB workload against the real allocation, and the share of feasible binds placed.

A few couriers (A) each hold many open orders with many customers (B) in areas of few numbers; in AXB a real
number may appear at most once per X, so a courier with k open orders needs k different X of the area. The
workload runs through the real use cases (``service.provisioning.axb`` over ``SqlProvisioningStore``) in waves
of concurrent binds, with orders completing (unbinds) between waves. An independent model of the pool (which X
is open, its load, which parties it carries) decides after each wave whether a refused bind was feasible: some X
of the allowed scope (the city; in non-strict mode its province, then the whole pool) open, below 5000 pairs and
carrying neither A nor B. Within a wave the pool only fills, so a refused bind still feasible at the end of its
wave was feasible when refused: a miss. Target: placed / (placed + missed) = 100 %. The model also checks every
placement (scope, open, no party twice on an X) and the reason privnum names against its own.

    PYTHONPATH=src .venv/bin/python bench/pool_efficiency.py [--orders 4000] [--wave 8]
    PYTHONPATH=src .venv/bin/python bench/pool_efficiency.py --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/test

On PostgreSQL the URL names an existing database: a throwaway database is created beside it and dropped at the
end. JSON goes to bench/results/pool_efficiency-<time>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import random
import secrets
import shutil
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

from privnum.adapters.db import tables
from privnum.adapters.db.database import Database, open_database
from privnum.adapters.db.engine import is_sqlite
from privnum.adapters.db.migrate import upgrade
from privnum.adapters.db.provisioning_store import SqlProvisioningStore
from privnum.domain.allocation import NoNumber
from privnum.domain.apps import App
from privnum.domain.areas import province_of
from privnum.domain.limits import AXB_PAIRS_PER_X
from privnum.domain.modes import Mode
from privnum.service.provisioning import axb

RESULTS = Path(__file__).parent / "results"
APP_ID, ENTERPRISE_ID = 1, 1
# area code -> (numbers, how many of them frozen, how many locked): few numbers, some closed, one area without any
AREAS = {"0755": (6, 1, 0), "020": (4, 0, 1), "0769": (0, 0, 0), "0571": (5, 0, 0), "0574": (2, 2, 0),
         "010": (8, 0, 0), "0512": (3, 0, 3)}


@dataclass
class Pool:
    """The bench's own model of the pool, kept from what the service answered."""

    area: dict[str, str] = field(default_factory=dict)
    open: dict[str, bool] = field(default_factory=dict)
    parties: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    load: Counter = field(default_factory=Counter)

    def in_scope(self, area: str, non_strict: bool) -> list[list[str]]:
        scopes = [[x for x, a in self.area.items() if a == area]]
        if non_strict:
            province = province_of(area)
            scopes.append([x for x, a in self.area.items() if province and province_of(a) == province])
            scopes.append(list(self.area))
        return scopes

    def fits(self, x: str, a: str, b: str) -> bool:
        return self.open[x] and self.load[x] < AXB_PAIRS_PER_X and a not in self.parties[x] and b not in self.parties[x]

    def feasible(self, a: str, b: str, area: str, non_strict: bool) -> bool:
        return any(self.fits(x, a, b) for scope in self.in_scope(area, non_strict) for x in scope)

    def reason(self, a: str, b: str, area: str, non_strict: bool) -> str:
        """The limit hit in the widest scope searched, in privnum's names (NoNumberReason values)."""
        widest = self.in_scope(area, non_strict)[-1]
        if not widest:
            return "no_number_in_area"
        if not any(self.open[x] for x in widest):
            available = [x for x in widest if not self.frozen[x]]
            return "numbers_locked" if available else "numbers_unusable"  # every available one is locked
        if not any(self.load[x] < AXB_PAIRS_PER_X for x in widest if self.open[x]):
            return "binding_cap_reached"
        return "pair_limit" if not any(self.fits(x, a, b) for x in widest) else "contended"

    frozen: dict[str, bool] = field(default_factory=dict)

    def place(self, x: str, a: str, b: str) -> None:
        self.parties[x] |= {a, b}
        self.load[x] += 1

    def remove(self, x: str, a: str, b: str) -> None:
        self.parties[x] -= {a, b}
        self.load[x] -= 1


@dataclass
class Order:
    courier: str
    customer: str
    area: str
    non_strict: bool
    binding_id: str = ""
    number: str = ""


async def seed(db: Database, now: int, pool: Pool) -> App:
    rows, serial = [], 0
    for area, (count, frozen, locked) in AREAS.items():
        for i in range(count):
            serial += 1
            x = f"+86170{serial:08d}"
            state = "frozen" if i < frozen else "available"
            is_locked = frozen <= i < frozen + locked
            rows.append({"number": x, "app_id": APP_ID, "area_code": area, "province": province_of(area),
                         "state": state, "load": 0, "locked": is_locked, "created_at_ms": now, "updated_at_ms": now})
            pool.area[x], pool.open[x] = area, state == "available" and not is_locked
            pool.frozen[x] = state == "frozen"
    async with db.transaction() as conn:
        await conn.execute(tables.enterprises.insert(), {"id": ENTERPRISE_ID, "name": "bench", "created_at_ms": now})
        await conn.execute(tables.apps.insert(), {
            "id": APP_ID, "enterprise_id": ENTERPRISE_ID, "name": "couriers", "mode": "AXB", "app_key": "bench-key",
            "app_secret": "bench-secret", "created_at_ms": now, "updated_at_ms": now})
        await conn.execute(tables.numbers.insert(), rows)
    return App(id=APP_ID, enterprise_id=ENTERPRISE_ID, name="couriers", mode=Mode.AXB, app_key="bench-key",
               app_secret="bench-secret")


def couriers(rng: random.Random, count: int) -> list[tuple[str, str, float]]:
    """(number, home area, weight): a few couriers carry most orders (Zipf-like weights)."""
    areas = list(AREAS)
    return [(f"+8613{i:09d}", areas[i % len(areas)], 1.0 / (i + 1)) for i in range(count)]


async def run(url: str, args: argparse.Namespace) -> dict:
    await asyncio.to_thread(upgrade, url)
    db = open_database(url)
    rng = random.Random(args.seed)
    pool = Pool()
    try:
        app = await seed(db, int(time.time() * 1000), pool)
        store = SqlProvisioningStore(db)
        riders = couriers(rng, args.couriers)
        weights = [w for _, _, w in riders]
        customers = [f"+8618{i:09d}" for i in range(args.customers)]
        open_orders: list[Order] = []
        per_area: dict[str, Counter] = defaultdict(Counter)
        reasons, agreement, violations = Counter(), Counter(), 0
        made, bind_seconds = 0, 0.0
        while made < args.orders:
            # orders complete between waves: each open order ends with probability --complete
            for order in [o for o in open_orders if rng.random() < args.complete]:
                await axb.unbind(store, app, order.binding_id, None)
                pool.remove(order.number, order.courier, order.customer)
                open_orders.remove(order)
            wave = []
            for _ in range(min(args.wave, args.orders - made)):
                courier, home, _ = rng.choices(riders, weights)[0]
                area = home if rng.random() < 0.9 else rng.choice(list(AREAS))
                wave.append(Order(courier, rng.choice(customers), area, rng.random() < args.non_strict))
            made += len(wave)
            started = time.perf_counter()
            answers = await asyncio.gather(*(axb.bind(store, app, axb.AxbBind(
                caller=o.courier, callee=o.customer, area_code=o.area, non_strict=o.non_strict)) for o in wave),
                return_exceptions=True)
            bind_seconds += time.perf_counter() - started
            refused = []
            for order, answer in zip(wave, answers, strict=True):
                tally = per_area[order.area]
                tally["orders"] += 1
                if isinstance(answer, NoNumber):
                    refused.append((order, answer))
                    continue
                if isinstance(answer, BaseException):
                    raise answer
                order.binding_id, order.number = answer.id, answer.number or ""
                scope = {x for s in pool.in_scope(order.area, order.non_strict) for x in s}
                if order.number not in scope or not pool.fits(order.number, order.courier, order.customer):
                    violations += 1
                pool.place(order.number, order.courier, order.customer)
                open_orders.append(order)
                tally["placed"] += 1
            for order, refusal in refused:
                tally = per_area[order.area]
                if pool.feasible(order.courier, order.customer, order.area, order.non_strict):
                    tally["missed"] += 1
                    continue
                tally["infeasible"] += 1
                reasons[refusal.reason.value] += 1
                expected = pool.reason(order.courier, order.customer, order.area, order.non_strict)
                agreement["agrees" if expected == refusal.reason.value else f"{refusal.reason.value}≠{expected}"] += 1
    finally:
        await db.dispose()
    placed = sum(t["placed"] for t in per_area.values())
    missed = sum(t["missed"] for t in per_area.values())
    return {"database": "SQLite" if is_sqlite(url) else "PostgreSQL", "orders": args.orders, "wave": args.wave,
            "couriers": args.couriers, "customers": args.customers, "complete": args.complete,
            "non_strict": args.non_strict, "seed": args.seed, "areas": AREAS, "placed": placed, "missed": missed,
            "feasible": placed + missed, "placed_of_feasible": placed / (placed + missed) if placed + missed else 1.0,
            "infeasible": sum(t["infeasible"] for t in per_area.values()), "reasons": dict(reasons),
            "reason_agreement": dict(agreement), "placement_violations": violations,
            "binds_per_s": args.orders / bind_seconds if bind_seconds else 0.0,
            "per_area": {a: dict(t) for a, t in sorted(per_area.items())}}


def report(result: dict) -> None:
    print(f"\n=== pool efficiency ({result['database']}, {result['orders']} orders in waves of {result['wave']}, "
          f"{result['couriers']} couriers, {result['customers']} customers) ===")
    print(f"{'area':>5s} {'numbers':>7s} {'orders':>7s} {'placed':>7s} {'missed':>7s} {'infeasible':>10s}")
    for area, t in result["per_area"].items():
        print(f"{area:>5s} {AREAS[area][0]:7d} {t.get('orders', 0):7d} {t.get('placed', 0):7d} "
              f"{t.get('missed', 0):7d} {t.get('infeasible', 0):10d}")
    print(f"placed of feasible: {result['placed']} / {result['feasible']} = {100 * result['placed_of_feasible']:.2f} %")
    print(f"refused and infeasible, by the reason privnum named: {result['reasons']}")
    print(f"named reason vs the model's: {result['reason_agreement']}; placement violations: "
          f"{result['placement_violations']}")


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--database-url", default=None,
                    help="postgresql+asyncpg://USER@HOST:PORT/DB: a throwaway database is created beside DB")
    ap.add_argument("--orders", type=int, default=4000)
    ap.add_argument("--wave", type=int, default=8, help="binds in flight at once (1: every check exact)")
    ap.add_argument("--couriers", type=int, default=12)
    ap.add_argument("--customers", type=int, default=3000)
    ap.add_argument("--complete", type=float, default=0.08, help="chance an open order ends between waves")
    ap.add_argument("--non-strict", type=float, default=0.3, help="share of binds with areaMatchMode 1")
    ap.add_argument("--seed", type=int, default=16)
    args = ap.parse_args()
    logging.getLogger("privnum.placement").setLevel(logging.ERROR)  # one "no number" line per refusal otherwise
    began = time.perf_counter()
    if args.database_url is None or is_sqlite(args.database_url):
        work = Path(tempfile.mkdtemp(prefix="privnum-pool-"))
        try:
            result = await run(args.database_url or f"sqlite+aiosqlite:///{work / 'bench.db'}", args)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    else:
        given = make_url(args.database_url)
        admin = await asyncpg.connect(given.set(drivername="postgresql").render_as_string(hide_password=False))
        name = f"privnum_bench_{secrets.token_hex(4)}"
        try:
            await admin.execute(f'CREATE DATABASE "{name}"')
            try:
                result = await run(given.set(database=name).render_as_string(hide_password=False), args)
            finally:
                await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()
    report(result)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"pool_efficiency-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False))
    print(f"wrote {out}; total {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    asyncio.run(main())
