"""The management API from outside: a signed-in client (cookie session + CSRF header, or a bearer token), a
server per backend with a first operator, and fresh tenants with their account admin signed in.

Plugin fixtures: ``mgmt_server`` (session scope, per backend), ``operator`` (the platform admin, signed in),
``new_tenant`` (a factory: ``new_tenant()`` → a tenant's account admin, signed in).
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from huawei_client import TEST_CLIENT_LIMITS
from servers import BACKENDS, Server, start_server

ADMIN_LOGIN = "admin"
ADMIN_PASSWORD = "operator-password-1"
TENANT_PASSWORD = "tenant-password-1"
_serial = itertools.count(1)


class MgmtClient:
    """An httpx client of ``/mgmt/v1`` that signs in and sends the session's CSRF token on mutations."""

    def __init__(self, base: str, *, token: str | None = None) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.http = httpx.Client(base_url=base, timeout=30, headers=headers, limits=TEST_CLIENT_LIMITS)
        self.csrf: str | None = None
        self.me: dict[str, Any] = {}

    def login(self, login: str, password: str) -> httpx.Response:
        response = self.http.post("/mgmt/v1/session", json={"login": login, "password": password})
        if response.status_code == 200:
            self.csrf = response.json()["csrf_token"]
            self.me = response.json()["me"]
        return response

    def request(self, method: str, path: str, *, csrf: bool = True, **kwargs: Any) -> httpx.Response:
        headers = dict(kwargs.pop("headers", {}) or {})
        if csrf and self.csrf and method.upper() not in ("GET", "HEAD"):
            headers.setdefault("X-CSRF-Token", self.csrf)
        return self.http.request(method, "/mgmt/v1" + path, headers=headers, **kwargs)

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("PATCH", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("DELETE", path, **kwargs)

    def ok(self, method: str, path: str, status: int | tuple[int, ...] = (200, 201, 204), **kwargs: Any) -> Any:
        """The JSON of a request that must succeed (asserting its status)."""
        response = self.request(method, path, **kwargs)
        expected = (status,) if isinstance(status, int) else status
        assert response.status_code in expected, f"{method} {path}: {response.status_code} {response.text}"
        return response.json() if response.content else None

    def close(self) -> None:
        self.http.close()


@dataclass
class Tenant:
    id: int
    name: str
    admin: MgmtClient
    admin_login: str


def unique(prefix: str) -> str:
    return f"{prefix}{next(_serial)}{uuid.uuid4().hex[:6]}"


def start_mgmt_server(backend: str, extra_env: dict[str, str] | None = None) -> Server:
    import tempfile
    from pathlib import Path

    secret = Path(tempfile.mkdtemp(prefix="privnum-admin-")) / "admin-password"
    secret.write_text(ADMIN_PASSWORD + "\n")
    return start_server(backend, {"PRIVNUM_ADMIN_PASSWORD_FILE": str(secret), "PRIVNUM_ADMIN_LOGIN": ADMIN_LOGIN,
                                  **(extra_env or {})})


@pytest.fixture(scope="session", params=BACKENDS)
def mgmt_server(request: pytest.FixtureRequest) -> Iterator[Server]:
    """A privnum server per backend whose first operator came from PRIVNUM_ADMIN_PASSWORD_FILE."""
    server = start_mgmt_server(request.param)
    yield server
    server.stop()


@pytest.fixture
def operator(mgmt_server: Server) -> Iterator[MgmtClient]:
    client = MgmtClient(mgmt_server.base)
    assert client.login(ADMIN_LOGIN, ADMIN_PASSWORD).status_code == 200
    yield client
    client.close()


@pytest.fixture
def new_tenant(mgmt_server: Server, operator: MgmtClient) -> Iterator[Callable[..., Tenant]]:
    made: list[Tenant] = []

    def make(name: str | None = None) -> Tenant:
        login = unique("admin-")
        created = operator.ok("POST", "/admin/tenants", json={
            "name": name or unique("Tenant "), "admin_login": login, "admin_password": TENANT_PASSWORD})
        client = MgmtClient(mgmt_server.base)
        assert client.login(login, TENANT_PASSWORD).status_code == 200
        tenant = Tenant(created["tenant"]["id"], created["tenant"]["name"], client, login)
        made.append(tenant)
        return tenant

    yield make
    for tenant in made:
        tenant.admin.close()
