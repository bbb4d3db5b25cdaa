"""Signed AXB binds and queries over real HTTP, beside two ceilings measured in the same run.

Starts its own ``privnum serve`` (``--workers N``) with ``PRIVNUM_BENCH_ROUTES=1`` on a fresh database (a
throwaway SQLite file, or a throwaway database created on the PostgreSQL server given, dropped after), creates
an AXB app with a pool of X numbers, then drives four sets, in rounds, each for a bounded time:

- unsigned no-op: ``GET /health`` (HTTP and the middleware stack only);
- signed no-op: ``POST /bench/v1/signed-noop``, the same AKSK check and nonce recording as a bind, the same
  body, nothing else: the honest ceiling for a signed Huawei call;
- AXB bind by areaCode (``POST /rest/caas/relationnumber/partners/v1.0``);
- AXB query by X (``GET`` the same URI, ``relationNum`` and ``pageSize=10``).

    PYTHONPATH=src .venv/bin/python bench/bind_throughput.py                          # SQLite
    PYTHONPATH=src .venv/bin/python bench/bind_throughput.py --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/test
        [--workers 2] [--clients 2] [--redis-url redis://127.0.0.1:6379/5] [--profile DIR]

Prints, per set, the median rate over the rounds, its ratio to the signed no-op (the median of the rounds'
ratios), p50/p99 latency over all rounds, and the server's CPU per request (utime+stime of the serve
process tree / requests): the load generator shares the cores with the server, so ``req per server
core-second`` is the figure that does not depend on how much CPU the generator left. JSON in
bench/results/bind_throughput-<UTC time>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import hmac
import json
import multiprocessing
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
AUTH = 'AKSK realm="SDP",profile="UsernameToken",type="Appkey"'
URI = "/rest/caas/relationnumber/partners/v1.0"
SIGNED_NOOP = "/bench/v1/signed-noop"
AREA = "0755"
USERS = 13900000000  # + 2 * (call's first bind + i): every bind of a run has a new pair
BINDS_PER_CALL = 100_000
SETS = {"noop": "unsigned no-op GET /health", "signed": "signed no-op (AKSK + nonce)",
        "bind": "AXB bind (areaCode)", "query": "AXB query by X"}


def signed(key: str, secret: str) -> dict[str, str]:
    nonce = secrets.token_hex(16)
    created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    digest = base64.b64encode(hmac.new(secret.encode(), (nonce + created).encode(), hashlib.sha256).digest()).decode()
    return {"Content-Type": "application/json;charset=UTF-8", "Authorization": AUTH,
            "X-AKSK": f'UsernameToken Username="{key}",PasswordDigest="{digest}",Nonce="{nonce}",Created="{created}"'}


@dataclass(frozen=True)
class Target:
    base: str
    key: str
    secret: str
    prefix: int  # the pool is +86{prefix} … +86{prefix + numbers - 1}
    numbers: int


@dataclass
class Drive:
    """One client process's part of one set."""

    count: int
    failures: int
    elapsed: float
    latencies: list[float]
    first_failure: str | None


def requester(kind: str, t: Target, first: int) -> Callable[[aiohttp.ClientSession, int], Awaitable[str | None]]:
    """The set's request; it returns None when answered with success, else what came back."""

    def bind_body(i: int) -> str:
        user = USERS + 2 * (first + i)
        return json.dumps({"areaCode": AREA, "callerNum": f"+86{user}", "calleeNum": f"+86{user + 1}"})

    async def noop(session: aiohttp.ClientSession, _i: int) -> str | None:
        async with session.get(f"{t.base}/health") as r:
            text = await r.text()
            return None if r.status == 200 else f"{r.status} {text[:200]}"

    async def answer(r: aiohttp.ClientResponse) -> str | None:
        text = await r.text()
        return None if r.status == 200 and json.loads(text).get("resultcode") == "0" else f"{r.status} {text[:200]}"

    async def signed_noop(session: aiohttp.ClientSession, i: int) -> str | None:
        async with session.post(f"{t.base}{SIGNED_NOOP}", data=bind_body(i), headers=signed(t.key, t.secret)) as r:
            return await answer(r)

    async def bind(session: aiohttp.ClientSession, i: int) -> str | None:
        async with session.post(f"{t.base}{URI}", data=bind_body(i), headers=signed(t.key, t.secret)) as r:
            return await answer(r)

    async def query(session: aiohttp.ClientSession, i: int) -> str | None:
        params = {"relationNum": f"+86{t.prefix + (first + i) % t.numbers}", "pageSize": "10"}
        async with session.get(f"{t.base}{URI}", params=params, headers=signed(t.key, t.secret)) as r:
            return await answer(r)

    return {"noop": noop, "signed": signed_noop, "bind": bind, "query": query}[kind]


async def _drive(kind: str, t: Target, first: int, start_at: float, seconds: float, concurrency: int,
                 limit: int = BINDS_PER_CALL) -> Drive:
    make_request = requester(kind, t, first)
    latencies: list[float] = []
    failures = 0
    first_failure: str | None = None
    counter = iter(range(limit))
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as session:
        await asyncio.sleep(max(0.0, start_at - time.time()))
        begun = time.perf_counter()
        deadline = begun + seconds

        async def worker() -> None:
            nonlocal failures, first_failure
            while time.perf_counter() < deadline:
                i = next(counter, None)
                if i is None:
                    return
                start = time.perf_counter()
                try:
                    failure = await make_request(session, i)
                except aiohttp.ClientError as error:
                    failure = repr(error)
                latencies.append(time.perf_counter() - start)
                if failure is not None:
                    failures += 1
                    first_failure = first_failure or failure

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - begun
    return Drive(len(latencies), failures, elapsed, latencies, first_failure)


def drive_in_process(kind: str, t: Target, first: int, start_at: float, seconds: float, concurrency: int,
                     limit: int = BINDS_PER_CALL) -> Drive:
    return asyncio.run(_drive(kind, t, first, start_at, seconds, concurrency, limit))


def cpu_seconds(root_pid: int) -> float:
    """utime + stime of ``root_pid`` and every descendant (uvicorn's workers), from /proc."""
    parents: dict[int, int] = {}
    ticks: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry)] = int(fields[1])
        ticks[int(entry)] = int(fields[11]) + int(fields[12])
    tree, frontier = {root_pid}, [root_pid]
    while frontier:
        pid = frontier.pop()
        children = [p for p, parent in parents.items() if parent == pid and p not in tree]
        tree.update(children)
        frontier.extend(children)
    return sum(ticks.get(p, 0) for p in tree) / os.sysconf("SC_CLK_TCK")


def pct(values: list[float], p: int) -> float:
    return statistics.quantiles(values, n=100)[p - 1] * 1000 if len(values) > 100 else float("nan")


@dataclass
class SetRound:
    kind: str
    round: int
    rate: float
    failures: int
    server_cpu_s: float
    requests: int
    first_failure: str | None


class Bench:
    def __init__(self, args: argparse.Namespace, target: Target, server: subprocess.Popen,
                 pool: Any | None) -> None:
        self.args, self.target, self.server, self.pool = args, target, server, pool
        self.calls = 0
        self.latencies: dict[str, list[float]] = {k: [] for k in SETS}
        self.rounds: list[SetRound] = []

    def run_set(self, kind: str, round_no: int, seconds: float, profile: Path | None = None,
                limit: int = BINDS_PER_CALL) -> SetRound:
        clients = self.args.clients
        per_client = max(1, self.args.concurrency // clients)
        start_at = time.time() + 0.3
        jobs = []
        for _ in range(clients):
            jobs.append((kind, self.target, self.calls * BINDS_PER_CALL, start_at, seconds, per_client,
                         -(-limit // clients)))
            self.calls += 1
        spy = None
        if profile is not None:
            spy = subprocess.Popen(["py-spy", "record", "--format", "raw", "--rate", "250", "--subprocesses",
                                    "--duration", str(int(seconds)), "--pid", str(self.server.pid),
                                    "--output", str(profile / f"{kind}.txt")],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        cpu_before = cpu_seconds(self.server.pid)
        drives = [drive_in_process(*jobs[0])] if self.pool is None else self.pool.starmap(drive_in_process, jobs)
        cpu = cpu_seconds(self.server.pid) - cpu_before
        if spy is not None:
            spy.wait(timeout=seconds + 30)
        count = sum(d.count for d in drives)
        rate = count / max(d.elapsed for d in drives)
        for d in drives:
            self.latencies[kind].extend(d.latencies)
        result = SetRound(kind, round_no, rate, sum(d.failures for d in drives), cpu, count,
                          next((d.first_failure for d in drives if d.first_failure), None))
        if round_no >= 0:
            self.rounds.append(result)
        return result


def start(args: argparse.Namespace, url: str, work: Path) -> tuple[Target, subprocess.Popen]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "PRIVNUM_DATABASE_URL": url, "PRIVNUM_PORT": str(port), "PRIVNUM_BENCH_ROUTES": "1",
           "PRIVNUM_AUTH_LOCKOUT_FAILURES": "1000000", "PRIVNUM_SIP": "0", "PRIVNUM_BILLING_JOBS": "0",
           "PRIVNUM_RECORDINGS_DIR": str(work / "recordings"),
           # this checkout's privnum, whatever the server's working directory
           "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), *filter(None, [os.environ.get("PYTHONPATH")])])}
    env.pop("PRIVNUM_REDIS_URL", None)
    if args.redis_url:
        env["PRIVNUM_REDIS_URL"] = args.redis_url
    cli = [sys.executable, "-m", "privnum"]
    subprocess.run([*cli, "db", "upgrade"], env=env, check=True, capture_output=True)
    created = json.loads(subprocess.run([*cli, "app", "create", "--name", "bench", "--mode", "AXB", "--account",
                                         f"bench-{secrets.token_hex(4)}", "--json"], env=env, check=True,
                                        capture_output=True, text=True).stdout)
    prefix = 17000000000 + secrets.randbelow(10**6) * 1000
    subprocess.run([*cli, "numbers", "add", "--app", created["app_key"], "--area-code", AREA,
                    f"+86{prefix}-+86{prefix + args.numbers - 1}"], env=env, check=True, capture_output=True)
    log = open(work / "server.log", "w")  # noqa: SIM115 — the server writes it for its whole life
    server = subprocess.Popen([*cli, "serve", "--port", str(port), "--workers", str(args.workers)], env=env,
                              cwd=work, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    import urllib.request

    while True:
        try:
            with urllib.request.urlopen(f"{base}/health", timeout=1) as r:
                if r.status == 200:
                    break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"privnum serve did not come up: {(work / 'server.log').read_text()}") from None
            time.sleep(0.1)
    return Target(base, created["app_key"], created["app_secret"], prefix, args.numbers), server


def run(args: argparse.Namespace, url: str) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="privnum-bench-"))
    pool = multiprocessing.get_context("fork").Pool(args.clients) if args.clients > 1 else None
    target, server = start(args, url, work)
    profile = Path(args.profile) if args.profile else None
    if profile is not None:
        profile.mkdir(parents=True, exist_ok=True)
    try:
        bench = Bench(args, target, server, pool)
        # warm-up: connections and caches; then two bindings on every X (binds go to the least-loaded numbers),
        # so that every query by X finds some
        for kind in ("noop", "signed"):
            bench.run_set(kind, -1, 1.0)
        bench.run_set("bind", -1, 120.0, limit=2 * args.numbers)
        bench.latencies = {k: [] for k in SETS}
        load_before = os.getloadavg()
        for round_no in range(args.rounds):
            for kind in SETS:
                r = bench.run_set(kind, round_no, args.seconds,
                                  profile if profile is not None and round_no == args.rounds - 1 else None)
                print(f"  round {round_no + 1} {SETS[kind]:30s} {r.rate:8.0f} req/s  failed {r.failures}  "
                      f"server CPU {r.server_cpu_s / args.seconds * 100:4.0f} %"
                      + (f"  first failure: {r.first_failure}" if r.first_failure else ""), flush=True)
        load_after = os.getloadavg()
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        if pool is not None:
            pool.close()
        shutil.rmtree(work, ignore_errors=True)
    return summarise(args, url, bench, load_before, load_after)


def summarise(args: argparse.Namespace, url: str, bench: Bench, load_before: tuple[float, ...],
              load_after: tuple[float, ...]) -> dict[str, Any]:
    by_round = {(r.kind, r.round): r for r in bench.rounds}
    rows = []
    for kind, name in SETS.items():
        mine = [r for r in bench.rounds if r.kind == kind]
        ratios = [r.rate / by_round[("signed", r.round)].rate for r in mine]
        unsigned = [r.rate / by_round[("noop", r.round)].rate for r in mine]
        per_core = [r.requests / r.server_cpu_s for r in mine if r.server_cpu_s > 0]
        per_core_ratio = [(r.requests / r.server_cpu_s) / (s.requests / s.server_cpu_s) for r in mine
                          if r.server_cpu_s > 0 and (s := by_round[("signed", r.round)]).server_cpu_s > 0]
        rows.append({"set": kind, "what": name, "rates": [r.rate for r in mine],
                     "rate_median": statistics.median(r.rate for r in mine),
                     "of_signed_noop": statistics.median(ratios), "of_unsigned_noop": statistics.median(unsigned),
                     "p50_ms": pct(bench.latencies[kind], 50), "p99_ms": pct(bench.latencies[kind], 99),
                     "failures": sum(r.failures for r in mine),
                     "server_cpu_share": statistics.median(r.server_cpu_s / args.seconds for r in mine),
                     "per_server_core_s": statistics.median(per_core) if per_core else None,
                     "per_core_of_signed_noop": statistics.median(per_core_ratio) if per_core_ratio else None})
    return {"database": "PostgreSQL" if url.startswith("postgresql") else "SQLite",
            "redis": bool(args.redis_url), "workers": args.workers, "clients": args.clients,
            "concurrency": args.concurrency, "seconds": args.seconds, "rounds": args.rounds,
            "numbers": args.numbers, "cpus": os.cpu_count(), "load_before": load_before, "load_after": load_after,
            "rows": rows, "rounds_raw": [asdict(r) for r in bench.rounds]}


def show(result: dict[str, Any]) -> None:
    print(f"\n{result['database']}{' + Redis' if result['redis'] else ''}, {result['workers']} worker(s), "
          f"{result['clients']} client process(es), concurrency {result['concurrency']}, "
          f"{result['rounds']} rounds x {result['seconds']:.0f} s, load {result['load_before'][0]:.1f} -> "
          f"{result['load_after'][0]:.1f} on {result['cpus']} CPUs")
    print(f"{'set':30s} {'req/s':>7s} {'of signed':>9s} {'of /health':>10s} {'p50 ms':>7s} {'p99 ms':>7s} "
          f"{'failed':>6s} {'srv CPU':>7s} {'req/core-s':>10s} {'of signed':>9s}")
    for row in result["rows"]:
        per_core = f"{row['per_server_core_s']:10.0f}" if row["per_server_core_s"] else f"{'-':>10s}"
        per_core_ratio = f"{row['per_core_of_signed_noop']:9.2f}" if row["per_core_of_signed_noop"] else f"{'-':>9s}"
        print(f"{row['what']:30s} {row['rate_median']:7.0f} {row['of_signed_noop']:9.2f} "
              f"{row['of_unsigned_noop']:10.2f} {row['p50_ms']:7.1f} {row['p99_ms']:7.1f} {row['failures']:6d} "
              f"{row['server_cpu_share'] * 100:6.0f}% {per_core} {per_core_ratio}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--database-url", default=None,
                    help="default: a throwaway SQLite file; postgresql+asyncpg://…/DB: a throwaway database there")
    ap.add_argument("--redis-url", default=None, help="nonces and lockouts in Redis (PRIVNUM_REDIS_URL)")
    ap.add_argument("--workers", type=int, default=1, help="privnum serve --workers")
    ap.add_argument("--clients", type=int, default=1, help="load generator processes")
    ap.add_argument("--seconds", type=float, default=5.0, help="per set and round")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--concurrency", type=int, default=32, help="connections in all")
    ap.add_argument("--numbers", type=int, default=200, help="X numbers in the pool")
    ap.add_argument("--profile", default=None, help="DIR: py-spy collapsed stacks of the server, last round")
    args = ap.parse_args()
    if not (1 <= args.workers <= 8 and 1 <= args.clients <= 8 and 1 <= args.rounds <= 20 and args.seconds <= 60):
        ap.error("--workers and --clients 1-8, --rounds 1-20, --seconds at most 60")

    given = args.database_url
    if given is None or given.startswith("sqlite"):
        result = run(args, given or f"sqlite+aiosqlite:///{tempfile.mkdtemp(prefix='privnum-bench-db-')}/bench.db")
    else:
        result = with_throwaway_postgres(given, lambda url: run(args, url))
    show(result)
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    path = results / f"bind_throughput-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    print(f"{path.relative_to(ROOT)}")


def with_throwaway_postgres(given: str, work: Callable[[str], dict[str, Any]]) -> dict[str, Any]:
    import asyncpg
    from sqlalchemy.engine import make_url

    url = make_url(given)
    name = f"privnum_bench_{secrets.token_hex(4)}"

    async def admin(statement: str) -> None:
        conn = await asyncpg.connect(url.set(drivername="postgresql").render_as_string(hide_password=False))
        try:
            await conn.execute(statement)
        finally:
            await conn.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    try:
        return work(url.set(database=name).render_as_string(hide_password=False))
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
