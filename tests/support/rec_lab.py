"""Support for the records tests: a management server that also makes sandbox calls (the call lab's fast clock,
a receiver standing in for the customer's server), tenant-owned apps, viewers, and direct SQL for what the API
cannot make on demand (CDRs at chosen instants, a dead-lettered push, a recording past retention).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from call_lab import LAB_ENV, CallLab, LabApp
from enterprise_kit import tenant_app
from mgmt import ADMIN_LOGIN, ADMIN_PASSWORD, TENANT_PASSWORD, MgmtClient, Tenant, start_mgmt_server, unique
from receiver import Receiver
from servers import BACKENDS, Server, drop_database, new_numbers


def sql(server: Server, statement: str, rows: list[dict[str, Any]] | None = None, **params: Any) -> list[Any]:
    """Run one statement on the test server's database (once per row of ``rows`` if given); the rows it
    returned (if any)."""

    async def run() -> list[Any]:
        engine = create_async_engine(server.database_url)
        try:
            async with engine.begin() as conn:
                result = await conn.execute(text(statement), rows if rows is not None else params)
                return list(result.all()) if result.returns_rows else []
        finally:
            await engine.dispose()

    return asyncio.run(run())


@dataclass
class TenantApp:
    app: LabApp
    app_id: int


@dataclass
class RecLab:
    calls: CallLab
    operator: MgmtClient

    @property
    def server(self) -> Server:
        return self.calls.server

    def tenant(self) -> Tenant:
        login = unique("admin-")
        created = self.operator.ok("POST", "/admin/tenants", json={
            "name": unique("Tenant "), "admin_login": login, "admin_password": TENANT_PASSWORD})
        client = MgmtClient(self.server.base)
        assert client.login(login, TENANT_PASSWORD).status_code == 200
        return Tenant(created["tenant"]["id"], created["tenant"]["name"], client, login)

    def member(self, tenant: Tenant, role: str) -> MgmtClient:
        """A signed-in user of ``tenant`` with ``role`` (invited by its admin, invitation accepted)."""
        login = unique(f"{role}-")
        invited = tenant.admin.ok("POST", "/users", json={"login": login, "role": role})
        password = "member-password-1"
        client = MgmtClient(self.server.base)
        client.ok("POST", f"/invitations/{invited['invitation_token']}/accept", json={"password": password})
        assert client.login(login, password).status_code == 200
        return client

    def tenant_app(self, tenant: Tenant, mode: str = "AXB", numbers: int = 1, area_code: str = "0755",
                   **fields: Any) -> TenantApp:
        """An app of ``tenant`` (``enterprise_kit.tenant_app``; ``fields`` its JSON fields) with fresh X numbers
        and the receiver as its callback and CDR URLs."""
        tag = uuid.uuid4().hex[:10]
        events, cdr = f"/events/{tag}", f"/cdr/{tag}"
        made = tenant_app(tenant.admin, self.operator, mode, call_status_url=self.calls.receiver.base + events,
                          cdr_url=self.calls.receiver.base + cdr, **fields)
        pool = new_numbers(numbers)
        if pool:
            self.server.add_numbers(made.app_key, area_code, pool)
        client = self.server.client(made.app_key, made.app_secret)
        return TenantApp(LabApp(client, pool, events, cdr, made.app_key, made.app_secret), made.app_id)


_INSERT_CDR = ("INSERT INTO cdrs (session_id, app_id, icid, mode, binding_id, direction, caller, called, callee, "
        "display, extension, area_code, started_at_ms, forwarded_at_ms, alerting_at_ms, answered_at_ms, "
        "ended_at_ms, cause, q850, sip_status, released_by, talk_seconds, created_at_ms) VALUES (:s, :app, :icid, "
        "'AXB', NULL, 0, :caller, :called, :callee, :called, NULL, :area, :start, :fwd, :fwd, :ans, :end, :cause, "
        "0, 200, 'caller', :talk, :end)")


def cdr_values(app_id: int, started_at_ms: int, *, answered: bool = True, talk_seconds: int = 0,
               forwarded: bool = True, cause: int = 0, area_code: str = "0755", caller: str = "+8613900000001",
               called: str = "+8617000000001", callee: str = "+8613900000002") -> dict[str, Any]:
    """The row of one CDR at a chosen instant (what the call core stores when a call ends)."""
    session = f"{uuid.uuid4().hex}@test"
    ended = started_at_ms + 1000 + talk_seconds * 1000
    return dict(s=session, app=app_id, icid=session.partition("@")[0], caller=caller, called=called, callee=callee,
                area=area_code, start=started_at_ms, fwd=started_at_ms + 100 if forwarded else None,
                ans=started_at_ms + 500 if answered else None, end=ended, cause=cause, talk=talk_seconds)


def insert_cdrs(server: Server, rows: list[dict[str, Any]]) -> list[str]:
    """Insert CDR rows (``cdr_values``) in one statement; their session ids."""
    sql(server, _INSERT_CDR, rows=rows)
    return [r["s"] for r in rows]


def insert_cdr(server: Server, app_id: int, started_at_ms: int, **fields: Any) -> str:
    """One CDR row at a chosen instant; its session id."""
    return insert_cdrs(server, [cdr_values(app_id, started_at_ms, **fields)])[0]


@pytest.fixture(scope="session", params=BACKENDS)
def rec_lab(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RecLab]:
    receiver = Receiver(tmp_path_factory.mktemp("rec-receiver"))
    server = start_mgmt_server(request.param, LAB_ENV)
    operator = MgmtClient(server.base)
    assert operator.login(ADMIN_LOGIN, ADMIN_PASSWORD).status_code == 200
    yield RecLab(CallLab(server, receiver), operator)
    operator.close()
    server.stop()
    receiver.stop()
    drop_database(server.database_url)
