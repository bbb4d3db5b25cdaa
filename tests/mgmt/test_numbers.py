"""Numbers over the management API: the inventory import (all or nothing, bad files refused), stock counts, the
numbers list and its CSV (tenants see their apps' numbers only), release (退订) with the rent month, the
operators' lock (no new bindings, existing ones kept, numStatus pushed), and the CLI import."""

from __future__ import annotations

import csv
import io
import time
import uuid

from enterprise_kit import tenant_app
from mgmt import MgmtClient
from number_setup import fresh_area_code, import_stock, issued_order, sql, stock_csv
from privnum.domain.number_releases import rent_through
from receiver import Receiver
from servers import new_numbers, new_users


def _import(operator: MgmtClient, content: bytes | str, name: str = "stock.csv", content_type: str = "text/csv"):
    return operator.post("/admin/inventory:import", files={"file": (name, content, content_type)})


def _stock(operator: MgmtClient) -> dict[tuple[str, str, str], int]:
    return {(s["area_code"], s["city"], s["type"]): s["in_stock"]
            for s in operator.ok("GET", "/admin/inventory")["items"]}


def test_imported_numbers_are_in_stock_per_city_and_type(mgmt_server, operator):
    area = fresh_area_code()
    virtual, carrier = new_numbers(3), new_numbers(2)
    text = stock_csv(virtual, area, "virtual", "Dongguan") + stock_csv(carrier, area, "carrier", "Dongguan")[27:]
    done = _import(operator, text)
    assert done.status_code == 200 and done.json() == {"imported": 5}, done.text
    stock = _stock(operator)
    assert stock[(area, "Dongguan", "virtual")] == 3 and stock[(area, "Dongguan", "carrier")] == 2
    listed = operator.ok("GET", f"/numbers?status=in_stock&area_code={area}&type=carrier")["items"]
    assert [(n["number"], n["status"], n["app_id"], n["binds_remaining"]) for n in listed] == \
        [(n, "in_stock", None, None) for n in sorted(carrier)]


def test_a_file_with_bad_lines_imports_nothing_and_names_them(mgmt_server, operator):
    area = fresh_area_code()
    good = new_numbers(2)
    known = import_stock(operator, 1, fresh_area_code())[0]
    text = (f"number,area_code,city,type\n{good[0]},{area},Shenzhen,virtual\n12345,{area},Shenzhen,virtual\n"
            f"{good[1]},{area},Shenzhen,landline\n{good[0]},{area},Shenzhen,virtual\n{known},{area},Shenzhen,carrier\n")
    refused = _import(operator, text)
    assert refused.status_code == 422 and refused.json()["code"] == "invalid_lines"
    message = refused.json()["message"]
    for line in ("line 3:", "line 4:", "line 5:", "line 6:"):
        assert line in message
    assert "line 2:" not in message and "already on line 2" in message and "already in the inventory" in message
    assert not [k for k in _stock(operator) if k[0] == area]


def test_not_a_csv_empty_or_too_large_is_refused(mgmt_server, operator):
    binary = _import(operator, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "logo.png", "image/png")
    assert binary.status_code == 422 and binary.json()["code"] == "not_csv" and binary.json()["field"] == "file"
    disguised = _import(operator, b"PK\x03\x04\x00\x00binary", "stock.csv")
    assert disguised.status_code == 422 and disguised.json()["code"] == "not_csv"
    assert _import(operator, b"").json()["code"] == "empty_file"
    header = _import(operator, "phone,city\n+8617000000001,Shenzhen\n")
    assert header.status_code == 422 and header.json()["code"] == "invalid_header"
    big = _import(operator, b"number,area_code,city,type\n" + b"#" * (5 * 1024 * 1024))
    assert big.status_code == 422 and big.json()["code"] == "file_too_large"


def test_only_operators_manage_the_inventory(mgmt_server, operator, new_tenant):
    tenant = new_tenant()
    assert _import(tenant.admin, stock_csv(new_numbers(1), "0755")).status_code == 403
    assert tenant.admin.get("/admin/inventory").status_code == 403


def test_the_list_shows_binds_used_and_remaining_and_filters(mgmt_server, operator, new_tenant):
    tenant = new_tenant()
    app = tenant_app(tenant.admin, operator)
    area = fresh_area_code()
    issued_order(operator, tenant.admin, app, area, 2)
    [first, second] = sorted(n["number"] for n in tenant.admin.ok("GET", f"/numbers?app_id={app.app_id}")["items"])
    client = mgmt_server.client(app.app_key, app.app_secret)
    a, b = new_users(2)
    assert client.axb_bind(relationNum=first, callerNum=a, calleeNum=b).ok
    bound = tenant.admin.ok("GET", f"/numbers?app_id={app.app_id}&status=bound")["items"]
    assert [(n["number"], n["binds_used"], n["binds_remaining"], n["type"], n["area_code"]) for n in bound] == \
        [(first, 1, 4999, "virtual", area)]
    idle = tenant.admin.ok("GET", f"/numbers?status=idle&area_code={area}")["items"]
    assert [n["number"] for n in idle] == [second]
    assert tenant.admin.ok("GET", f"/numbers?q={second[-6:]}")["items"][0]["number"] == second
    export = tenant.admin.get(f"/numbers.csv?app_id={app.app_id}")
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(export.text)))
    assert [(r["number"], r["status"], r["binds_used"]) for r in rows] == [(first, "bound", "1"), (second, "idle", "0")]
    assert tenant.admin.get("/numbers?status=sleepy").json()["code"] == "invalid_status"


def test_release_is_refused_while_bound_then_returns_the_number_to_stock(mgmt_server, operator, new_tenant):
    tenant = new_tenant()
    app = tenant_app(tenant.admin, operator)
    area = fresh_area_code()
    issued_order(operator, tenant.admin, app, area, 1)
    [x] = [n["number"] for n in tenant.admin.ok("GET", f"/numbers?app_id={app.app_id}")["items"]]
    client = mgmt_server.client(app.app_key, app.app_secret)
    a, b = new_users(2)
    bound = client.axb_bind(relationNum=x, callerNum=a, calleeNum=b)
    refused = tenant.admin.post(f"/numbers/{x}/release")
    assert refused.status_code == 409 and refused.json()["code"] == "number_bound"
    assert "1 binding" in refused.json()["message"] and "unbind" in refused.json()["message"]
    assert client.axb_unbind(subscriptionId=bound.body["subscriptionId"]).ok
    before = int(time.time() * 1000)
    released = tenant.admin.ok("POST", f"/numbers/{x}/release")
    assert released["number"] == x and released["app_id"] == app.app_id
    assert released["rent_through"] in {rent_through(before), rent_through(int(time.time() * 1000))}
    assert tenant.admin.ok("GET", f"/numbers?app_id={app.app_id}")["total"] == 0
    assert operator.ok("GET", f"/numbers?q={x[1:]}")["items"][0]["status"] == "in_stock"
    [(app_id, through)] = sql(mgmt_server, "SELECT app_id, rent_through FROM number_releases WHERE number = :n", n=x)
    assert (app_id, through) == (app.app_id, released["rent_through"])
    assert tenant.admin.post(f"/numbers/{x}/release").status_code == 404  # no longer the tenant's


def test_a_locked_number_takes_no_new_bindings_but_keeps_its_own_and_pushes_status(mgmt_server, operator,
                                                                                   new_tenant):
    receiver = Receiver(mgmt_server.workdir)
    try:
        path = f"/numstatus/{uuid.uuid4().hex[:8]}"
        tenant = new_tenant()
        app = tenant_app(tenant.admin, operator, push_number_status=True, number_status_url=receiver.base + path)
        area = fresh_area_code()
        issued_order(operator, tenant.admin, app, area, 1)
        [x] = [n["number"] for n in tenant.admin.ok("GET", f"/numbers?app_id={app.app_id}")["items"]]
        client = mgmt_server.client(app.app_key, app.app_secret)
        a, b, c, d = new_users(4)
        existing = client.axb_bind(relationNum=x, callerNum=a, calleeNum=b)
        assert existing.ok
        assert operator.post(f"/admin/numbers/{x}/lock", json={"reason": "  "}).json()["field"] == "reason"
        locked = operator.ok("POST", f"/admin/numbers/{x}/lock", json={"reason": "complaint under review"})
        assert locked["status"] == "locked" and locked["locked"] is True
        assert not client.axb_bind(areaCode=area, callerNum=c, calleeNum=d).ok  # the only X is locked
        assert not client.axb_bind(relationNum=x, callerNum=c, calleeNum=d).ok
        assert client.axb_query(subscriptionId=existing.body["subscriptionId"]).ok  # its binding stays
        again = operator.post(f"/admin/numbers/{x}/lock", json={"reason": "twice"})
        assert again.status_code == 409 and again.json()["code"] == "already_locked"
        assert operator.ok("POST", f"/admin/numbers/{x}/unlock")["status"] == "bound"
        assert client.axb_bind(areaCode=area, callerNum=c, calleeNum=d).ok
        deadline = time.monotonic() + 10
        while len(receiver.records(path)) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [r["body"] for r in receiver.records(path)] == [
            {"eventType": "numStatus", "numInfo": [{"number": x, "status": "11"}]},
            {"eventType": "numStatus", "numInfo": [{"number": x, "status": "5"}]},
        ]
        events = operator.ok("GET", "/audit-events", params={"subject": f"number:{x}"})["items"]
        assert {"number.lock", "number.unlock"} <= {e["action"] for e in events}
    finally:
        receiver.stop()


def test_tenants_may_not_lock(mgmt_server, operator, new_tenant):
    tenant = new_tenant()
    app = tenant_app(tenant.admin, operator)
    issued_order(operator, tenant.admin, app, fresh_area_code(), 1)
    [x] = [n["number"] for n in tenant.admin.ok("GET", f"/numbers?app_id={app.app_id}")["items"]]
    assert tenant.admin.post(f"/admin/numbers/{x}/lock", json={"reason": "mine"}).status_code == 403


def test_another_tenant_sees_none_of_the_numbers(mgmt_server, operator, new_tenant):
    owner, stranger = new_tenant(), new_tenant()
    app = tenant_app(owner.admin, operator)
    issued_order(operator, owner.admin, app, fresh_area_code(), 2)
    [x, _] = [n["number"] for n in owner.admin.ok("GET", f"/numbers?app_id={app.app_id}")["items"]]
    assert stranger.admin.ok("GET", "/numbers")["total"] == 0
    assert stranger.admin.ok("GET", f"/numbers?app_id={app.app_id}")["total"] == 0
    assert stranger.admin.ok("GET", "/numbers?status=in_stock")["total"] == 0  # nor the stock
    assert stranger.admin.get("/numbers.csv").text.strip().count("\n") == 0  # the header only
    assert stranger.admin.post(f"/numbers/{x}/release").status_code == 404
    assert owner.admin.ok("GET", f"/numbers?app_id={app.app_id}")["total"] == 2  # untouched


def test_cli_import_puts_numbers_in_stock_and_is_audited(mgmt_server, operator, tmp_path):
    area = fresh_area_code()
    numbers = [n[3:] for n in new_numbers(2)]  # national digits are read as +86
    path = tmp_path / "stock.csv"
    path.write_text(stock_csv(numbers, area, "carrier", "Foshan"))
    done = mgmt_server.cli("numbers", "import", str(path))
    assert "imported 2 numbers" in done.stdout
    assert _stock(operator)[(area, "Foshan", "carrier")] == 2
    bad = tmp_path / "bad.csv"
    bad.write_text(stock_csv(["nope"], area))
    refused = mgmt_server.cli("numbers", "import", str(bad), check=False)
    assert refused.returncode == 1 and "line 2" in refused.stderr
    events = operator.ok("GET", "/audit-events?action=inventory.import&per_page=50")["items"]
    assert any(e["actor_kind"] == "cli" and e["after"]["count"] == 2 for e in events)
