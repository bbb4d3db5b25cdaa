"""Bind throughput over real HTTP, beside an unauthenticated no-op (GET /health) in the same run.

Starts its own ``privnum serve`` (one worker) on a fresh database, creates an AXB app with a
pool of X numbers, then drives it from this process with aiohttp for a bounded time:

    .venv/bin/python bench/bind_throughput.py                       # SQLite
    .venv/bin/python bench/bind_throughput.py --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/DB

Prints requests/s, p50/p99 latency and the ratio bind/no-op. The load generator shares the
machine's two cores with the server, so ratios within one run are what to compare.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import hmac
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

AUTH = 'AKSK realm="SDP",profile="UsernameToken",type="Appkey"'
URI = "/rest/caas/relationnumber/partners/v1.0"


def signed(key: str, secret: str) -> dict[str, str]:
    nonce = secrets.token_hex(16)
    created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    digest = base64.b64encode(hmac.new(secret.encode(), (nonce + created).encode(), hashlib.sha256).digest()).decode()
    return {"Content-Type": "application/json;charset=UTF-8", "Authorization": AUTH,
            "X-AKSK": f'UsernameToken Username="{key}",PasswordDigest="{digest}",Nonce="{nonce}",Created="{created}"'}


async def drive(make_request, seconds: float, concurrency: int, limit: int) -> tuple[int, list[float], int]:
    latencies: list[float] = []
    failures = 0
    deadline = time.perf_counter() + seconds
    counter = iter(range(limit))

    async def worker(session: aiohttp.ClientSession) -> None:
        nonlocal failures
        while time.perf_counter() < deadline:
            i = next(counter, None)
            if i is None:
                return
            start = time.perf_counter()
            ok = await make_request(session, i)
            latencies.append(time.perf_counter() - start)
            failures += 0 if ok else 1

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as session:
        begun = time.perf_counter()
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
        elapsed = time.perf_counter() - begun
    return int(len(latencies) / elapsed), latencies, failures


def pct(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100)[int(p) - 1] * 1000 if len(values) > 100 else float("nan")


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--database-url", default=None)
    ap.add_argument("--seconds", type=float, default=8.0)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--numbers", type=int, default=200)
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="privnum-bench-"))
    url = args.database_url or f"sqlite+aiosqlite:///{work / 'bench.db'}"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "PRIVNUM_DATABASE_URL": url, "PRIVNUM_PORT": str(port),
           "PRIVNUM_AUTH_LOCKOUT_FAILURES": "1000000", "PRIVNUM_SIP": "0"}
    cli = [sys.executable, "-m", "privnum"]
    created = json.loads(subprocess.run([*cli, "app", "create", "--name", "bench", "--mode", "AXB", "--account",
                                         f"bench-{secrets.token_hex(4)}", "--json"], env=env, check=True,
                                        capture_output=True, text=True).stdout)
    key, secret = created["app_key"], created["app_secret"]
    prefix = 17000000000 + secrets.randbelow(10**6) * 1000
    subprocess.run([*cli, "numbers", "add", "--app", key, "--area-code", "0755",
                    f"+86{prefix}-+86{prefix + args.numbers - 1}"], env=env, check=True, capture_output=True)
    server = subprocess.Popen([*cli, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession() as session:
            for _ in range(100):
                try:
                    async with session.get(f"{base}/health") as r:
                        if r.status == 200:
                            break
                except aiohttp.ClientError:
                    await asyncio.sleep(0.1)

        async def noop(session: aiohttp.ClientSession, _i: int) -> bool:
            async with session.get(f"{base}/health") as r:
                await r.read()
                return r.status == 200

        users = 13900000000 + secrets.randbelow(10**6) * 1000

        async def bind(session: aiohttp.ClientSession, i: int) -> bool:
            body = {"areaCode": "0755", "callerNum": f"+86{users + 2 * i}", "calleeNum": f"+86{users + 2 * i + 1}"}
            async with session.post(f"{base}{URI}", data=json.dumps(body), headers=signed(key, secret)) as r:
                data = await r.json(content_type=None)
                return data.get("resultcode") == "0"

        async def query(session: aiohttp.ClientSession, i: int) -> bool:
            x = f"+86{prefix + i % args.numbers}"
            params = {"relationNum": x, "pageSize": "10"}
            async with session.get(f"{base}{URI}", params=params, headers=signed(key, secret)) as r:
                await r.read()
                return r.status in (200, 403)

        await drive(noop, 1.0, args.concurrency, 10**9)  # warm-up
        results = {}
        for name, fn in (("no-op GET /health", noop), ("AXB bind (areaCode)", bind), ("AXB query by X", query)):
            rate, lat, failed = await drive(fn, args.seconds, args.concurrency, 10**9)
            results[name] = rate
            print(f"{name:24s} {rate:7d} req/s  p50 {pct(lat, 50):6.1f} ms  p99 {pct(lat, 99):6.1f} ms  "
                  f"failed {failed}")
        base_rate = results["no-op GET /health"]
        for name, rate in results.items():
            print(f"ratio {name:24s} {rate / base_rate:5.2f} of no-op")
        print(f"database: {url.split('://')[0]}, concurrency {args.concurrency}, {args.seconds:.0f} s per set")
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    asyncio.run(main())
