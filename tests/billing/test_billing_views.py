"""Billing views over the management API (issue 15 item 4), against a real server: CDRs at chosen instants
(``insert_cdr``: what the call core stores when a call ends) settled by ``privnum billing settle``, a month's rent
charged by ``privnum billing rent``; then an operator tops up and adjusts over HTTP, and the tenant reads its
account, its usage per app / per X per Beijing day or month, the month's statement (opening + top-ups − charges ±
adjustments = closing) and the rated lines as CSV. Another tenant sees none of it; bad input is 422, never 500."""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from mgmt import Tenant
from rec_lab import RecLab, TenantApp, insert_cdr

BEIJING = ZoneInfo("Asia/Shanghai")
FIRST_CALL = datetime(2026, 11, 10, 2, 20, tzinfo=UTC)  # Beijing 2026-11-10 10:20, talks 61 s: 2 minutes
SECOND_CALL = datetime(2026, 11, 11, 17, 30, tzinfo=UTC)  # Beijing 2026-11-12 01:30 (UTC still the 11th): 1 minute


def ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


def months_from_now() -> tuple[str, str]:
    now = datetime.now(BEIJING)
    this = f"{now:%Y-%m}"
    return this, (f"{now.year + 1:04d}-01" if now.month == 12 else f"{now.year:04d}-{now.month + 1:02d}")


@dataclass
class Billed:
    tenant: Tenant
    app: TenantApp
    x: str
    this_month: str
    next_month: str


@pytest.fixture(scope="module")
def billed(rec_lab: RecLab) -> Billed:
    server = rec_lab.server
    tenant = rec_lab.tenant()
    app = rec_lab.tenant_app(tenant, "AXB", 1)
    x = app.app.pool[0]
    plan = f"views-{uuid.uuid4().hex[:8]}"
    server.cli("billing", "plan", plan, "--minute-price", "0.1")
    server.cli("billing", "open", tenant.name, "--plan", plan)
    insert_cdr(server, app.app_id, ms(FIRST_CALL), talk_seconds=61, called=x, caller="+8613811112222")
    insert_cdr(server, app.app_id, ms(SECOND_CALL), talk_seconds=30, called=x)
    for hour in ("2026-11-10T02", "2026-11-11T17"):
        server.cli("billing", "settle", "--hour", hour)
    this_month, next_month = months_from_now()
    server.cli("billing", "rent", "--month", next_month)  # one virtual number: 5
    return Billed(tenant, app, x, this_month, next_month)


def test_operator_tops_up_and_adjusts_once_per_reference_and_the_tenant_reads_its_statement(
        rec_lab: RecLab, billed: Billed) -> None:
    path = f"/billing/accounts/{billed.tenant.id}"
    operator = rec_lab.operator
    reference = uuid.uuid4().hex
    for _ in range(2):
        topped = operator.ok("POST", f"{path}/topups",
                             json={"amount": "100", "note": "bank 42", "reference": reference})
    assert (topped["balance"], topped["currency"], topped["standing"]) == ("94.7", "CNY", "active")
    adjusted = operator.ok("POST", f"{path}/adjustments", json={"amount": "-1.5", "reason": "duplicate call",
                                                                  "reference": f"adj-{reference}"})
    assert adjusted["balance"] == "93.2"
    rec_lab.server.cli("billing", "adjust", billed.tenant.name, "2", "--reason", "goodwill", "--ref", reference)
    rec_lab.server.cli("billing", "adjust", billed.tenant.name, "2", "--reason", "goodwill", "--ref", reference)
    rec_lab.server.cli("billing", "adjust", billed.tenant.name, "-0.2", "--reason", "correction")  # a debit
    limited = operator.ok("PUT", f"{path}/credit-limit", json={"credit_limit": "50"})
    assert (limited["balance"], limited["credit_limit"]) == ("95", "50")

    billing_user = rec_lab.member(billed.tenant, "billing")
    shown = billing_user.ok("GET", f"{path}/statement?month={billed.this_month}")
    assert shown["month"] == billed.this_month and shown["timezone"] == "Asia/Shanghai"
    assert (shown["opening"], shown["topups"], shown["charges"], shown["adjustments"], shown["closing"]) == (
        "0", "100", "5.3", "0.3", "95")
    kinds = [(j["kind"], j["amount"]) for j in shown["journals"]]
    assert sorted(kinds) == sorted([("settlement", "-0.2"), ("settlement", "-0.1"), ("rent", "-5"),
                                    ("topup", "100"), ("adjustment", "-1.5"), ("adjustment", "2"),
                                    ("adjustment", "-0.2")])
    assert any(j["memo"] == "duplicate call [by admin]" for j in shown["journals"])
    keys = {j["key"] for j in shown["journals"]}
    assert {f"topup:{billed.tenant.id}:{reference}", f"adjust:{billed.tenant.id}:{reference}"} <= keys
    assert billing_user.ok("GET", path)["balance"] == "95"
    earlier = billing_user.ok("GET", f"{path}/statement?month=2026-10")
    assert (earlier["opening"], earlier["closing"], earlier["journals"]) == ("0", "0", [])


def test_usage_per_app_per_day_and_per_x_per_month_in_beijing_time(billed: Billed) -> None:
    admin = billed.tenant.admin
    path = f"/billing/accounts/{billed.tenant.id}/usage"
    per_day = admin.ok("GET", f"{path}?from=2026-11")
    assert (per_day["bucket"], per_day["by"], per_day["currency"]) == ("day", "app", "CNY")
    forwarded = [(r["bucket"], r["group"], r["units"], r["amount"], r["unsettled_units"])
                 for r in per_day["rows"] if r["meter"] == "call.forwarded"]
    app = str(billed.app.app_id)
    assert forwarded == [("2026-11-10", app, 2, "0.2", 0), ("2026-11-12", app, 1, "0.1", 0)]
    assert {r["app_name"] for r in per_day["rows"]} != {None}
    per_x = admin.ok("GET", f"{path}?from=2026-11&to={billed.next_month}&bucket=month&by=x")
    assert [(r["bucket"], r["group"], r["meter"], r["units"], r["amount"]) for r in per_x["rows"]
            if r["meter"] in ("call.forwarded", "number.rent")] == [
        ("2026-11", billed.x, "call.forwarded", 3, "0.3"), (billed.next_month, billed.x, "number.rent", 1, "5")]


def test_rated_lines_as_csv_explain_each_charge(billed: Billed) -> None:
    admin = billed.tenant.admin
    got = admin.get(f"/billing/accounts/{billed.tenant.id}/lines.csv?month=2026-11")
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    assert got.headers["content-disposition"] == f'attachment; filename="billing-{billed.tenant.id}-2026-11.csv"'
    rows = list(csv.DictReader(io.StringIO(got.content.decode("utf-8-sig"))))
    forwarded = [r for r in rows if r["meter"] == "call.forwarded"]
    assert [(r["occurred_at"][:10], r["talk_seconds"], r["billed_minutes"], r["unit_price"], r["amount"])
            for r in forwarded] == [("2026-11-10", "61", "2", "0.1", "0.2"), ("2026-11-12", "30", "1", "0.1", "0.1")]
    first = forwarded[0]
    assert first["caller"] == "+86138****2222" and first["x_number"] == billed.x and first["icid"]
    assert first["answered_at"].startswith("2026-11-10 10:20") and first["currency"] == "CNY"
    assert first["journal"] == f"settle:{billed.tenant.id}:2026-11-10T02"
    rent = list(csv.DictReader(io.StringIO(admin.get(
        f"/billing/accounts/{billed.tenant.id}/lines.csv?month={billed.next_month}").content.decode("utf-8-sig"))))
    assert [(r["source"], r["rent_number"], r["rent_month"], r["amount"]) for r in rent] == [
        ("rent", billed.x, billed.next_month, "5")]


def test_another_tenant_sees_nothing_and_tenant_users_cannot_move_money(rec_lab: RecLab, billed: Billed) -> None:
    stranger = rec_lab.tenant()
    path = f"/billing/accounts/{billed.tenant.id}"
    for suffix in ("", "/statement", "/usage", "/lines.csv"):
        refused = stranger.admin.get(path + suffix)
        assert (refused.status_code, refused.json()["code"]) == (404, "not_found"), suffix
    assert stranger.admin.ok("GET", "/billing/accounts") == []
    assert [a["tenant_id"] for a in billed.tenant.admin.ok("GET", "/billing/accounts")] == [billed.tenant.id]
    assert billed.tenant.id in [a["tenant_id"] for a in rec_lab.operator.ok("GET", "/billing/accounts")]
    for suffix, body in (("/topups", {"amount": "1"}), ("/adjustments", {"amount": "x", "reason": "r"})):
        refused = billed.tenant.admin.post(path + suffix, json=body)
        assert (refused.status_code, refused.json()["code"]) == (403, "forbidden"), suffix
    developer = rec_lab.member(billed.tenant, "developer")
    assert developer.get(f"{path}/statement").status_code == 403


BAD_INPUT = [
    ("GET", "/statement?month=2026-13", None, "month"),
    ("GET", "/statement?month=26-1", None, "month"),
    ("GET", "/statement?month=9999-12", None, "month"),
    ("GET", "/lines.csv?month=0000-01", None, "month"),
    ("GET", "/usage?bucket=week", None, "bucket"),
    ("GET", "/usage?by=city", None, "by"),
    ("GET", "/usage?from=2025-01&to=2026-12", None, "from"),
    ("GET", "/usage?from=2026-12&to=2026-01", None, "from"),
    ("GET", "/lines.csv?month=x", None, "month"),
    ("POST", "/topups", {"amount": "1e3"}, "amount"),
    ("POST", "/topups", {"amount": "-5"}, "amount"),
    ("POST", "/topups", {"amount": "99999999999999999999"}, "amount"),
    ("POST", "/topups", {"amount": "1", "reference": "not a ref!"}, "reference"),
    ("POST", "/adjustments", {"amount": "0", "reason": "nothing"}, "amount"),
    ("POST", "/adjustments", {"amount": "1", "reason": "  "}, "reason"),
    ("POST", "/adjustments", {"amount": "1"}, "reason"),
    ("PUT", "/credit-limit", {"credit_limit": "-1"}, "credit_limit"),
]


def test_bad_input_is_422_with_its_field(rec_lab: RecLab, billed: Billed) -> None:
    for method, suffix, body, field in BAD_INPUT:
        refused = rec_lab.operator.request(method, f"/billing/accounts/{billed.tenant.id}{suffix}", json=body)
        assert refused.status_code == 422 and refused.json()["field"] == field, (suffix, body, refused.text)
    assert rec_lab.operator.get("/billing/accounts/0").status_code == 422
    assert rec_lab.operator.get("/billing/accounts/2147483646").status_code == 404
