"""A numbers on file in the management API (/mgmt/v1/a-numbers): register, list masked, one by id, withdraw,
bad input, roles, tenant isolation, operators' view."""

from __future__ import annotations

from typing import Any

import pytest

from a_number_client import WireClient, photo
from mgmt import TENANT_PASSWORD, MgmtClient, unique

ID = "11010519491231002X"


def entry(number: str, **extra: Any) -> dict[str, Any]:
    return {"number": number, "number_type": 1, "name": "张三", "identity_card": ID,
            "live_face_image": "zhang.jpg", **extra}


@pytest.fixture
def new_tenant_with_photo(mgmt_server, new_tenant):
    """A tenant that uploaded zhang.jpg (Huawei's upload API; the registrations name it)."""

    def make() -> Any:
        tenant = new_tenant()
        token = tenant.admin.ok("POST", "/tokens", json={"name": "photos", "days": 1})["token"]
        wire = WireClient(mgmt_server.base, token)
        assert wire.upload([photo("zhang.jpg")]).status_code == 200
        wire.close()
        return tenant

    return make


def register(client: MgmtClient, *numbers: str) -> list[dict[str, Any]]:
    made: list[dict[str, Any]] = client.ok("POST", "/a-numbers", status=201, json={
        "numbers": [entry(n) for n in numbers], "agree_authorization_statement": True})
    return made


def test_registered_numbers_are_listed_with_name_and_id_masked(new_tenant_with_photo):
    tenant = new_tenant_with_photo()
    made = register(tenant.admin, "+8613800000201")
    assert made[0]["number"] == "+8613800000201"  # an account admin may reveal numbers
    assert made[0]["name"] == "张*" and made[0]["identity_card"] == "110105********002X"
    listed = tenant.admin.ok("GET", "/a-numbers")
    assert listed["total"] == 1 and listed["items"][0]["report_status"] == 0
    assert ID not in str(listed)
    assert tenant.admin.ok("GET", f"/a-numbers/{made[0]['id']}")["number"] == "+8613800000201"


def test_a_viewer_sees_numbers_masked_and_may_not_register(mgmt_server, new_tenant_with_photo):
    tenant = new_tenant_with_photo()
    register(tenant.admin, "+8613800000211")
    login = unique("viewer-")
    tenant.admin.ok("POST", "/users", status=201, json={"login": login, "role": "viewer", "password": TENANT_PASSWORD})
    viewer = MgmtClient(mgmt_server.base)
    assert viewer.login(login, TENANT_PASSWORD).status_code == 200
    assert viewer.ok("GET", "/a-numbers")["items"][0]["number"] == "+86138****0211"
    refused = viewer.post("/a-numbers", json={"numbers": [entry("+8613800000212")],
                                               "agree_authorization_statement": True})
    assert refused.status_code == 403
    viewer.close()


def test_withdrawing_takes_it_off_file(new_tenant_with_photo):
    tenant = new_tenant_with_photo()
    made = register(tenant.admin, "+8613800000221")
    assert tenant.admin.delete(f"/a-numbers/{made[0]['id']}").status_code == 204
    assert tenant.admin.ok("GET", "/a-numbers")["total"] == 0
    assert tenant.admin.get(f"/a-numbers/{made[0]['id']}").status_code == 404


@pytest.mark.parametrize(("body", "status", "field"), [
    ({"numbers": [entry("+8613800000231")]}, 422, "agree_authorization_statement"),
    ({"numbers": [entry("+8613800000231", identity_card="110105194912310021")],
      "agree_authorization_statement": True}, 422, "numbers.0.identity_card"),
    ({"numbers": [entry("+8613800000231", number_type=2)], "agree_authorization_statement": True}, 422,
     "numbers.0.number"),
    ({"numbers": [], "agree_authorization_statement": True}, 422, "numbers"),
])
def test_bad_input_names_the_field_and_stores_nothing(new_tenant_with_photo, body, status, field):
    tenant = new_tenant_with_photo()
    response = tenant.admin.post("/a-numbers", json=body)
    assert response.status_code == status, response.text
    assert response.json()["field"] == field
    assert tenant.admin.ok("GET", "/a-numbers")["total"] == 0


def test_a_number_already_on_file_is_a_conflict(new_tenant_with_photo):
    tenant = new_tenant_with_photo()
    register(tenant.admin, "+8613800000241")
    again = tenant.admin.post("/a-numbers", json={"numbers": [entry("+8613800000241")],
                                                   "agree_authorization_statement": True})
    assert again.status_code == 409 and again.json()["code"] == "already_registered"


def test_listing_filters_by_number_and_status(new_tenant_with_photo):
    tenant = new_tenant_with_photo()
    register(tenant.admin, "+8613800000251", "+8613800000252")
    assert tenant.admin.ok("GET", "/a-numbers?number=%2B8613800000252")["total"] == 1
    assert tenant.admin.ok("GET", "/a-numbers?report_status=2")["total"] == 0
    assert tenant.admin.get("/a-numbers?report_status=7").status_code == 422


def test_another_tenant_sees_none_of_them(new_tenant_with_photo):
    owner, stranger = new_tenant_with_photo(), new_tenant_with_photo()
    made = register(owner.admin, "+8613800000261")
    assert stranger.admin.ok("GET", "/a-numbers")["total"] == 0
    assert stranger.admin.get(f"/a-numbers/{made[0]['id']}").status_code == 404
    assert stranger.admin.delete(f"/a-numbers/{made[0]['id']}").status_code == 404
    assert owner.admin.ok("GET", "/a-numbers")["total"] == 1


def test_operators_see_every_tenants_and_may_filter_by_tenant(operator, new_tenant_with_photo):
    tenant = new_tenant_with_photo()
    register(tenant.admin, "+8613800000271")
    mine = operator.ok("GET", f"/a-numbers?tenant_id={tenant.id}")
    assert mine["total"] == 1 and mine["items"][0]["tenant_id"] == tenant.id
    assert operator.ok("GET", "/a-numbers")["total"] >= 1
