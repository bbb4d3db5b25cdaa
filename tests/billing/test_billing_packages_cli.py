"""``privnum billing product add / product list / package buy / packages`` through the real ``privnum`` command on a
fresh database (SQLite, and PostgreSQL when configured): a product is added, a tenant buys it once per ``--ref``,
a call's minutes settled by ``privnum billing settle`` come off the package, and ``privnum billing packages`` shows
what is left; bad input is a clear message and a non-zero exit, never a traceback."""

from __future__ import annotations

import json
import os
import re
import tempfile
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from billing_kit import sql
from servers import BACKENDS, Server, drop_database, fresh_database_url, new_numbers

HOUR_MS = 3_600_000


@pytest.fixture(scope="module", params=BACKENDS)
def cli(request: pytest.FixtureRequest) -> Iterator[Server]:
    """The ``privnum`` command on a fresh database (no server process: only the CLI)."""
    workdir = Path(tempfile.mkdtemp(prefix=f"privnum-pkg-cli-{request.param}-"))
    url = fresh_database_url(request.param, workdir)
    env = {**os.environ, "PRIVNUM_DATABASE_URL": url, "PRIVNUM_SIP": "0", "COLUMNS": "200"}
    server = Server(request.param, "", url, workdir, env)
    server.cli("db", "upgrade")
    yield server
    drop_database(url)


def balance(cli: Server, tenant: str) -> str:
    shown = re.search(r"balance (-?[0-9.]+) CNY", cli.cli("billing", "balance", tenant).stdout)
    assert shown
    return shown.group(1)


def test_a_tenant_buys_a_package_once_per_reference_and_settled_minutes_come_off_it(cli: Server) -> None:
    tenant = f"pkgcli-{uuid.uuid4().hex[:8]}"
    password = cli.workdir / "admin.pw"
    password.write_text("a-long-password-1\n")
    cli.cli("tenant", "create", tenant, "--admin", f"{tenant}-admin", "--password-file", str(password))
    app_key = json.loads(cli.cli("app", "create", "--name", "app", "--mode", "AXB", "--enterprise", f"ent-{tenant}",
                                 "--json").stdout)["app_key"]
    x = new_numbers(1)[0]
    cli.add_numbers(app_key, "0755", [x])
    tenant_id = sql(cli.database_url, "SELECT id FROM tenants WHERE name = :n", n=tenant)[0][0]
    sql(cli.database_url, "UPDATE enterprises SET tenant_id = :t WHERE name = :e", t=tenant_id, e=f"ent-{tenant}")
    cli.cli("billing", "plan", f"plan-{tenant}", "--minute-price", "0.1")
    cli.cli("billing", "open", tenant, "--plan", f"plan-{tenant}")
    cli.cli("billing", "topup", tenant, "50")

    product = f"500min-{uuid.uuid4().hex[:6]}"
    added = cli.cli("billing", "product", "add", product, "--price", "38", "--quota", "call.forwarded=500",
                    "--quota", "sms.forwarded:virtual=50").stdout
    assert f"product '{product}'" in added and "38 CNY for 12 months" in added
    listed = cli.cli("billing", "product", "list").stdout
    assert product in listed and "call.forwarded:any=500" in listed and "sms.forwarded:virtual=50" in listed

    for _ in range(2):
        bought = cli.cli("billing", "package", "buy", tenant, "--product", product, "--ref", "order-1").stdout
    assert "already bought under this reference" in bought and "balance 12 CNY" in bought
    assert balance(cli, tenant) == "12"
    refused = cli.cli("billing", "package", "buy", tenant, "--product", product, check=False)
    assert refused.returncode == 1 and "balance and credit do not cover the price" in refused.stderr
    assert "Traceback" not in refused.stderr

    effective = sql(cli.database_url, "SELECT id, effective_from_ms FROM packages WHERE tenant_id = :t",
                    t=tenant_id)
    assert len(effective) == 1
    package_id, start = effective[0]
    sql(cli.database_url, "INSERT INTO usage_records (tenant_id, app_id, source, key, meter, number_class, x_number, "
        "quantity, units, occurred_at_ms, created_at_ms) SELECT :t, id, 'cdr', :k, 'call.forwarded', 'virtual', :x, "
        "300, 5, :at, :at FROM apps WHERE app_key = :a", t=tenant_id, k=uuid.uuid4().hex, x=x, at=start + 60_000,
        a=app_key)
    hour = datetime.fromtimestamp(start / 1000, UTC).strftime("%Y-%m-%dT%H")
    assert f"settle:{tenant_id}:{hour}" in cli.cli("billing", "settle", "--hour", hour).stdout
    assert balance(cli, tenant) == "12"  # the 5 minutes came off the package

    shown = cli.cli("billing", "packages", tenant).stdout
    rows = [[cell.strip() for cell in line.strip("│").split("│")] for line in shown.splitlines()
            if line.startswith(f"│ {package_id} ")]
    starts = datetime.fromtimestamp(start / 1000, UTC).strftime("%Y-%m-%d %H:%M")
    assert [row[1:5] for row in rows] == [[product, "call.forwarded:any", "495/500", starts],
                                          [product, "sms.forwarded:virtual", "50/50", starts]], shown
    assert {row[6] for row in rows} <= {"not yet", "in force"}  # in force from the next full hour


@pytest.mark.parametrize(("args", "message"), [
    (["--price", "38", "--quota", "call.forwarded"], "METER[:CLASS]=UNITS"),
    (["--price", "3.1234567", "--quota", "call.forwarded=1"], "more than 6 decimals"),
    (["--price", "1", "--quota", "number.rent=1"], "meter is one of"),
    (["--price", "1", "--quota", "call.forwarded=1", "--months", "0"], "1 to 120 months"),
])
def test_a_bad_product_is_a_clear_message(cli: Server, args: list[str], message: str) -> None:
    done = cli.cli("billing", "product", "add", f"bad-{uuid.uuid4().hex[:6]}", *args, check=False)
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert message in re.sub(r"\s*│\s*", " ", done.stderr), done.stderr


def test_buying_for_an_unknown_tenant_or_product_is_a_clear_message(cli: Server) -> None:
    done = cli.cli("billing", "package", "buy", "nobody", "--product", "none", check=False)
    assert done.returncode == 1 and "no tenant 'nobody'" in done.stderr
