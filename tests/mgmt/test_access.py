"""Access to the management API from outside: the first operator, sign-in and its throttle, the session cookie
and CSRF, invitations, roles, API tokens, tenant isolation of users, the audit trail, bad input."""

from __future__ import annotations

import httpx
import pytest

from mgmt import ADMIN_LOGIN, ADMIN_PASSWORD, TENANT_PASSWORD, MgmtClient, unique


def test_first_operator_from_password_file_signs_in(mgmt_server):
    client = MgmtClient(mgmt_server.base)
    response = client.login(ADMIN_LOGIN, ADMIN_PASSWORD)
    assert response.status_code == 200, response.text
    me = client.ok("GET", "/me")
    assert me["role"] == "platform_admin" and me["operator"] is True and me["tenant_id"] is None
    cookie = response.headers["set-cookie"].lower()
    assert "privnum_session=" in cookie and "httponly" in cookie and "samesite=lax" in cookie


def test_wrong_login_and_wrong_password_read_the_same(mgmt_server):
    client = MgmtClient(mgmt_server.base)
    wrong_password = client.login(ADMIN_LOGIN, "not-the-password")
    unknown_login = client.login(unique("nobody-"), "not-the-password")
    assert wrong_password.status_code == unknown_login.status_code == 401
    assert wrong_password.json() == unknown_login.json() == {"code": "unauthenticated",
                                                             "message": "wrong login or password"}


def test_sign_in_is_throttled_after_five_failures(mgmt_server, new_tenant):
    tenant = new_tenant()
    client = MgmtClient(mgmt_server.base)
    for _ in range(5):
        assert client.login(tenant.admin_login, "wrong-password-x").status_code == 401
    throttled = client.login(tenant.admin_login, TENANT_PASSWORD)  # even the right password, while throttled
    assert throttled.status_code == 429
    assert throttled.json()["code"] == "too_many_attempts"
    assert 1 <= int(throttled.headers["retry-after"]) <= 900


def test_not_signed_in_is_401_with_what_to_do(mgmt_server):
    response = httpx.get(mgmt_server.base + "/mgmt/v1/me")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated" and "POST /mgmt/v1/session" in response.json()["message"]


def test_cookie_requests_that_change_things_need_the_csrf_token(operator):
    without = operator.post("/admin/tenants", csrf=False, json={"name": unique("T"), "admin_login": unique("a-")})
    assert without.status_code == 403 and "CSRF" in without.json()["message"]
    wrong = operator.post("/admin/tenants", csrf=False, headers={"X-CSRF-Token": "forged"},
                          json={"name": unique("T"), "admin_login": unique("a-")})
    assert wrong.status_code == 403
    assert operator.get("/admin/tenants").status_code == 200  # reads need none
    right = operator.post("/admin/tenants", json={"name": unique("T"), "admin_login": unique("a-")})
    assert right.status_code == 201, right.text


def test_security_headers_on_every_response(mgmt_server, operator):
    for response in (operator.get("/me"), httpx.get(mgmt_server.base + "/health"),
                     httpx.get(mgmt_server.base + "/mgmt/v1/me")):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"


def test_invited_user_chooses_a_password_once_then_signs_in(mgmt_server, new_tenant):
    tenant = new_tenant()
    login = unique("dev-")
    invited = tenant.admin.ok("POST", "/users", json={"login": login, "role": "developer"})
    assert invited["user"]["status"] == "invited" and invited["invitation_url"].startswith("/console/invite/")
    token = invited["invitation_token"]
    anyone = MgmtClient(mgmt_server.base)
    assert anyone.login(login, "whatever-password").status_code == 401  # not before accepting
    weak = anyone.post(f"/invitations/{token}/accept", json={"password": "short"})
    assert weak.status_code == 422 and weak.json()["field"] == "password"
    accepted = anyone.ok("POST", f"/invitations/{token}/accept", json={"password": "developer-password-1"})
    assert accepted["status"] == "active" and accepted["tenant_id"] == tenant.id
    again = anyone.post(f"/invitations/{token}/accept", json={"password": "developer-password-2"})
    assert again.status_code == 404
    assert anyone.login(login, "developer-password-1").status_code == 200
    assert anyone.ok("GET", "/me")["role"] == "developer"


def test_roles_limit_what_a_user_may_do(mgmt_server, new_tenant):
    tenant = new_tenant()
    login = unique("viewer-")
    tenant.admin.ok("POST", "/users", json={"login": login, "role": "viewer", "password": "viewer-password-1"})
    viewer = MgmtClient(mgmt_server.base)
    assert viewer.login(login, "viewer-password-1").status_code == 200
    refused = viewer.post("/users", json={"login": unique("x-"), "role": "viewer"})
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    assert viewer.post("/admin/tenants", json={"name": unique("T"), "admin_login": unique("a-")}).status_code == 403
    assert viewer.get("/admin/reviews").status_code == 403
    operator_role = tenant.admin.post("/users", json={"login": unique("x-"), "role": "platform_admin"})
    assert operator_role.status_code == 422 and operator_role.json()["field"] == "role"


def test_a_tenant_never_sees_another_tenants_users(new_tenant):
    first, second = new_tenant(), new_tenant()
    member = first.admin.ok("POST", "/users", json={"login": unique("m-"), "role": "viewer",
                                                    "password": "member-password-1"})["user"]
    seen = second.admin.ok("GET", "/users")
    assert {u["login"] for u in seen["items"]} == {second.admin_login}
    assert second.admin.patch(f"/users/{member['id']}", json={"role": "developer"}).status_code == 404
    assert second.admin.get("/users", params={"tenant_id": first.id}).json()["items"][0]["tenant_id"] == second.id


def test_disabling_a_user_ends_their_sessions(mgmt_server, new_tenant):
    tenant = new_tenant()
    login = unique("leaver-")
    user = tenant.admin.ok("POST", "/users", json={"login": login, "role": "developer",
                                                   "password": "leaver-password-1"})["user"]
    leaver = MgmtClient(mgmt_server.base)
    leaver.login(login, "leaver-password-1")
    assert leaver.get("/me").status_code == 200
    tenant.admin.ok("PATCH", f"/users/{user['id']}", json={"status": "disabled"})
    assert leaver.get("/me").status_code == 401
    assert leaver.login(login, "leaver-password-1").status_code == 401
    own_id = next(u["id"] for u in tenant.admin.ok("GET", "/users")["items"] if u["login"] == tenant.admin_login)
    own = tenant.admin.patch(f"/users/{own_id}", json={"status": "disabled"})
    assert own.status_code == 409 and own.json()["code"] == "own_account"


def test_api_tokens_are_shown_once_scoped_and_revocable(mgmt_server, new_tenant):
    tenant = new_tenant()
    issued = tenant.admin.ok("POST", "/tokens", json={"name": "ci", "days": 30, "scopes": ["read"]})
    assert issued["token"].startswith("pn_") and issued["scopes"] == ["read"]
    listed = tenant.admin.ok("GET", "/tokens")
    assert listed[0]["prefix"] == issued["token"][:10] and "token" not in listed[0]
    bot = MgmtClient(mgmt_server.base, token=issued["token"])
    assert bot.ok("GET", "/me")["via"] == "token"
    assert bot.ok("GET", "/users")["total"] >= 1  # no CSRF for bearer tokens
    refused = bot.post("/users", json={"login": unique("x-"), "role": "viewer"})
    assert refused.status_code == 403  # the token was scoped to read
    too_much = tenant.admin.post("/tokens", json={"name": "x", "scopes": ["tenants.manage"]})
    assert too_much.status_code == 422 and too_much.json()["code"] == "scope_not_allowed"
    tenant.admin.ok("DELETE", f"/tokens/{issued['id']}")
    assert bot.get("/me").status_code == 401
    assert MgmtClient(mgmt_server.base, token="pn_not-a-token").get("/me").status_code == 401


def test_every_mutation_is_audited_with_actor_and_source(operator, new_tenant):
    tenant = new_tenant()
    events = operator.ok("GET", "/audit-events", params={"tenant_id": tenant.id, "per_page": 200})["items"]
    actions = {e["action"] for e in events}
    assert {"tenant.create", "user.create", "session.login"} <= actions
    created = next(e for e in events if e["action"] == "tenant.create")
    assert created["actor_login"] == ADMIN_LOGIN and created["ip"] == "127.0.0.1"
    assert created["after"] == {"name": tenant.name}
    own = tenant.admin.ok("GET", "/audit-events", params={"per_page": 200})["items"]
    assert own and {e["tenant_id"] for e in own} == {tenant.id}


def test_bad_bodies_get_a_clear_422(operator):
    malformed = operator.post("/admin/tenants", content=b"{not json", headers={"content-type": "application/json"})
    assert malformed.status_code == 422 and malformed.json()["code"] == "malformed_json"
    missing = operator.post("/admin/tenants", json={"name": "x"})
    assert missing.status_code == 422 and missing.json()["field"] == "admin_login"
    bad_login = operator.post("/admin/tenants", json={"name": unique("T"), "admin_login": "a b"})
    assert bad_login.status_code == 422 and bad_login.json()["field"] == "login"
    unknown = operator.get("/no-such-thing")
    assert unknown.status_code == 404 and unknown.json()["code"] == "not_found"


def test_duplicate_names_are_409(operator):
    name = unique("Same ")
    operator.ok("POST", "/admin/tenants", json={"name": name, "admin_login": unique("a-")})
    again = operator.post("/admin/tenants", json={"name": name, "admin_login": unique("a-")})
    assert again.status_code == 409 and again.json()["code"] == "tenant_exists"


def test_cli_creates_an_operator_and_it_is_audited(mgmt_server, operator, tmp_path):
    secret = tmp_path / "pw"
    secret.write_text("reviewer-password-1\n")
    login = unique("rev-")
    done = mgmt_server.cli("operator", "create", "--login", login, "--password-file", str(secret), "--role",
                           "reviewer")
    assert "created" in done.stdout
    reviewer = MgmtClient(mgmt_server.base)
    assert reviewer.login(login, "reviewer-password-1").status_code == 200
    assert reviewer.ok("GET", "/me")["role"] == "reviewer"
    event = operator.ok("GET", "/audit-events", params={"subject": f"user:{login}"})["items"][-1]
    assert event["action"] == "user.create" and event["actor_kind"] == "cli"
    taken = mgmt_server.cli("operator", "create", "--login", login, "--password-file", str(secret), check=False)
    assert taken.returncode == 1 and "taken" in taken.stderr


@pytest.mark.parametrize("path", ["/admin/tenants", "/admin/operators"])
def test_tenants_cannot_reach_the_operator_side(new_tenant, path):
    tenant = new_tenant()
    assert tenant.admin.get(path).status_code == 403


def test_without_a_password_file_the_first_operator_gets_a_generated_password(server):
    secret = server.workdir / "privnum-data" / "initial-admin-password"
    assert secret.stat().st_mode & 0o777 == 0o600
    client = MgmtClient(server.base)
    assert client.login("admin", secret.read_text().strip()).status_code == 200
    assert client.ok("GET", "/me")["role"] == "platform_admin"
