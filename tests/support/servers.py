"""Real privnum server processes for the tests, on SQLite (always) and PostgreSQL (when configured),
and fresh numbers and users for each test.

- ``PRIVNUM_TEST_POSTGRES_URL`` (e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/test): also run
  every backend-parametrised test on a fresh PostgreSQL database created for this run.
- ``PRIVNUM_TEST_REDIS_URL``: tests of the Redis auth guard run against it.
- ``PRIVNUM_TEST_REQUIRE_SERVICES=1`` (set by .ci/run): fail, not skip, when those are unreachable.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from huawei_client import HuaweiClient

POSTGRES_URL = os.environ.get("PRIVNUM_TEST_POSTGRES_URL", "")
REDIS_URL = os.environ.get("PRIVNUM_TEST_REDIS_URL", "")
REQUIRE_SERVICES = os.environ.get("PRIVNUM_TEST_REQUIRE_SERVICES") == "1"
PRIVNUM = [sys.executable, "-m", "privnum"]
BACKENDS = ["sqlite", "postgres"] if POSTGRES_URL else ["sqlite"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _pg_admin(statement: str) -> None:
    import asyncpg

    dsn = POSTGRES_URL.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


def fresh_database_url(backend: str, workdir: Path) -> str:
    """A new, empty database for one server fixture."""
    if backend == "sqlite":
        return f"sqlite+aiosqlite:///{workdir / 'privnum.db'}"
    name = f"privnum_test_{uuid.uuid4().hex[:12]}"
    try:
        asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    except Exception as error:
        pytest.fail(f"cannot reach PostgreSQL at {POSTGRES_URL}: {error}")
    base, _, _ = POSTGRES_URL.rpartition("/")
    return f"{base}/{name}"


def drop_database(url: str) -> None:
    if url.startswith("postgresql"):
        name = url.rpartition("/")[2]
        with contextlib.suppress(Exception):
            asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


_numbers = itertools.count(int(time.time() * 1000) % 10**8)


def new_numbers(count: int, prefix: str = "+86170") -> list[str]:
    """Numbers never used before in this test run (X numbers for pools, or users)."""
    return [f"{prefix}{next(_numbers) % 10**8:08d}" for _ in range(count)]


def new_users(count: int) -> list[str]:
    return new_numbers(count, "+86139")


@dataclass
class Server:
    """A running ``privnum serve`` process and the CLI bound to the same database."""

    backend: str
    base: str
    database_url: str
    workdir: Path
    env: dict[str, str]
    process: subprocess.Popen | None = None
    clients: list[HuaweiClient] = field(default_factory=list)

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        done = subprocess.run([*PRIVNUM, *args], env=self.env, cwd=self.workdir, capture_output=True, text=True,
                              timeout=120)
        if check and done.returncode != 0:
            raise AssertionError(f"privnum {' '.join(args)} failed: {done.stdout}\n{done.stderr}")
        return done

    def create_app(self, mode: str, *extra: str) -> tuple[str, str]:
        out = self.cli("app", "create", "--name", f"t-{uuid.uuid4().hex[:6]}", "--mode", mode,
                       "--account", f"acct-{uuid.uuid4().hex[:8]}", *extra, "--json")
        data = json.loads(out.stdout)
        return data["app_key"], data["app_secret"]

    def add_numbers(self, app_key: str, area_code: str, numbers: list[str], *extra: str) -> None:
        self.cli("numbers", "add", "--app", app_key, "--area-code", area_code, *numbers, *extra)

    def client(self, app_key: str, app_secret: str, source_ip: str | None = None) -> HuaweiClient:
        c = HuaweiClient(self.base, app_key, app_secret, source_ip)
        self.clients.append(c)
        return c

    def app(self, mode: str, numbers: int = 3, area_code: str = "0755", *extra: str,
            source_ip: str | None = None) -> tuple[HuaweiClient, list[str]]:
        """A new app of ``mode`` with ``numbers`` fresh X numbers in ``area_code``, and its client."""
        key, secret = self.create_app(mode, *extra)
        pool = new_numbers(numbers)
        if pool:
            self.add_numbers(key, area_code, pool)
        return self.client(key, secret, source_ip), pool

    def stop(self) -> None:
        for c in self.clients:
            c.close()
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def start_server(backend: str, extra_env: dict[str, str] | None = None, workers: int = 1) -> Server:
    workdir = Path(tempfile.mkdtemp(prefix=f"privnum-{backend}-"))
    url = fresh_database_url(backend, workdir)
    port = free_port()
    env = {**os.environ, "PRIVNUM_DATABASE_URL": url, "PRIVNUM_PORT": str(port),
           "PRIVNUM_AUTH_LOCKOUT_FAILURES": "1000000", "PRIVNUM_SIP": "0", **(extra_env or {})}
    if "PRIVNUM_REDIS_URL" not in (extra_env or {}):
        env.pop("PRIVNUM_REDIS_URL", None)
    server = Server(backend, f"http://127.0.0.1:{port}", url, workdir, env)
    server.cli("db", "upgrade")
    server.process = serve(env, workdir, port, workdir / "server.log", workers)
    return server


def serve(env: dict[str, str], workdir: Path, port: int | str, log_path: Path, workers: int = 1,
          ) -> subprocess.Popen:
    """Start ``privnum serve`` on ``port`` with ``env`` and wait until it answers /health."""
    log = open(log_path, "w")  # noqa: SIM115 — the server process writes it for its whole life
    process = subprocess.Popen([*PRIVNUM, "serve", "--port", str(port), "--workers", str(workers)],
                               env=env, cwd=workdir, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90  # 30 s was not enough for a start on a 2-core box at load 25
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"privnum serve exited: {log_path.read_text()}")
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError(f"privnum serve did not come up: {log_path.read_text()}")
