"""Enterprises from outside, for the management tests: a valid profile (its credit code made here, from
GB 32100, not from privnum's code), material files of each type, an approved enterprise in a few calls, and a
tenant's app under one (``tenant_app``: the way a customer makes one, over the management API)."""

from __future__ import annotations

import datetime
import itertools
import random
from dataclasses import dataclass
from typing import Any

from mgmt import MgmtClient, unique

CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n" + b"0" * 64
ZIP = b"PK\x03\x04" + b"\x00" * 64
REQUIRED = ("licence", "legal_id_front", "legal_id_back", "handler_holding_id", "business_authorization")
_codes = itertools.count(random.randrange(10**6))


def credit_code(body: str | None = None) -> str:
    body = body or f"91440300{next(_codes) % 10**9:09d}"
    total = sum(CODE_CHARS.index(c) * w for c, w in zip(body, CODE_WEIGHTS, strict=True))
    return body + CODE_CHARS[(31 - total % 31) % 31]


def in_days(days: int) -> str:
    return (datetime.datetime.now(datetime.UTC).date() + datetime.timedelta(days=days)).isoformat()


def profile(**changes: Any) -> dict[str, Any]:
    return {"name": unique("深圳测试科技有限公司"), "credit_code": credit_code(), "nature": "direct",
            "industry": "logistics", "scenario_call": "couriers call recipients about deliveries",
            "call_script": "Courier: Hello, your parcel is here. Recipient: Thanks, coming.",
            "carrier_kind": "app", "carrier_name": "Parcel App", "legal_name": "张三", "handler_name": "李四",
            "handler_phone": "13800138000", "auth_letter_valid_until": in_days(365), **changes}


def upload(client: MgmtClient, enterprise_id: int, kind: str, data: bytes = PNG, name: str = "scan.png") -> Any:
    return client.post(f"/enterprises/{enterprise_id}/files", data={"kind": kind},
                       files={"file": (name, data, "application/octet-stream")})


def submitted_enterprise(client: MgmtClient, **changes: Any) -> dict[str, Any]:
    """A tenant's enterprise with its required materials, submitted for review."""
    created = client.ok("POST", "/enterprises", json=profile(**changes))
    for kind in REQUIRED:
        assert upload(client, created["id"], kind).status_code == 201
    client.ok("POST", f"/enterprises/{created['id']}/submit")
    return client.ok("GET", f"/enterprises/{created['id']}")


def approve(operator: MgmtClient, enterprise: dict[str, Any]) -> None:
    review = enterprise["reviews"][0]
    assert review["state"] == "pending"
    operator.ok("POST", f"/admin/reviews/{review['id']}/approve", json={})


def approved_enterprise(client: MgmtClient, operator: MgmtClient, **changes: Any) -> dict[str, Any]:
    enterprise = submitted_enterprise(client, **changes)
    approve(operator, enterprise)
    return client.ok("GET", f"/enterprises/{enterprise['id']}")


@dataclass
class TenantApp:
    enterprise_id: int
    app_id: int
    app_key: str
    app_secret: str


def tenant_app(client: MgmtClient, operator: MgmtClient, mode: str = "AXB", **fields: Any) -> TenantApp:
    """An active app of ``mode`` of the tenant signed in as ``client``, under a new enterprise of its own that
    ``operator`` approved; ``fields`` are the app's JSON fields (``recording_enabled``, ``cdr_url``, ...)."""
    enterprise = approved_enterprise(client, operator)
    app = client.ok("POST", "/apps", json={"enterprise_id": enterprise["id"], "name": unique("app_"), "mode": mode,
                                           **fields}, status=201)
    return TenantApp(enterprise["id"], app["id"], app["app_key"], app["app_secret"])
