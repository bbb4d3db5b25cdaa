"""Billing notifications between processes (billing.md R-14, R-27): a ``privnum serve`` with
PRIVNUM_BILLING_WEBHOOK_URL and a secret POSTs, signed, to a receiver process what the CLI's wallet movements
raised (low balance, then arrears); a first answer of 500 is retried. The operator sets the threshold and lists the
notifications through the management API (a tenant user sees its own tenant's, may not set thresholds) and the
CLI. A server killed -9 while the webhook fails loses nothing: restarted, it delivers what was raised."""

from __future__ import annotations

import hashlib
import hmac
import json
import signal
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from billing_kit import BilledTenant, billed_tenant, eventually, sql
from mgmt import ADMIN_LOGIN, ADMIN_PASSWORD, MgmtClient, start_mgmt_server
from receiver import Receiver
from servers import BACKENDS, Server, drop_database, free_port, serve

DELIVERY_S = 15.0  # how long a notification may take to reach the webhook
SECRET = "webhook-secret-1"
PATH = "/ops/billing"


@pytest.fixture(scope="module", params=BACKENDS)
def hooked(request: pytest.FixtureRequest) -> Iterator[tuple[Server, Receiver]]:
    receiver = Receiver(Path(tempfile.mkdtemp(prefix="privnum-webhook-")))
    server = start_mgmt_server(request.param, {"PRIVNUM_BILLING_WEBHOOK_URL": receiver.base + PATH,
                                               "PRIVNUM_BILLING_WEBHOOK_SECRET": SECRET,
                                               "PRIVNUM_TIME_SCALE": "0.005"})  # a retry after 0.3 s
    try:
        yield server, receiver
    finally:
        server.stop()
        receiver.stop()
        drop_database(server.database_url)


def operator_client(server: Server) -> MgmtClient:
    client = MgmtClient(server.base)
    assert client.login(ADMIN_LOGIN, ADMIN_PASSWORD).status_code == 200
    return client


def delivered_keys(receiver: Receiver, tenant: BilledTenant) -> dict[str, list[dict[str, Any]]]:
    """Per notification key of ``tenant``: every request the receiver got for it."""
    found: dict[str, list[dict[str, Any]]] = {}
    for record in receiver.records(path=PATH):
        key = record["headers"].get("X-Privnum-Notification", "")
        if f":{tenant.id}:" in key:
            found.setdefault(key, []).append(record)
    return found


def test_wallet_movements_reach_the_webhook_signed_and_are_listed(hooked: tuple[Server, Receiver]) -> None:
    server, receiver = hooked
    tenant = billed_tenant(server, "0.1", "1")
    operator = operator_client(server)
    its_admin = MgmtClient(server.base)
    assert its_admin.login(f"{tenant.name}-admin", "a-long-password-1").status_code == 200
    try:
        path = f"/billing/accounts/{tenant.id}/low-balance"
        assert its_admin.put(path, json={"low_balance": "5"}).status_code == 403
        refused = operator.put(path, json={"low_balance": "five"})
        assert refused.status_code == 422, refused.text
        assert operator.put(path, json={"low_balance": 5}).status_code == 422  # a decimal string, not a number
        assert operator.put("/billing/accounts/999999/low-balance", json={"low_balance": "1"}).status_code == 404
        assert operator.ok("PUT", path, json={"low_balance": "0.5"}) == {"tenant_id": tenant.id, "low_balance": "0.5"}

        receiver.control(mode="fail", status=500, times=1, path=PATH)
        server.cli("billing", "adjust", "--reason", "a correction", "--", tenant.name, "-0.9")  # 0.1: below 0.5
        server.cli("billing", "adjust", "--reason", "another", "--", tenant.name, "-0.2")  # -0.1: arrears
        got = eventually(lambda: delivered_keys(receiver, tenant),
                         lambda found: len(found) == 2 and all(r[-1]["status"] == 200 for r in found.values()),
                         DELIVERY_S)
        assert sorted(key.split(":")[0] for key in got) == ["arrears_started", "low_balance"]
        assert sorted(len(requests) for requests in got.values()) == [1, 2]  # the first answer was a 500
        stored = {row.key: row.body for row in sql(server.database_url, "SELECT key, body FROM billing_notifications "
                                                   "WHERE tenant_id = :t", t=tenant.id)}
        for key, requests in got.items():
            for request in requests:
                expected = "sha256=" + hmac.new(SECRET.encode(), stored[key].encode(), hashlib.sha256).hexdigest()
                assert request["headers"]["X-Privnum-Signature"] == expected
                assert request["body"] == json.loads(stored[key])
        low = next(r for k, r in got.items() if k.startswith("low_balance"))[0]["body"]
        assert (low["tenant"], low["balance"], low["threshold"]) == (tenant.name, "0.1", "0.5")

        listed = operator.ok("GET", "/billing/notifications", params={"tenant_id": tenant.id})
        assert [n["kind"] for n in listed] == ["arrears_started", "low_balance"]  # newest first
        assert all(n["delivered_at_ms"] and n["next_attempt_at_ms"] is None for n in listed)
        assert listed[1]["body"]["threshold"] == "0.5"
        assert [n["key"] for n in its_admin.ok("GET", "/billing/notifications")] == [n["key"] for n in listed]
        assert its_admin.get("/billing/notifications", params={"tenant_id": 999999}).status_code == 404
        assert operator.ok("GET", "/billing/notifications", params={"tenant_id": tenant.id, "undelivered": True}) == []
        assert operator.get("/billing/notifications", params={"limit": 0}).status_code == 422

        shown = server.cli("billing", "notifications", "--tenant", tenant.name).stdout
        assert "low_balance" in shown and "arrears_started" in shown and "0.1" in shown, shown
        assert "no billing notifications" in server.cli("billing", "notifications", "--tenant", tenant.name,
                                                        "--undelivered").stdout
        off = server.cli("billing", "low-balance", tenant.name, "off").stdout
        assert "off" in off
        bad = server.cli("billing", "low-balance", tenant.name, "lots", check=False)
        assert bad.returncode != 0 and "Traceback" not in bad.stderr
    finally:
        operator.close()
        its_admin.close()


def test_a_server_killed_while_the_webhook_fails_delivers_after_its_restart(hooked: tuple[Server, Receiver]) -> None:
    server, receiver = hooked
    tenant = billed_tenant(server, "0.1", "1")
    server.cli("billing", "low-balance", tenant.name, "0.5")
    receiver.control(mode="fail", status=503, path=PATH)
    server.cli("billing", "adjust", "--reason", "a correction", "--", tenant.name, "-0.8")
    eventually(lambda: delivered_keys(receiver, tenant), lambda found: bool(found), DELIVERY_S)
    assert server.process is not None
    server.process.send_signal(signal.SIGKILL)
    server.process.wait(timeout=10)
    rows = sql(server.database_url, "SELECT kind, delivered_at_ms, attempts, last_error FROM billing_notifications "
               "WHERE tenant_id = :t", t=tenant.id)
    assert [(r.kind, r.delivered_at_ms) for r in rows] == [("low_balance", None)]
    assert rows[0].attempts >= 1 and rows[0].last_error == "HTTP 503"

    receiver.control(reset=True)
    port = free_port()
    server.env["PRIVNUM_PORT"] = str(port)
    server.base = f"http://127.0.0.1:{port}"
    server.process = serve(server.env, server.workdir, port, server.workdir / "server-restarted.log")
    got = eventually(lambda: delivered_keys(receiver, tenant),
                     lambda found: any(r["status"] == 200 for rs in found.values() for r in rs), DELIVERY_S)
    assert [r["status"] for rs in got.values() for r in rs][-1] == 200
    delivered = eventually(lambda: sql(server.database_url, "SELECT delivered_at_ms FROM billing_notifications "
                                       "WHERE tenant_id = :t", t=tenant.id), lambda found: found[0][0] is not None,
                           DELIVERY_S)
    assert delivered[0][0] is not None
