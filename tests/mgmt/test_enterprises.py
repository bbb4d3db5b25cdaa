"""Enterprises over the management API: drafts with their profile, materials as files (checked by content),
submission, the review's outcome, expiry of the authorisation letter, quotas, the CLI's enterprises, and
tenant isolation."""

from __future__ import annotations

import asyncio

from sqlalchemy import text

from enterprise_kit import (
    PDF,
    PNG,
    REQUIRED,
    ZIP,
    approve,
    approved_enterprise,
    credit_code,
    in_days,
    profile,
    submitted_enterprise,
    upload,
)
from mgmt import unique
from privnum.adapters.db.database import open_database


def set_letter_date(database_url: str, enterprise_id: int, day: str) -> None:
    """Let time pass for one enterprise: its authorisation letter's date, straight in the database."""
    async def run() -> None:
        db = open_database(database_url)
        try:
            async with db.transaction() as conn:
                await conn.execute(text("UPDATE enterprises SET auth_letter_valid_until = :day WHERE id = :id"),
                                   {"day": __import__("datetime").date.fromisoformat(day), "id": enterprise_id})
        finally:
            await db.dispose()

    asyncio.run(run())


def test_a_tenant_creates_a_draft_that_lists_the_missing_materials(new_tenant, operator):
    tenant = new_tenant()
    created = tenant.admin.ok("POST", "/enterprises", json=profile(), status=201)
    assert created["status"] == "draft" and created["tenant_id"] == tenant.id and created["may_order"] is False
    assert created["missing_materials"] == list(REQUIRED) and created["materials"] == [] and created["reviews"] == []
    listed = tenant.admin.ok("GET", "/enterprises")
    assert [e["id"] for e in listed["items"]] == [created["id"]] and listed["total"] == 1
    events = operator.ok("GET", "/audit-events", params={"action": "enterprise.create",
                                                         "subject": f"enterprise:{created['id']}"})
    assert events["items"][0]["actor_login"] == tenant.admin_login


def test_the_credit_code_is_checked_by_format_and_check_digit(new_tenant):
    tenant = new_tenant()
    good = credit_code()
    wrong_digit = good[:17] + ("0" if good[17] != "0" else "1")
    for code, words in ((wrong_digit, "does not match"), ("91440300I0000000X1", "except I, O, Z, S and V"),
                        ("9144030000", "18 characters")):
        refused = tenant.admin.post("/enterprises", json=profile(credit_code=code))
        assert refused.status_code == 422, refused.text
        assert refused.json()["code"] == "invalid_credit_code" and refused.json()["field"] == "credit_code"
        assert words in refused.json()["message"]
    assert tenant.admin.get("/enterprises").json()["total"] == 0


def test_bad_profiles_are_refused_with_the_field_at_fault(new_tenant):
    tenant = new_tenant()
    cases = [({"nature": "charity"}, "invalid_request", "nature"),
             ({"carrier_kind": "fax"}, "invalid_request", "carrier_kind"),
             ({"handler_phone": "12345"}, "invalid_phone", "handler_phone"),
             ({"name": "x" * 65}, "invalid_name", "name"),
             ({"industry": "   "}, "field_required", "industry"),
             ({"auth_letter_valid_until": "2026-13-40"}, "invalid_request", "auth_letter_valid_until"),
             ({"surprise": 1}, "invalid_request", "surprise")]
    for change, code, field in cases:
        refused = tenant.admin.post("/enterprises", json=profile(**change))
        assert refused.status_code == 422, (change, refused.text)
        assert (refused.json()["code"], refused.json()["field"]) == (code, field), refused.json()
    body = profile()
    del body["legal_name"]
    assert tenant.admin.post("/enterprises", json=body).json()["field"] == "legal_name"
    assert tenant.admin.get("/enterprises").json()["total"] == 0


def test_names_are_unique_per_tenant_only(new_tenant):
    first, second = new_tenant(), new_tenant()
    name = unique("同名企业")
    first.admin.ok("POST", "/enterprises", json=profile(name=name))
    again = first.admin.post("/enterprises", json=profile(name=name))
    assert again.status_code == 409 and again.json()["code"] == "name_taken" and again.json()["field"] == "name"
    assert second.admin.post("/enterprises", json=profile(name=name)).status_code == 201


def test_operator_enterprises_from_the_cli_stay_unique_by_name_and_beside_tenants(mgmt_server, new_tenant, operator):
    name = unique("cli-ent-")
    mgmt_server.cli("enterprise", "create", name)
    twice = mgmt_server.cli("enterprise", "create", name, check=False)
    assert twice.returncode == 1 and "already exists" in twice.stderr
    tenant = new_tenant()
    assert tenant.admin.post("/enterprises", json=profile(name=name)).status_code == 201
    listed = mgmt_server.cli("enterprise", "list").stdout
    assert name in listed
    events = operator.ok("GET", "/audit-events", params={"action": "enterprise.create"})["items"]
    assert any(e["actor_kind"] == "cli" and e["after"]["name"] == name for e in events)


def test_materials_upload_replace_and_download(new_tenant):
    tenant = new_tenant()
    enterprise = tenant.admin.ok("POST", "/enterprises", json=profile())
    first = upload(tenant.admin, enterprise["id"], "licence", PNG, "营业执照.png")
    assert first.status_code == 201, first.text
    assert first.json()["content_type"] == "image/png" and first.json()["size_bytes"] == len(PNG)
    second = upload(tenant.admin, enterprise["id"], "licence", PDF, "licence.pdf")
    assert second.status_code == 201 and second.json()["file_id"] != first.json()["file_id"]
    detail = tenant.admin.ok("GET", f"/enterprises/{enterprise['id']}")
    assert [(m["kind"], m["file_id"]) for m in detail["materials"]] == [("licence", second.json()["file_id"])]
    assert "licence" not in detail["missing_materials"]
    download = tenant.admin.get(f"/enterprises/{enterprise['id']}/files/{second.json()['file_id']}")
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["content-type"] == "application/pdf"
    assert "attachment" in download.headers["content-disposition"]
    replaced = tenant.admin.get(f"/enterprises/{enterprise['id']}/files/{first.json()['file_id']}")
    assert replaced.status_code == 404


def test_materials_are_checked_by_content_and_size_and_nothing_is_kept_when_refused(new_tenant):
    tenant = new_tenant()
    enterprise = tenant.admin.ok("POST", "/enterprises", json=profile())
    cases = [("licence", b"just text, named like an image", "scan.png", "file_type_not_allowed"),
             ("licence", ZIP, "scan.zip", "file_type_not_allowed"),
             ("licence", b"\x89PNG\r\n\x1a\n" + b"\x00" * (2 * 1024 * 1024), "big.png", "file_too_large"),
             ("licence", b"", "empty.png", "file_empty")]
    for kind, data, name, code in cases:
        refused = upload(tenant.admin, enterprise["id"], kind, data, name)
        assert refused.status_code == 422 and refused.json()["code"] == code, refused.text
        assert refused.json()["field"] == "file"
    wrong_kind = upload(tenant.admin, enterprise["id"], "selfie")
    assert wrong_kind.status_code == 422 and wrong_kind.json()["code"] == "invalid_material_kind"
    assert tenant.admin.ok("GET", f"/enterprises/{enterprise['id']}")["materials"] == []
    archive = ZIP + b"\x00" * (3 * 1024 * 1024)  # "other" takes archives up to 20 MB
    assert upload(tenant.admin, enterprise["id"], "other", archive, "more.zip").status_code == 201


def test_submitting_needs_the_required_materials(new_tenant):
    tenant = new_tenant()
    enterprise = tenant.admin.ok("POST", "/enterprises", json=profile(carrier_is_third_party=True))
    for kind in REQUIRED[:3]:
        upload(tenant.admin, enterprise["id"], kind)
    refused = tenant.admin.post(f"/enterprises/{enterprise['id']}/submit")
    assert refused.status_code == 422 and refused.json()["code"] == "materials_missing"
    assert "handler_holding_id, business_authorization, carrier_authorization" in refused.json()["message"]
    for kind in (*REQUIRED[3:], "carrier_authorization"):
        upload(tenant.admin, enterprise["id"], kind)
    review = tenant.admin.ok("POST", f"/enterprises/{enterprise['id']}/submit")
    assert review["state"] == "pending" and review["revision"] == 1 and review["kind"] == "enterprise"
    assert tenant.admin.ok("GET", f"/enterprises/{enterprise['id']}")["status"] == "pending"


def test_submitting_needs_a_letter_valid_after_today(new_tenant):
    tenant = new_tenant()
    enterprise = tenant.admin.ok("POST", "/enterprises", json=profile(auth_letter_valid_until=in_days(0)))
    for kind in REQUIRED:
        upload(tenant.admin, enterprise["id"], kind)
    refused = tenant.admin.post(f"/enterprises/{enterprise['id']}/submit")
    assert refused.status_code == 422 and refused.json()["code"] == "authorization_expired"
    assert refused.json()["field"] == "auth_letter_valid_until"
    assert tenant.admin.ok("GET", f"/enterprises/{enterprise['id']}")["status"] == "draft"


def test_a_pending_enterprise_cannot_be_changed(new_tenant):
    tenant = new_tenant()
    enterprise = submitted_enterprise(tenant.admin)
    changed = tenant.admin.patch(f"/enterprises/{enterprise['id']}", json={"industry": "retail"})
    assert changed.status_code == 409 and changed.json()["code"] == "enterprise_not_editable"
    assert upload(tenant.admin, enterprise["id"], "licence").status_code == 409
    again = tenant.admin.post(f"/enterprises/{enterprise['id']}/submit")
    assert again.status_code == 409


def test_rejected_then_edited_and_resubmitted_then_approved(new_tenant, operator):
    tenant = new_tenant()
    enterprise = submitted_enterprise(tenant.admin)
    review_id = enterprise["reviews"][0]["id"]
    bad_reason = operator.post(f"/admin/reviews/{review_id}/reject", json={"reason_code": "too_ugly"})
    assert bad_reason.status_code == 422
    operator.ok("POST", f"/admin/reviews/{review_id}/reject",
                json={"reason_code": "materials_unclear", "message": "the licence scan is blurred"})
    rejected = tenant.admin.ok("GET", f"/enterprises/{enterprise['id']}")
    assert rejected["status"] == "rejected"
    assert rejected["reviews"][0]["reason"] == "Some materials are unclear; upload legible copies and resubmit."
    assert rejected["reviews"][0]["message"] == "the licence scan is blurred"
    tenant.admin.ok("PATCH", f"/enterprises/{enterprise['id']}", json={"industry": "retail"})
    assert upload(tenant.admin, enterprise["id"], "licence", PDF, "sharper.pdf").status_code == 201
    second = tenant.admin.ok("POST", f"/enterprises/{enterprise['id']}/submit")
    assert second["revision"] == 2
    approve(operator, tenant.admin.ok("GET", f"/enterprises/{enterprise['id']}"))
    approved = tenant.admin.ok("GET", f"/enterprises/{enterprise['id']}")
    assert approved["status"] == "approved" and approved["may_order"] is True and approved["industry"] == "retail"
    assert [r["state"] for r in approved["reviews"]] == ["approved", "rejected"]


def test_nudging_a_pending_review_once_an_hour(new_tenant):
    tenant = new_tenant()
    enterprise = submitted_enterprise(tenant.admin)
    nudged = tenant.admin.ok("POST", f"/enterprises/{enterprise['id']}/nudge")
    assert nudged["nudges"] == 1
    again = tenant.admin.post(f"/enterprises/{enterprise['id']}/nudge")
    assert again.status_code == 409 and again.json()["code"] == "already_nudged"


def test_an_expired_letter_stops_new_apps_until_renewed(mgmt_server, new_tenant, operator):
    tenant = new_tenant()
    enterprise = approved_enterprise(tenant.admin, operator)
    set_letter_date(mgmt_server.database_url, enterprise["id"], in_days(-1))
    expired = tenant.admin.ok("GET", f"/enterprises/{enterprise['id']}")
    assert expired["status"] == "expired" and expired["may_order"] is False
    refused = tenant.admin.post("/apps", json={"enterprise_id": enterprise["id"], "name": "late_app", "mode": "AXB"})
    assert refused.status_code == 409 and refused.json()["code"] == "enterprise_not_approved"
    assert "expired" in refused.json()["message"]
    assert upload(tenant.admin, enterprise["id"], "business_authorization", PDF, "new-letter.pdf").status_code == 201
    renewing = tenant.admin.ok("PATCH", f"/enterprises/{enterprise['id']}",
                               json={"auth_letter_valid_until": in_days(400)})
    assert renewing["status"] == "expired" and renewing["may_order"] is False  # a new date alone approves nothing
    assert tenant.admin.ok("POST", f"/enterprises/{enterprise['id']}/submit")["revision"] == 2
    approve(operator, tenant.admin.ok("GET", f"/enterprises/{enterprise['id']}"))
    assert tenant.admin.post("/apps", json={"enterprise_id": enterprise["id"], "name": "renewed_app",
                                            "mode": "AXB"}).status_code == 201


def test_operators_see_every_enterprise_and_set_quotas(new_tenant, operator):
    tenant = new_tenant()
    enterprise = approved_enterprise(tenant.admin, operator)
    listed = operator.ok("GET", "/admin/enterprises", params={"per_page": 200})["items"]
    mine = next(e for e in listed if e["id"] == enterprise["id"])
    assert (mine["app_count"], mine["app_quota"], mine["tenant_id"]) == (0, 5, tenant.id)
    assert tenant.admin.get("/admin/enterprises").status_code == 403
    assert tenant.admin.patch(f"/admin/enterprises/{enterprise['id']}", json={"app_quota": 9}).status_code == 403
    assert operator.ok("PATCH", f"/admin/enterprises/{enterprise['id']}", json={"app_quota": 1})["app_quota"] == 1
    tenant.admin.ok("POST", "/apps", json={"enterprise_id": enterprise["id"], "name": "only_app", "mode": "AX"})
    below = operator.patch(f"/admin/enterprises/{enterprise['id']}", json={"app_quota": 0})
    assert below.status_code == 409 and below.json()["code"] == "quota_below_app_count"
    negative = operator.patch(f"/admin/enterprises/{enterprise['id']}", json={"app_quota": -1})
    assert negative.status_code == 422 and negative.json()["field"] == "app_quota"
    audit = operator.ok("GET", "/audit-events", params={"action": "enterprise.quota",
                                                        "subject": f"enterprise:{enterprise['id']}"})["items"]
    assert audit[0]["before"] == {"app_quota": 5} and audit[0]["after"] == {"app_quota": 1}


def test_a_tenant_sees_none_of_another_tenants_enterprises(new_tenant):
    owner, other = new_tenant(), new_tenant()
    enterprise = owner.admin.ok("POST", "/enterprises", json=profile())
    file_id = upload(owner.admin, enterprise["id"], "licence").json()["file_id"]
    assert other.admin.ok("GET", "/enterprises")["total"] == 0
    eid = enterprise["id"]
    for method, path, kwargs in (("GET", f"/enterprises/{eid}", {}),
                                 ("PATCH", f"/enterprises/{eid}", {"json": {"industry": "x"}}),
                                 ("GET", f"/enterprises/{eid}/files/{file_id}", {}),
                                 ("POST", f"/enterprises/{eid}/submit", {}),
                                 ("POST", f"/enterprises/{eid}/nudge", {})):
        assert other.admin.request(method, path, **kwargs).status_code == 404, path
    assert upload(other.admin, eid, "licence").status_code == 404
    assert other.admin.post("/apps", json={"enterprise_id": eid, "name": "stolen", "mode": "AXB"}).status_code == 404
    assert owner.admin.ok("GET", f"/enterprises/{eid}")["industry"] == "logistics"


def test_a_viewer_reads_but_does_not_change_enterprises(mgmt_server, new_tenant):
    from mgmt import MgmtClient

    tenant = new_tenant()
    enterprise = tenant.admin.ok("POST", "/enterprises", json=profile())
    login = unique("viewer-")
    tenant.admin.ok("POST", "/users", json={"login": login, "role": "viewer", "password": "viewer-password-1"})
    viewer = MgmtClient(mgmt_server.base)
    viewer.login(login, "viewer-password-1")
    assert viewer.ok("GET", f"/enterprises/{enterprise['id']}")["id"] == enterprise["id"]
    assert viewer.post("/enterprises", json=profile()).status_code == 403
    assert upload(viewer, enterprise["id"], "licence").status_code == 403
    viewer.close()
