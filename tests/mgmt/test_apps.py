"""Apps over the management API: created under an approved enterprise within its quota (the secret shown once),
the name/URL/IP/tag rules, changes effective for the very next Huawei call, secret rotation with a grace period
(checked with the real Huawei client), suspension, and tenant isolation.

This module's server caches apps for 5 minutes: what the next Huawei call sees after a change comes from the
cache being cleared, not from the entry expiring."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from enterprise_kit import approved_enterprise, submitted_enterprise
from huawei_client import HuaweiClient
from mgmt import MgmtClient, start_mgmt_server, unique
from servers import BACKENDS, Server, drop_database, new_numbers, new_users


@pytest.fixture(scope="module", params=BACKENDS)
def mgmt_server(request: pytest.FixtureRequest) -> Iterator[Server]:
    server = start_mgmt_server(request.param, {"PRIVNUM_APP_CACHE_TTL_S": "300"})
    yield server
    server.stop()
    drop_database(server.database_url)


def new_app(client: MgmtClient, enterprise_id: int, **fields: Any) -> dict[str, Any]:
    return client.ok("POST", "/apps", json={"enterprise_id": enterprise_id, "name": unique("app_"), "mode": "AXB",
                                            **fields}, status=201)


def huawei(server: Server, app: dict[str, Any], secret: str | None = None) -> tuple[HuaweiClient, list[str]]:
    """The app's Huawei client (its secret: ``secret`` or the one in ``app``) and 2 fresh X numbers."""
    pool = new_numbers(2)
    server.add_numbers(app["app_key"], "0755", pool)
    return server.client(app["app_key"], secret or app["app_secret"]), pool


def bind(client: HuaweiClient) -> Any:
    a, b = new_users(2)
    return client.axb_bind(callerNum=a, calleeNum=b)


def test_an_app_under_an_approved_enterprise_shows_its_secret_once(new_tenant, operator):
    tenant = new_tenant()
    enterprise = approved_enterprise(tenant.admin, operator)
    created = new_app(tenant.admin, enterprise["id"], name="快递_通知1", mode="AXE", extension_length=3,
                      call_status_url="https://hooks.example.com:8443/status", tags=[{"key": "env", "value": "prod"}])
    assert created["app_secret"] and created["app_key"] and created["status"] == "active"
    assert (created["name"], created["mode"], created["extension_length"]) == ("快递_通知1", "AXE", 3)
    assert created["tags"] == [{"key": "env", "value": "prod"}] and created["tenant_id"] == tenant.id
    fetched = tenant.admin.ok("GET", f"/apps/{created['id']}")
    assert "app_secret" not in fetched and fetched["app_key"] == created["app_key"]
    listed = tenant.admin.ok("GET", "/apps")
    assert [a["id"] for a in listed["items"]] == [created["id"]] and "app_secret" not in listed["items"][0]
    assert tenant.admin.ok("GET", f"/enterprises/{enterprise['id']}")["app_count"] == 1
    audit = operator.ok("GET", "/audit-events", params={"action": "app.create", "subject": f"app:{created['id']}"})
    assert created["app_secret"] not in str(audit)


def test_no_app_before_the_enterprise_is_approved(new_tenant):
    tenant = new_tenant()
    draft = tenant.admin.ok("POST", "/enterprises", json=__import__("enterprise_kit").profile())
    pending = submitted_enterprise(tenant.admin)
    for enterprise in (draft, pending):
        refused = tenant.admin.post("/apps", json={"enterprise_id": enterprise["id"], "name": "early", "mode": "AXB"})
        assert refused.status_code == 409 and refused.json()["code"] == "enterprise_not_approved", refused.text
    assert tenant.admin.ok("GET", "/apps")["total"] == 0


def test_the_quota_refuses_one_app_too_many(new_tenant, operator):
    tenant = new_tenant()
    enterprise = approved_enterprise(tenant.admin, operator)
    operator.ok("PATCH", f"/admin/enterprises/{enterprise['id']}", json={"app_quota": 1})
    new_app(tenant.admin, enterprise["id"])
    refused = tenant.admin.post("/apps", json={"enterprise_id": enterprise["id"], "name": "second", "mode": "AXB"})
    assert refused.status_code == 409 and refused.json()["code"] == "quota_exceeded"
    assert "quota of 1 apps" in refused.json()["message"] and "operator" in refused.json()["message"]
    operator.ok("PATCH", f"/admin/enterprises/{enterprise['id']}", json={"app_quota": 2})
    assert tenant.admin.post("/apps", json={"enterprise_id": enterprise["id"], "name": "second",
                                            "mode": "AXB"}).status_code == 201


def test_app_names_follow_huaweis_rule_and_are_unique_per_enterprise(new_tenant, operator):
    tenant = new_tenant()
    enterprise = approved_enterprise(tenant.admin, operator)
    for name in ("has space", "dash-ed", "", "x" * 65):
        refused = tenant.admin.post("/apps", json={"enterprise_id": enterprise["id"], "name": name, "mode": "AXB"})
        assert refused.status_code == 422 and refused.json()["code"] == "invalid_name", (name, refused.text)
    new_app(tenant.admin, enterprise["id"], name="taken_name")
    twice = tenant.admin.post("/apps", json={"enterprise_id": enterprise["id"], "name": "taken_name", "mode": "AX"})
    assert twice.status_code == 409 and twice.json()["code"] == "name_taken" and twice.json()["field"] == "name"
    assert tenant.admin.ok("GET", f"/enterprises/{enterprise['id']}")["app_count"] == 1  # no slot taken by refusals


def test_mode_x_is_not_offered_and_a_mode_never_changes(new_tenant, operator):
    tenant = new_tenant()
    enterprise = approved_enterprise(tenant.admin, operator)
    for mode in ("X", "AXZ"):
        refused = tenant.admin.post("/apps", json={"enterprise_id": enterprise["id"], "name": "m", "mode": mode})
        assert refused.status_code == 422 and refused.json()["code"] == "invalid_mode"
    app = new_app(tenant.admin, enterprise["id"])
    changed = tenant.admin.patch(f"/apps/{app['id']}", json={"mode": "AX"})
    assert changed.status_code == 422 and changed.json()["code"] == "mode_immutable"
    assert tenant.admin.ok("GET", f"/apps/{app['id']}")["mode"] == "AXB"


def test_bad_urls_ips_and_tags_are_refused_with_the_field(new_tenant, operator):
    tenant = new_tenant()
    enterprise = approved_enterprise(tenant.admin, operator)
    app = new_app(tenant.admin, enterprise["id"])
    many = [{"key": f"k{i}", "value": "v"} for i in range(11)]
    cases = [({"call_status_url": " https://a.example.com"}, "invalid_url", "call_status_url"),
             ({"cdr_url": "ftp://a.example.com/cdr"}, "invalid_url", "cdr_url"),
             ({"sms_url": "https://"}, "invalid_url", "sms_url"),
             ({"ip_allowlist": ["10.0.0.300"]}, "invalid_ip", "ip_allowlist"),
             ({"ip_allowlist": ["10.0.0.0/33"]}, "invalid_ip", "ip_allowlist"),
             ({"tags": many}, "too_many_tags", "tags"),
             ({"tags": [{"key": "a", "value": "1"}, {"key": "a", "value": "2"}]}, "duplicate_tag", "tags"),
             ({"tags": [{"key": "bad key", "value": "1"}]}, "invalid_tag", "tags"),
             ({"tags": [{"key": "k" * 129, "value": "1"}]}, "invalid_tag", "tags"),
             ({"tags": [{"key": "k", "value": "v" * 256}]}, "invalid_tag", "tags"),
             ({"extension_length": 5}, "invalid_extension_length", "extension_length"),
             ({"app_secret": "mine"}, "invalid_request", "app_secret")]
    for change, code, field in cases:
        refused = tenant.admin.patch(f"/apps/{app['id']}", json=change)
        assert refused.status_code == 422, (change, refused.text)
        assert (refused.json()["code"], refused.json()["field"]) == (code, field), refused.json()
    tags = [{"key": "团队", "value": "a.b:c/d=e+f-g@h_i"}]
    saved = tenant.admin.ok("PATCH", f"/apps/{app['id']}", json={
        "tags": tags, "ip_allowlist": ["10.0.0.0/24", "2001:db8::1"], "cdr_url": "http://cdr.example.com:8080/x"})
    assert saved["tags"] == tags and saved["ip_allowlist"] == ["10.0.0.0/24", "2001:db8::1"]
    assert tenant.admin.ok("PATCH", f"/apps/{app['id']}", json={"cdr_url": ""})["cdr_url"] is None


def test_the_sms_control_url_and_the_sms_content_switch(new_tenant, operator):
    tenant = new_tenant()
    enterprise = approved_enterprise(tenant.admin, operator)
    app = new_app(tenant.admin, enterprise["id"], mode="AX", sms_enabled=True,
                  sms_url="https://sms.example.com/notify", sms_control_url="https://sms.example.com/block",
                  sms_content=True)
    assert (app["sms_control_url"], app["sms_content"]) == ("https://sms.example.com/block", True)
    fetched = tenant.admin.ok("GET", f"/apps/{app['id']}")
    assert (fetched["sms_url"], fetched["sms_control_url"], fetched["sms_content"]) == (
        "https://sms.example.com/notify", "https://sms.example.com/block", True)
    plain = new_app(tenant.admin, enterprise["id"])
    assert (plain["sms_control_url"], plain["sms_content"]) == (None, False)

    changed = tenant.admin.ok("PATCH", f"/apps/{app['id']}", json={
        "sms_control_url": "http://block.example.com:8080/sms", "sms_content": False})
    assert (changed["sms_control_url"], changed["sms_content"]) == ("http://block.example.com:8080/sms", False)
    assert changed["sms_url"] == "https://sms.example.com/notify"  # untouched
    untouched = tenant.admin.ok("PATCH", f"/apps/{app['id']}", json={"sms_enabled": True})
    assert (untouched["sms_control_url"], untouched["sms_content"]) == ("http://block.example.com:8080/sms", False)
    cleared = tenant.admin.ok("PATCH", f"/apps/{app['id']}", json={"sms_control_url": "", "sms_content": True})
    assert (cleared["sms_control_url"], cleared["sms_content"]) == (None, True)
    assert tenant.admin.ok("GET", f"/apps/{app['id']}")["sms_control_url"] is None

    for bad in ("ftp://block.example.com/sms", "https://", " https://block.example.com"):
        refused = tenant.admin.patch(f"/apps/{app['id']}", json={"sms_control_url": bad})
        assert refused.status_code == 422, (bad, refused.text)
        assert (refused.json()["code"], refused.json()["field"]) == ("invalid_url", "sms_control_url"), bad
        refused = tenant.admin.post("/apps", json={"enterprise_id": enterprise["id"], "name": unique("app_"),
                                                   "mode": "AX", "sms_control_url": bad})
        assert refused.status_code == 422, (bad, refused.text)
        assert (refused.json()["code"], refused.json()["field"]) == ("invalid_url", "sms_control_url"), bad
    axe = tenant.admin.post("/apps", json={"enterprise_id": enterprise["id"], "name": unique("app_"),
                                           "mode": "AXE", "sms_content": True})
    assert axe.status_code == 422 and (axe.json()["code"], axe.json()["field"]) == ("sms_not_in_mode", "sms_content")

    update = operator.ok("GET", "/audit-events", params={"action": "app.update",
                                                         "subject": f"app:{app['id']}"})["items"][0]
    assert (update["before"]["sms_control_url"], update["after"]["sms_control_url"]) == (
        "http://block.example.com:8080/sms", None)
    assert (update["before"]["sms_content"], update["after"]["sms_content"]) == (False, True)


def test_an_allowlist_change_holds_for_the_very_next_huawei_call(mgmt_server, new_tenant, operator):
    tenant = new_tenant()
    app = new_app(tenant.admin, approved_enterprise(tenant.admin, operator)["id"])
    client, _pool = huawei(mgmt_server, app)
    assert bind(client).ok  # the app is in the cache now
    tenant.admin.ok("PATCH", f"/apps/{app['id']}", json={"ip_allowlist": ["10.9.9.9"]})
    refused = bind(client)
    assert refused.code == "1020166", refused
    tenant.admin.ok("PATCH", f"/apps/{app['id']}", json={"ip_allowlist": ["127.0.0.0/8"]})
    assert bind(client).ok


def test_a_rotated_secret_keeps_the_old_one_during_the_grace_only(mgmt_server, new_tenant, operator):
    tenant = new_tenant()
    app = new_app(tenant.admin, approved_enterprise(tenant.admin, operator)["id"])
    first, _pool = huawei(mgmt_server, app)
    assert bind(first).ok
    rotated = tenant.admin.ok("POST", f"/apps/{app['id']}/secret:rotate", json={"grace_hours": 24})
    assert rotated["app_secret"] != app["app_secret"] and rotated["previous_secret_valid_until_ms"]
    second = mgmt_server.client(app["app_key"], rotated["app_secret"])
    assert bind(first).ok and bind(second).ok  # both during the grace period
    assert "app_secret" not in tenant.admin.ok("GET", f"/apps/{app['id']}")
    again = tenant.admin.ok("POST", f"/apps/{app['id']}/secret:rotate", json={"grace_hours": 0})
    third = mgmt_server.client(app["app_key"], again["app_secret"])
    assert bind(third).ok
    for stale in (first, second):
        refused = bind(stale)
        assert refused.code == "1010010", refused
    assert tenant.admin.post(f"/apps/{app['id']}/secret:rotate", json={"grace_hours": 73}).json()["field"] == \
        "grace_hours"
    events = operator.ok("GET", "/audit-events", params={"action": "app.rotate_secret",
                                                         "subject": f"app:{app['id']}"})["items"]
    assert len(events) == 2 and again["app_secret"] not in str(events)


def test_a_developer_may_not_rotate_secrets(mgmt_server, new_tenant, operator):
    tenant = new_tenant()
    app = new_app(tenant.admin, approved_enterprise(tenant.admin, operator)["id"])
    login = unique("dev-")
    tenant.admin.ok("POST", "/users", json={"login": login, "role": "developer", "password": "developer-pass-1"})
    developer = MgmtClient(mgmt_server.base)
    developer.login(login, "developer-pass-1")
    assert developer.ok("PATCH", f"/apps/{app['id']}", json={"recording_enabled": True})["recording_enabled"] is True
    assert developer.post(f"/apps/{app['id']}/secret:rotate").status_code == 403
    developer.close()


def test_operators_suspend_and_resume_an_app(mgmt_server, new_tenant, operator):
    tenant = new_tenant()
    app = new_app(tenant.admin, approved_enterprise(tenant.admin, operator)["id"])
    client, _pool = huawei(mgmt_server, app)
    assert bind(client).ok
    assert tenant.admin.post(f"/admin/apps/{app['id']}/suspend").status_code == 403
    assert operator.ok("POST", f"/admin/apps/{app['id']}/suspend")["status"] == "suspended"
    refused = bind(client)
    assert refused.code == "1010008", refused
    assert tenant.admin.ok("GET", f"/apps/{app['id']}")["status"] == "suspended"
    assert operator.ok("POST", f"/admin/apps/{app['id']}/resume")["status"] == "active"
    assert bind(client).ok


def test_a_tenant_sees_none_of_another_tenants_apps(new_tenant, operator):
    owner, other = new_tenant(), new_tenant()
    app = new_app(owner.admin, approved_enterprise(owner.admin, operator)["id"])
    assert other.admin.ok("GET", "/apps")["total"] == 0
    for method, path, body in (("GET", f"/apps/{app['id']}", None),
                               ("PATCH", f"/apps/{app['id']}", {"ip_allowlist": []}),
                               ("POST", f"/apps/{app['id']}/secret:rotate", {"grace_hours": 0})):
        assert other.admin.request(method, path, json=body).status_code == 404, path
    assert owner.admin.ok("GET", f"/apps/{app['id']}")["previous_secret_valid_until_ms"] is None


def test_the_cli_still_creates_and_updates_apps_audited(mgmt_server, operator):
    key, _secret = mgmt_server.create_app("AXB")
    mgmt_server.cli("app", "update", key, "--suspend")
    assert "suspended" in mgmt_server.cli("app", "list").stdout
    events = operator.ok("GET", "/audit-events", params={"action": "app."})["items"]
    assert {"app.create", "app.update"} <= {e["action"] for e in events if e["actor_kind"] == "cli"}


def test_the_cli_sets_and_clears_the_sms_control_url_and_content_switch(mgmt_server, operator):
    control_url = f"https://block.example.com/{unique('sms')}"  # tells this app's audit event apart
    key, _secret = mgmt_server.create_app("AX", "--sms", "--sms-control-url", control_url, "--sms-content")
    created = next(e for e in operator.ok("GET", "/audit-events", params={"action": "app.create"})["items"]
                   if e["actor_kind"] == "cli" and e["after"]["sms_control_url"] == control_url)
    app_path = f"/apps/{created['subject'].removeprefix('app:')}"
    shown = operator.ok("GET", app_path)
    assert (shown["app_key"], shown["sms_control_url"], shown["sms_content"]) == (key, control_url, True)
    mgmt_server.cli("app", "update", key, "--sms-control-url", "http://block2.example.com:9000/sms",
                    "--no-sms-content")
    shown = operator.ok("GET", app_path)
    assert (shown["sms_control_url"], shown["sms_content"]) == ("http://block2.example.com:9000/sms", False)
    mgmt_server.cli("app", "update", key, "--sms-control-url", "", "--sms-content")
    shown = operator.ok("GET", app_path)
    assert (shown["sms_control_url"], shown["sms_content"]) == (None, True)
