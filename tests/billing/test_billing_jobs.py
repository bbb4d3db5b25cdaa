"""The billing jobs ``privnum serve`` runs by itself (issue 15, slice 3a): two real server processes on one
database, ticking every 0.2 s. A sandbox call's CDR is settled by them without any ``privnum billing settle``,
exactly once; the lease ``billing`` is held by one process at a time, and when its holder is killed (SIGKILL) the
other takes it over once it expires and goes on settling.

Honest design: the runner only settles fully elapsed UTC hours (hours_to_settle, tested on its own in
test_billing_job_hours.py). A test cannot wait an hour, so these servers run with the test-only
``PRIVNUM_BILLING_CLOCK_OFFSET_S=7200``: their billing jobs act as if it were two hours later, so the hour of a call
just made has elapsed for them, and so has the next one — where a call made after its hour was settled lands
(R-16/R-17). Everything else (calls, CDRs, ingestion, the lease, the ledger) is real."""

from __future__ import annotations

import os
import signal
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from test_billing_ledger_e2e import CALL, MINUTE_PRICE_MICROS, cdr_minutes, sql

from call_lab import LAB_ENV, CallLab, LabApp
from receiver import Receiver
from servers import BACKENDS, Server, drop_database, free_port, new_users, serve, start_server

CLOCK_OFFSET_S = 7200
JOBS_ENV = {**LAB_ENV, "PRIVNUM_BILLING_JOBS": "1", "PRIVNUM_BILLING_TICK_S": "0.2",
            "PRIVNUM_BILLING_SETTLE_LAG_S": "0", "PRIVNUM_BILLING_CLOCK_OFFSET_S": str(CLOCK_OFFSET_S)}


@dataclass
class TwoServers:
    lab: CallLab  # the call lab on the first server
    processes: dict[int, Any]  # pid → Popen, both serving one database
    tenant_id: int
    app: LabApp


def wait_for(what: str, check: Callable[[], Any], timeout_s: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture(scope="module", params=BACKENDS)
def two(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TwoServers]:
    receiver = Receiver(tmp_path_factory.mktemp("receiver"))
    first: Server = start_server(request.param, JOBS_ENV)
    port = free_port()
    second = serve({**first.env, "PRIVNUM_PORT": str(port)}, first.workdir, port, first.workdir / "second.log")
    lab = CallLab(first, receiver)
    tenant = f"jobs-{uuid.uuid4().hex[:8]}"
    password = first.workdir / f"{tenant}.pw"
    password.write_text("a-long-password-1\n")
    first.cli("tenant", "create", tenant, "--admin", f"{tenant}-admin", "--password-file", str(password))
    tenant_id = sql(first.database_url, "SELECT id FROM tenants WHERE name = :n", n=tenant)[0][0]
    app = lab.app("AXB", 2)
    sql(first.database_url, "UPDATE enterprises SET tenant_id = :t WHERE id = "
        "(SELECT enterprise_id FROM apps WHERE app_key = :k)", t=tenant_id, k=app.app_key)
    first.cli("billing", "plan", f"plan-{tenant}", "--minute-price", "0.1")
    first.cli("billing", "open", tenant, "--plan", f"plan-{tenant}")
    first.cli("billing", "topup", tenant, "100")
    assert first.process is not None
    yield TwoServers(lab, {first.process.pid: first.process, second.pid: second}, tenant_id, app)
    for process in (first.process, second):
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=10)
    first.stop()
    receiver.stop()
    drop_database(first.database_url)


def holder_pid(two: TwoServers) -> int | None:
    """The pid of the process holding the lease ``billing`` now, from its holder name (host:pid:tag)."""
    rows = sql(two.lab.server.database_url, "SELECT holder, lease_until_ms FROM job_leases WHERE name = 'billing'")
    if not rows or rows[0].lease_until_ms < (time.time() + CLOCK_OFFSET_S) * 1000:  # the jobs' clock
        return None
    return int(rows[0].holder.split(":")[1])


def balance(two: TwoServers) -> int:
    return int(sql(two.lab.server.database_url, "SELECT balance_micros FROM billing_accounts WHERE tenant_id = :t",
                   t=two.tenant_id)[0][0])


def settled_call(two: TwoServers, x: str) -> tuple[dict[str, Any], list[Any]]:
    """Make one sandbox call through ``x``; wait until the servers settled its usage records by themselves."""
    a, b = new_users(2)
    assert two.app.client.axb_bind(relationNum=x, callerNum=a, calleeNum=b).ok
    cdr = two.lab.finished(two.app, two.lab.call(a, x, **CALL))[1]

    def settled() -> list[Any]:
        rows = sql(two.lab.server.database_url, "SELECT meter, settlement_key FROM usage_records "
                   "WHERE source = 'cdr' AND key = :k", k=cdr["icid"])
        return rows if rows and all(r.settlement_key for r in rows) else []

    return cdr, wait_for("the servers to settle the call", settled)


def assert_ledger_balances(two: TwoServers) -> None:
    url = two.lab.server.database_url
    assert sql(url, "SELECT journal_id FROM postings GROUP BY journal_id HAVING SUM(amount_micros) <> 0") == []
    posted = sql(url, "SELECT COALESCE(SUM(amount_micros), 0) FROM postings WHERE ledger_account = :a",
                 a=f"wallet:{two.tenant_id}")[0][0]
    assert balance(two) == -posted
    lines = sql(url, "SELECT u.id, COUNT(l.id) FROM usage_records u LEFT JOIN rated_lines l "
                "ON l.usage_record_id = u.id WHERE u.settlement_key IS NOT NULL GROUP BY u.id")
    assert lines and all(count == 1 for _, count in lines)


def test_the_servers_settle_a_call_by_themselves_once(two: TwoServers) -> None:
    before = balance(two)
    cdr, records = settled_call(two, two.app.pool[0])
    assert {r.meter for r in records} == {"call.forwarded", "call.inbound"}
    key = records[0].settlement_key
    assert key.startswith(f"settle:{two.tenant_id}:")
    assert balance(two) == before - cdr_minutes(cdr) * MINUTE_PRICE_MICROS
    time.sleep(1.0)  # many more ticks of both servers: nothing moves twice
    assert balance(two) == before - cdr_minutes(cdr) * MINUTE_PRICE_MICROS
    assert len(sql(two.lab.server.database_url, "SELECT id FROM journals WHERE key = :k", k=key)) == 1
    assert_ledger_balances(two)


def test_one_process_holds_the_lease_and_a_killed_holders_lease_is_taken_over(two: TwoServers) -> None:
    holder = wait_for("a lease holder", lambda: holder_pid(two))
    assert holder in two.processes
    for _ in range(5):  # it renews it; the other never takes it while it lives
        time.sleep(0.2)
        assert holder_pid(two) == holder
    os.kill(holder, signal.SIGKILL)
    two.processes[holder].wait(timeout=10)
    survivor = next(pid for pid in two.processes if pid != holder)
    assert wait_for("the survivor to take the lease", lambda: holder_pid(two) == survivor, timeout_s=10)
    server = two.lab.server
    if two.processes[holder] is server.process:  # the killed one served the call lab's API: bring that back
        port = server.base.rpartition(":")[2]
        server.process = serve(server.env, server.workdir, port, server.workdir / "restarted.log")
        two.processes[server.process.pid] = server.process
    assert holder_pid(two) == survivor  # a new process waits for the lease to expire, which a live holder renews
    before = balance(two)
    cdr, _ = settled_call(two, two.app.pool[1])
    assert balance(two) == before - cdr_minutes(cdr) * MINUTE_PRICE_MICROS
    assert_ledger_balances(two)
