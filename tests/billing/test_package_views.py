"""Packages over the management API (billing.md R-9, R-10, R-14), against a real server: an operator adds a product,
a tenant's billing user buys it for its own tenant once per reference, a call in the package's first hour settled by
``privnum billing settle`` comes off its minutes and the package list shows what is left; another tenant's account is
404, tenant users add no products, and a purchase refused — the wallet cannot pay, no number, in arrears — is 409
with its code and writes nothing."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from mgmt import Tenant
from rec_lab import RecLab, TenantApp, insert_cdr, sql

HOUR_MS = 3_600_000


@dataclass
class Shop:
    tenant: Tenant
    app: TenantApp
    x: str
    product: str  # 38 CNY: 500 forwarded minutes, 50 SMS from virtual numbers


def product_body(name: str, price: str = "38") -> dict:
    return {"name": name, "price": price, "quotas": [
        {"meter": "call.forwarded", "number_class": None, "units": 500},
        {"meter": "sms.forwarded", "number_class": "virtual", "units": 50}]}


@pytest.fixture(scope="module")
def shop(rec_lab: RecLab) -> Shop:
    server = rec_lab.server
    tenant = rec_lab.tenant()
    app = rec_lab.tenant_app(tenant, "AXB", 1)
    plan = f"pkg-views-{uuid.uuid4().hex[:8]}"
    server.cli("billing", "plan", plan, "--minute-price", "0.1")
    server.cli("billing", "open", tenant.name, "--plan", plan)
    rec_lab.operator.ok("POST", f"/billing/accounts/{tenant.id}/topups", json={"amount": "50"})
    name = f"500 min + 50 SMS {uuid.uuid4().hex[:6]}"
    made = rec_lab.operator.ok("POST", "/billing/products", json=product_body(name))
    assert (made["name"], made["price"], made["currency"], made["validity_months"]) == (name, "38", "CNY", 12)
    return Shop(tenant, app, app.app.pool[0], name)


def journals(rec_lab: RecLab, key: str) -> int:
    """How many journals have keys like ``key`` (% any characters)."""
    return int(sql(rec_lab.server, "SELECT count(*) FROM journals WHERE key LIKE :k", k=key)[0][0])


def plan_of(rec_lab: RecLab, tenant: Tenant) -> str:
    return str(sql(rec_lab.server, "SELECT price_plan FROM billing_accounts WHERE tenant_id = :t",
                   t=tenant.id)[0][0])


def test_a_billing_user_buys_once_per_reference_and_sees_the_minutes_a_settlement_drew(
        rec_lab: RecLab, shop: Shop) -> None:
    buyer = rec_lab.member(shop.tenant, "billing")
    assert shop.product in [p["name"] for p in buyer.ok("GET", "/billing/products")]
    path = f"/billing/accounts/{shop.tenant.id}/packages"
    reference = uuid.uuid4().hex
    first = buyer.post(path, json={"product": shop.product, "reference": reference})
    again = buyer.post(path, json={"product": shop.product, "reference": reference})
    assert (first.status_code, again.status_code) == (201, 200), (first.text, again.text)
    assert (first.json()["new"], again.json()["new"]) == (True, False)
    assert first.json()["balance"] == again.json()["balance"] == "12"
    package = first.json()["package"]
    assert again.json()["package"]["package_id"] == package["package_id"]
    assert package["purchase_key"] == f"package:{shop.tenant.id}:{reference}"
    assert journals(rec_lab, package["purchase_key"]) == 1
    start = package["effective_from_ms"]
    assert start % HOUR_MS == 0 and package["bought_at_ms"] < start <= package["bought_at_ms"] + HOUR_MS
    assert package["state"] == "not_yet"

    insert_cdr(rec_lab.server, shop.app.app_id, start + 60_000, talk_seconds=61, called=shop.x)  # 2 minutes
    hour = datetime.fromtimestamp(start / 1000, UTC).strftime("%Y-%m-%dT%H")
    rec_lab.server.cli("billing", "settle", "--hour", hour)

    shown = buyer.ok("GET", path)
    assert shown["account"]["balance"] == "12"  # the minutes came off the package, nothing was charged
    assert [(p["product"], p["state"]) for p in shown["packages"]] == [(shop.product, "not_yet")]
    assert [(q["meter"], q["number_class"], q["granted"], q["used"], q["left"], q["used_percent"])
            for q in shown["packages"][0]["quotas"]] == [
        ("call.forwarded", None, 500, 2, 498, 0), ("sms.forwarded", "virtual", 50, 0, 50, 0)]
    assert shop.tenant.admin.ok("GET", path)["packages"] == shown["packages"]
    assert [p["package_id"] for p in rec_lab.operator.ok("GET", path)["packages"]] == [package["package_id"]]


def test_a_purchase_the_wallet_cannot_pay_is_409_and_writes_nothing(rec_lab: RecLab, shop: Shop) -> None:
    dear = f"dear-{uuid.uuid4().hex[:6]}"
    rec_lab.operator.ok("POST", "/billing/products", json=product_body(dear, "1000"))
    path = f"/billing/accounts/{shop.tenant.id}/packages"
    before = shop.tenant.admin.ok("GET", path)
    reference = uuid.uuid4().hex
    refused = shop.tenant.admin.post(path, json={"product": dear, "reference": reference})
    assert refused.status_code == 409 and refused.json()["code"] == "insufficient_funds", refused.text
    assert "balance and credit do not cover the price" in refused.json()["message"]
    assert journals(rec_lab, f"package:{shop.tenant.id}:{reference}") == 0
    assert shop.tenant.admin.ok("GET", path) == before

    bare = rec_lab.tenant()  # an account, money, but no number
    rec_lab.server.cli("billing", "open", bare.name, "--plan", plan_of(rec_lab, shop.tenant))
    rec_lab.operator.ok("POST", f"/billing/accounts/{bare.id}/topups", json={"amount": "100"})
    refused = bare.admin.post(f"/billing/accounts/{bare.id}/packages", json={"product": shop.product})
    assert (refused.status_code, refused.json()["code"]) == (409, "no_number"), refused.text
    assert bare.admin.ok("GET", f"/billing/accounts/{bare.id}/packages")["packages"] == []
    assert bare.admin.ok("GET", f"/billing/accounts/{bare.id}")["balance"] == "100"


def test_a_tenant_in_arrears_buys_nothing_not_even_a_free_package(rec_lab: RecLab, shop: Shop) -> None:
    owing = rec_lab.tenant()
    rec_lab.tenant_app(owing, "AXB", 1)
    rec_lab.server.cli("billing", "open", owing.name, "--plan", plan_of(rec_lab, shop.tenant))
    rec_lab.operator.ok("POST", f"/billing/accounts/{owing.id}/adjustments",
                        json={"amount": "-1", "reason": "unpaid rent"})
    assert owing.admin.ok("GET", f"/billing/accounts/{owing.id}")["standing"] == "arrears"
    free = f"free-{uuid.uuid4().hex[:6]}"
    rec_lab.operator.ok("POST", "/billing/products", json=product_body(free, "0"))
    refused = owing.admin.post(f"/billing/accounts/{owing.id}/packages", json={"product": free})
    assert (refused.status_code, refused.json()["code"]) == (409, "in_arrears"), refused.text
    assert owing.admin.ok("GET", f"/billing/accounts/{owing.id}/packages")["packages"] == []


def test_another_tenant_sees_and_buys_nothing_and_tenant_users_add_no_products(rec_lab: RecLab, shop: Shop) -> None:
    stranger = rec_lab.tenant()
    path = f"/billing/accounts/{shop.tenant.id}/packages"
    bought = journals(rec_lab, f"package:{shop.tenant.id}:%")
    for refused in (stranger.admin.get(path), stranger.admin.post(path, json={"product": shop.product})):
        assert (refused.status_code, refused.json()["code"]) == (404, "not_found"), refused.text
    assert journals(rec_lab, f"package:{shop.tenant.id}:%") == bought
    refused = shop.tenant.admin.post("/billing/products", json=product_body("mine"))
    assert (refused.status_code, refused.json()["code"]) == (403, "forbidden")
    developer = rec_lab.member(shop.tenant, "developer")
    for refused in (developer.get(path), developer.post(path, json={"product": shop.product}),
                    developer.get("/billing/products")):
        assert refused.status_code == 403, refused.text


BAD_PURCHASES = [
    ({"product": "no such product"}, 422, "unknown_product", "product"),
    ({"product": "  "}, 422, "unknown_product", "product"),
    ({"product": "x", "reference": "not a ref!"}, 422, "invalid_reference", "reference"),
    ({"reference": "r"}, 422, "invalid_request", "product"),
    ({"product": "x" * 65}, 422, "invalid_request", "product"),
]
BAD_PRODUCTS = [
    ({"price": "1e3"}, "invalid_amount"),
    ({"price": "-1"}, "invalid_product"),
    ({"quotas": []}, "invalid_product"),
    ({"quotas": [{"meter": "number.rent", "units": 1}]}, "invalid_product"),
    ({"quotas": [{"meter": "call.forwarded", "number_class": "gold", "units": 1}]}, "invalid_product"),
    ({"quotas": [{"meter": "call.forwarded", "units": 0}]}, "invalid_product"),
    ({"validity_months": 0}, "invalid_request"),
    ({"currency": "EURO"}, "invalid_request"),
]


def test_bad_input_is_a_clear_422_and_a_product_name_is_used_once(rec_lab: RecLab, shop: Shop) -> None:
    path = f"/billing/accounts/{shop.tenant.id}/packages"
    for body, status, code, field in BAD_PURCHASES:
        refused = shop.tenant.admin.post(path, json=body)
        assert (refused.status_code, refused.json()["code"], refused.json().get("field")) == (status, code, field), (
            body, refused.text)
    for change, code in BAD_PRODUCTS:
        refused = rec_lab.operator.post("/billing/products", json={**product_body(uuid.uuid4().hex[:8]), **change})
        assert (refused.status_code, refused.json()["code"]) == (422, code), (change, refused.text)
    taken = rec_lab.operator.post("/billing/products", json=product_body(shop.product))
    assert (taken.status_code, taken.json()["code"]) == (409, "product_exists")
    free = f"free-{uuid.uuid4().hex[:6]}"
    rec_lab.operator.ok("POST", "/billing/products", json=product_body(free, "0"))
    reused = shop.tenant.admin.post(path, json={"product": free, "reference": "same-ref"})
    assert reused.status_code == 201 and reused.json()["package"]["product"] == free, reused.text
    refused = shop.tenant.admin.post(path, json={"product": shop.product, "reference": "same-ref"})
    assert (refused.status_code, refused.json()["code"]) == (409, "reference_used")
    assert rec_lab.operator.get("/billing/accounts/2147483646/packages").status_code == 404
