"""Number orders (号码订购) over the management API: placing (the rules of lines, enterprise, app, SMS), review
(approved → processing, rejected → reason shown, resubmit), cancel, nudge, issue from stock (all or nothing,
never one number twice under concurrent issues), the 号码表 CSV, and tenant isolation."""

from __future__ import annotations

import csv
import io
from concurrent.futures import ThreadPoolExecutor

from enterprise_kit import tenant_app
from mgmt import ADMIN_LOGIN, ADMIN_PASSWORD, MgmtClient
from number_setup import (
    approve,
    fresh_area_code,
    import_stock,
    issued_order,
    order,
    reject,
    sql,
)


def _line(area_code: str, quantity: int = 2, number_type: str = "virtual") -> dict:
    return {"area_code": area_code, "number_type": number_type, "quantity": quantity}


def test_an_order_waits_for_review(mgmt_server, operator, new_tenant):
    tenant = new_tenant()
    app = tenant_app(tenant.admin, operator)
    placed = order(tenant.admin, app, [_line("755", 2) | {"city": "Shenzhen"}], note="launch")
    assert placed["state"] == "pending_review" and placed["requested"] == 2 and placed["issued"] == 0
    assert placed["lines"] == [{"area_code": "0755", "city": "Shenzhen", "number_type": "virtual", "requested": 2,
                                "issued": 0}]
    detail = tenant.admin.ok("GET", f"/number-orders/{placed['id']}")
    assert [(r["state"], r["revision"], r["kind"]) for r in detail["reviews"]] == [("pending", 1, "number_order")]
    listed = tenant.admin.ok("GET", "/number-orders?state=pending_review")["items"]
    assert [o["id"] for o in listed] == [placed["id"]]


def test_order_lines_are_checked(mgmt_server, operator, new_tenant):
    tenant = new_tenant()
    app = tenant_app(tenant.admin, operator)
    body = {"enterprise_id": app.enterprise_id, "app_id": app.app_id}
    cases = [
        ([_line(f"0{100 + i}", 1) for i in range(101)], "too_many_lines", "lines"),
        ([_line("0755", 0)], "invalid_quantity", "lines.0.quantity"),
        ([_line("0755", 1001)], "invalid_quantity", "lines.0.quantity"),
        ([_line("0755", 1), _line("755", 2)], "duplicate_line", "lines.1.area_code"),
        ([_line("0755", 1, "landline")], "invalid_number_type", "lines.0.number_type"),
        ([], "no_lines", "lines"),
    ]
    for lines, code, field in cases:
        refused = tenant.admin.post("/number-orders", json=body | {"lines": lines})
        assert refused.status_code == 422, refused.text
        assert (refused.json()["code"], refused.json()["field"]) == (code, field)
    assert tenant.admin.ok("GET", "/number-orders")["total"] == 0  # nothing half-written


def test_sms_is_ordered_only_for_an_app_with_sms(mgmt_server, operator, new_tenant):
    tenant = new_tenant()
    without = tenant_app(tenant.admin, operator)
    refused = tenant.admin.post("/number-orders", json={"enterprise_id": without.enterprise_id,
                                                        "app_id": without.app_id, "lines": [_line("0755")],
                                                        "sms_required": True})
    assert refused.status_code == 422 and refused.json()["field"] == "sms_required"
    assert "switch SMS on" in refused.json()["message"]
    with_sms = tenant_app(tenant.admin, operator, sms_enabled=True)
    assert order(tenant.admin, with_sms, [_line("0755")], sms_required=True)["sms_required"] is True


def test_the_enterprise_must_be_approved_and_the_app_active_and_its_own(mgmt_server, operator, new_tenant):
    tenant = new_tenant()
    app = tenant_app(tenant.admin, operator)
    other = tenant_app(tenant.admin, operator)
    mixed = tenant.admin.post("/number-orders", json={"enterprise_id": app.enterprise_id, "app_id": other.app_id,
                                                      "lines": [_line("0755")]})
    assert mixed.status_code == 422 and mixed.json()["code"] == "app_not_of_enterprise"
    mgmt_server.cli("app", "update", other.app_key, "--suspend")
    suspended = tenant.admin.post("/number-orders", json={"enterprise_id": other.enterprise_id,
                                                          "app_id": other.app_id, "lines": [_line("0755")]})
    assert suspended.status_code == 409 and suspended.json()["code"] == "app_not_active"
    sql(mgmt_server, "UPDATE enterprises SET status = 'pending' WHERE id = :id", id=app.enterprise_id)
    pending = tenant.admin.post("/number-orders", json={"enterprise_id": app.enterprise_id, "app_id": app.app_id,
                                                        "lines": [_line("0755")]})
    assert pending.status_code == 409 and pending.json()["code"] == "enterprise_not_approved"


def test_approved_order_is_processing_then_issued_from_stock(mgmt_server, operator, new_tenant):
    tenant = new_tenant()
    app = tenant_app(tenant.admin, operator)
    area = fresh_area_code()
    stock = import_stock(operator, 3, area)
    placed = order(tenant.admin, app, [_line(area, 2)])
    approve(operator, placed["id"])
    assert tenant.admin.ok("GET", f"/number-orders/{placed['id']}")["state"] == "processing"
    issued = operator.ok("POST", f"/admin/number-orders/{placed['id']}/issue")
    assert issued["state"] == "completed" and issued["issued"] == 2 and issued["lines"][0]["issued"] == 2
    assert issued["completed_at_ms"]
    sheet = tenant.admin.get(f"/number-orders/{placed['id']}/numbers.csv")
    assert sheet.status_code == 200 and sheet.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(sheet.text)))
    assert [r["number"] for r in rows] == sorted(stock)[:2]
    assert {(r["area_code"], r["city"], r["type"]) for r in rows} == {(area, "Shenzhen", "virtual")}
    mine = tenant.admin.ok("GET", f"/numbers?app_id={app.app_id}")["items"]
    assert sorted(n["number"] for n in mine) == sorted(stock)[:2]
    assert {n["status"] for n in mine} == {"idle"}
    again = operator.post(f"/admin/number-orders/{placed['id']}/issue")
    assert again.status_code == 409 and again.json()["code"] == "not_issuable"


def test_not_enough_stock_issues_nothing_and_names_the_short_lines(mgmt_server, operator, new_tenant):
    tenant = new_tenant()
    app = tenant_app(tenant.admin, operator)
    enough, short = fresh_area_code(), fresh_area_code()
    import_stock(operator, 2, enough)
    import_stock(operator, 1, short)
    placed = order(tenant.admin, app, [_line(enough, 2), _line(short, 3)])
    approve(operator, placed["id"])
    refused = operator.post(f"/admin/number-orders/{placed['id']}/issue")
    assert refused.status_code == 409 and refused.json()["code"] == "no_stock"
    assert f"{short} virtual: 2 short" in refused.json()["message"] and enough not in refused.json()["message"]
    assert tenant.admin.ok("GET", f"/number-orders/{placed['id']}")["state"] == "processing"
    assert tenant.admin.ok("GET", f"/numbers?app_id={app.app_id}")["total"] == 0
    stock = {(s["area_code"], s["type"]): s["in_stock"] for s in operator.ok("GET", "/admin/inventory")["items"]}
    assert stock[(enough, "virtual")] == 2 and stock[(short, "virtual")] == 1


def test_concurrent_issues_never_assign_a_number_twice(mgmt_server, operator, new_tenant):
    tenant = new_tenant()
    app = tenant_app(tenant.admin, operator)
    area = fresh_area_code()
    import_stock(operator, 5, area)
    orders = [order(tenant.admin, app, [_line(area, 3)])["id"] for _ in range(2)]
    for order_id in orders:
        approve(operator, order_id)
    second = MgmtClient(mgmt_server.base)
    assert second.login(ADMIN_LOGIN, ADMIN_PASSWORD).status_code == 200
    with ThreadPoolExecutor(2) as pool:
        done = list(pool.map(lambda pair: pair[0].post(f"/admin/number-orders/{pair[1]}/issue"),
                             [(operator, orders[0]), (second, orders[1])]))
    second.close()
    assert sorted(r.status_code for r in done) == [200, 409], [r.text for r in done]
    assert [r.json()["code"] for r in done if r.status_code == 409] == ["no_stock"]
    rows = sql(mgmt_server, "SELECT number, order_id FROM numbers WHERE area_code = :area AND app_id IS NOT NULL",
               area=area)
    assert len(rows) == 3 and len({n for n, _ in rows}) == 3
    assert {o for _, o in rows} == {next(o for o, r in zip(orders, done, strict=True) if r.status_code == 200)}


def test_the_same_order_issued_twice_at_once_is_issued_once(mgmt_server, operator, new_tenant):
    tenant = new_tenant()
    app = tenant_app(tenant.admin, operator)
    area = fresh_area_code()
    import_stock(operator, 4, area)
    placed = order(tenant.admin, app, [_line(area, 2)])
    approve(operator, placed["id"])
    second = MgmtClient(mgmt_server.base)
    assert second.login(ADMIN_LOGIN, ADMIN_PASSWORD).status_code == 200
    with ThreadPoolExecutor(2) as pool:
        done = list(pool.map(lambda c: c.post(f"/admin/number-orders/{placed['id']}/issue"), [operator, second]))
    second.close()
    assert sorted(r.status_code for r in done) == [200, 409], [r.text for r in done]
    assert tenant.admin.ok("GET", f"/numbers?app_id={app.app_id}")["total"] == 2


def test_a_rejected_order_shows_the_reason_and_is_resubmitted_as_a_new_revision(mgmt_server, operator, new_tenant):
    tenant = new_tenant()
    app = tenant_app(tenant.admin, operator)
    placed = order(tenant.admin, app, [_line("0755", 2)])
    reject(operator, placed["id"], "no_stock_in_city")
    rejected = tenant.admin.ok("GET", f"/number-orders/{placed['id']}")
    assert rejected["state"] == "rejected"
    assert rejected["reviews"][0]["reason_code"] == "no_stock_in_city"
    assert "order another city" in rejected["reviews"][0]["reason"]
    body = {"enterprise_id": app.enterprise_id, "app_id": app.app_id, "lines": [_line("0756", 2)]}
    resubmitted = tenant.admin.ok("PUT", f"/number-orders/{placed['id']}", json=body)
    assert resubmitted["state"] == "pending_review" and resubmitted["lines"][0]["area_code"] == "0756"
    detail = tenant.admin.ok("GET", f"/number-orders/{placed['id']}")
    assert [(r["revision"], r["state"]) for r in detail["reviews"]] == [(2, "pending"), (1, "rejected")]


def test_a_pending_order_is_edited_in_place_and_a_processing_one_not_at_all(mgmt_server, operator, new_tenant):
    tenant = new_tenant()
    app = tenant_app(tenant.admin, operator)
    placed = order(tenant.admin, app, [_line("0755", 2)])
    body = {"enterprise_id": app.enterprise_id, "app_id": app.app_id, "lines": [_line("0755", 5)]}
    edited = tenant.admin.ok("PUT", f"/number-orders/{placed['id']}", json=body)
    assert edited["state"] == "pending_review" and edited["requested"] == 5
    assert len(tenant.admin.ok("GET", f"/number-orders/{placed['id']}")["reviews"]) == 1
    approve(operator, placed["id"])
    refused = tenant.admin.put(f"/number-orders/{placed['id']}", json=body)
    assert refused.status_code == 409 and refused.json()["code"] == "not_editable"


def test_cancel_only_while_pending_review(mgmt_server, operator, new_tenant):
    tenant = new_tenant()
    app = tenant_app(tenant.admin, operator)
    placed = order(tenant.admin, app, [_line("0755", 1)])
    cancelled = tenant.admin.ok("POST", f"/number-orders/{placed['id']}/cancel")
    assert cancelled["state"] == "cancelled"
    assert tenant.admin.ok("GET", f"/number-orders/{placed['id']}")["reviews"][0]["state"] == "cancelled"
    again = tenant.admin.post(f"/number-orders/{placed['id']}/cancel")
    assert again.status_code == 409 and again.json()["code"] == "not_cancellable"
    approved = order(tenant.admin, app, [_line("0755", 1)])
    approve(operator, approved["id"])
    refused = tenant.admin.post(f"/number-orders/{approved['id']}/cancel")
    assert refused.status_code == 409 and refused.json()["code"] == "not_cancellable"


def test_nudge_once_an_hour(mgmt_server, operator, new_tenant):
    tenant = new_tenant()
    app = tenant_app(tenant.admin, operator)
    placed = order(tenant.admin, app, [_line("0755", 1)])
    assert tenant.admin.ok("POST", f"/number-orders/{placed['id']}/nudge")["nudges"] == 1
    again = tenant.admin.post(f"/number-orders/{placed['id']}/nudge")
    assert again.status_code == 409 and again.json()["code"] == "already_nudged"


def test_every_change_is_audited(mgmt_server, operator, new_tenant):
    tenant = new_tenant()
    app = tenant_app(tenant.admin, operator)
    done = issued_order(operator, tenant.admin, app, fresh_area_code(), 1)
    events = operator.ok("GET", f"/audit-events?subject=number_order:{done['id']}&per_page=50")["items"]
    actions = {e["action"] for e in events}
    assert {"number_order.create", "review.submit", "review.approve", "number_order.issue"} <= actions


def test_another_tenant_sees_none_of_it(mgmt_server, operator, new_tenant):
    owner, stranger = new_tenant(), new_tenant()
    app = tenant_app(owner.admin, operator)
    done = issued_order(operator, owner.admin, app, fresh_area_code(), 1)
    assert stranger.admin.ok("GET", "/number-orders")["total"] == 0
    for method, path in (("GET", f"/number-orders/{done['id']}"), ("POST", f"/number-orders/{done['id']}/cancel"),
                         ("POST", f"/number-orders/{done['id']}/nudge"),
                         ("GET", f"/number-orders/{done['id']}/numbers.csv")):
        assert stranger.admin.request(method, path).status_code == 404, path
    stolen = stranger.admin.post("/number-orders", json={"enterprise_id": app.enterprise_id, "app_id": app.app_id,
                                                         "lines": [_line("0755")]})
    assert stolen.status_code == 404
    assert stranger.admin.post(f"/admin/number-orders/{done['id']}/issue").status_code == 403
