"""Huawei's A-number registration API (A号码报备) over HTTP against a real ``privnum serve``: create, query, delete
with an API token in ``X-Auth-Token``; Huawei's error envelope (``error_code`` / ``error_msg``) on every refusal;
tenant isolation; the audit trail."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from a_number_client import AGREED, URI, WireClient, photo

ID = "11010519491231002X"
ID_2 = "440308199001011239"


def mobile(number: str, card: str = ID, **extra: Any) -> dict[str, Any]:
    return {"number": number, "numberType": 1, "name": "张三", "identityCard": card,
            "liveFaceImage": "zhang.jpg", **extra}


def fixed(number: str, operator: str | None = "+8613900000099") -> dict[str, Any]:
    entry = {"number": number, "numberType": 2, "name": "李四", "identityCard": ID_2, "liveFaceImage": "li.png"}
    if operator is not None:
        entry["operatorNumber"] = operator
    return entry


@pytest.fixture
def wire(mgmt_server, new_tenant):
    """A tenant's wire client (its account admin's API token) and the tenant."""
    tenant = new_tenant()
    token = tenant.admin.ok("POST", "/tokens", json={"name": "a-numbers", "days": 30})["token"]
    client = WireClient(mgmt_server.base, token)
    assert client.upload([photo("zhang.jpg"), photo("li.png")]).status_code == 200
    yield client, tenant
    client.close()


def refused(response: httpx.Response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json;charset=UTF-8"
    body = response.json()
    assert set(body) - {"failedFiles"} == {"error_code", "error_msg"} and body["error_code"] == code, body
    return str(body["error_msg"])


def test_create_then_query_shows_them_reported(wire):
    client, _ = wire
    created = client.create([mobile("+8613800000001"), fixed("+8675528000001")])
    assert created.status_code == 200, created.text
    assert created.json() == {"result": "Create Successful."}
    answer = client.query(page=1, size=10)
    assert answer.status_code == 200, answer.text
    assert answer.json()["total"] == 2
    assert sorted(answer.json()["numbers"], key=lambda n: n["number"]) == [
        {"number": "+8613800000001", "reportStatus": 0}, {"number": "+8675528000001", "reportStatus": 0}]


def test_query_never_answers_names_or_id_numbers(wire):
    client, _ = wire
    client.create([mobile("+8613800000002")])
    text = client.query(page=1, size=100).text
    assert ID not in text and "张三" not in text and "zhang.jpg" not in text


def test_query_filters_and_pages(wire):
    client, _ = wire
    client.create([mobile(f"+861380000001{i}") for i in range(5)])
    page = client.query(page=2, size=2).json()
    assert page["total"] == 5 and len(page["numbers"]) == 2
    named = client.query(page=1, size=10, number=["+8613800000011", "+8613900000000"]).json()
    assert named == {"total": 1, "numbers": [{"number": "+8613800000011", "reportStatus": 0}]}
    assert client.query(page=1, size=10, reportStatus=1).json() == {"total": 0, "numbers": []}
    assert client.query(page=1, size=10, reportStatus=0).json()["total"] == 5


def test_delete_takes_them_off_file(wire):
    client, _ = wire
    client.create([mobile("+8613800000021"), mobile("+8613800000022")])
    deleted = client.delete(["+8613800000021"])
    assert deleted.status_code == 200 and deleted.json() == {"result": "Delete Successful."}
    assert [n["number"] for n in client.query(page=1, size=10).json()["numbers"]] == ["+8613800000022"]


def test_deleting_a_number_not_on_file_deletes_nothing(wire):
    client, _ = wire
    client.create([mobile("+8613800000031")])
    message = refused(client.delete(["+8613800000031", "+8613800000032"]), 400, "PPT.0009")
    assert "+8613800000032" in message
    assert client.query(page=1, size=10).json()["total"] == 1


def test_a_number_already_on_file_is_refused_and_nothing_is_stored(wire):
    client, _ = wire
    client.create([mobile("+8613800000041")])
    message = refused(client.create([mobile("+8613800000042"), mobile("+8613800000041")]), 400, "PPT.0002")
    assert "+8613800000041" in message and "禁止重复提交" in message
    assert client.query(page=1, size=10).json()["total"] == 1
    refused(client.create([mobile("+8613800000043"), mobile("+8613800000043")]), 400, "PPT.0002")


def test_without_consent_nothing_is_registered(wire):
    client, _ = wire
    for params in (None, {"agree_authorization_statement": "false"}):
        message = refused(client.create([mobile("+8613800000051")], params=params), 400, "PPT.0002")
        assert message.startswith("Invalid Parameter. agree_authorization_statement:")
    assert client.query(page=1, size=10).json()["total"] == 0


@pytest.mark.parametrize(("entry", "field"), [
    (mobile("+8613800000061", card="11010519491231002Y"), "numbers[0].identityCard"),
    (mobile("+8613800000061", card="110105194912310021"), "numbers[0].identityCard"),
    (mobile("+8675528000061"), "numbers[0].number"),
    (fixed("+8675528000061", operator=None), "numbers[0].operatorNumber"),
    ({**mobile("+8613800000061"), "numberType": 3}, "numbers[0].numberType"),
    ({**mobile("+8613800000061"), "liveFaceImage": "photo.gif"}, "numbers[0].liveFaceImage"),
    ({**mobile("+8613800000061"), "name": "x" * 51}, "numbers[0].name"),
    ({**mobile("+8613800000061"), "liveFaceImage": "a" * 65 + ".jpg"}, "numbers[0].liveFaceImage"),
])
def test_bad_fields_are_refused_by_name(wire, entry, field):
    client, _ = wire
    message = refused(client.create([entry]), 400, "PPT.0002")
    assert message.startswith(f"Invalid Parameter. {field}:"), message
    assert client.query(page=1, size=10).json()["total"] == 0


def test_at_most_ten_numbers_per_create_and_delete(wire):
    client, _ = wire
    eleven = [mobile(f"+86138000001{i:02d}") for i in range(11)]
    refused(client.create(eleven), 400, "PPT.0002")
    refused(client.create([]), 400, "PPT.0002")
    refused(client.delete([f"+86138000001{i:02d}" for i in range(11)]), 400, "PPT.0002")
    assert client.create(eleven[:10]).status_code == 200


@pytest.mark.parametrize("body", [{"page": 0, "size": 10}, {"page": 1, "size": 0}, {"page": 1, "size": 101},
                                  {"page": 1, "size": 10, "reportStatus": 3},
                                  {"page": 1, "size": 10, "number": ["+8613800000000"] * 101},
                                  {"page": "one", "size": 10}])
def test_query_bounds(wire, body):
    client, _ = wire
    refused(client.query(**body), 400, "PPT.0002")


@pytest.mark.parametrize("raw", [b"", b"not json", b"[]", b'{"numbers": "x"}', b'{"numbers": [null]}',
                                 b'{"numbers": [{"number": 5}]}', b"\xff\xfe"])
def test_malformed_bodies_never_500(wire, raw):
    client, _ = wire
    for method, path, params in (("POST", URI, AGREED), ("POST", URI + "/query", None), ("DELETE", URI, None)):
        response = client.http.request(method, path, params=params, content=raw)
        if path.endswith("/query") and raw.startswith(b"{"):
            assert response.status_code == 200  # unknown fields are ignored, as in every Huawei body
            continue
        refused(response, 400, "PPT.0002")


@pytest.mark.parametrize("token", [None, "", "pn_not-a-token", "Bearer nothing"])
def test_without_a_valid_token_403_ppt_0007(mgmt_server, token):
    client = WireClient(mgmt_server.base, token)
    refused(client.create([mobile("+8613800000071")]), 403, "PPT.0007")
    refused(client.query(page=1, size=10), 403, "PPT.0007")
    refused(client.delete(["+8613800000071"]), 403, "PPT.0007")
    refused(client.upload([photo("x.jpg")]), 403, "PPT.0007")
    refused(client.query_files(page=1, size=10), 403, "PPT.0007")
    client.close()


def test_an_operators_token_is_refused(mgmt_server, operator):
    token = operator.ok("POST", "/tokens", json={"name": "op", "days": 1})["token"]
    client = WireClient(mgmt_server.base, token)
    refused(client.query(page=1, size=10), 403, "PPT.0007")
    client.close()


def test_a_read_only_token_may_query_but_not_register(mgmt_server, wire):
    client, tenant = wire
    client.create([mobile("+8613800000081")])
    token = tenant.admin.ok("POST", "/tokens", json={"name": "ro", "days": 1, "scopes": ["read"]})["token"]
    reader = WireClient(mgmt_server.base, token)
    assert reader.query(page=1, size=10).json()["total"] == 1
    refused(reader.create([mobile("+8613800000082")]), 403, "PPT.0007")
    refused(reader.delete(["+8613800000081"]), 403, "PPT.0007")
    reader.close()


def test_another_tenant_sees_none_of_them(mgmt_server, new_tenant, wire):
    client, _ = wire
    client.create([mobile("+8613800000091")])
    other = new_tenant()
    token = other.admin.ok("POST", "/tokens", json={"name": "other", "days": 1})["token"]
    stranger = WireClient(mgmt_server.base, token)
    assert stranger.query(page=1, size=10, number=["+8613800000091"]).json() == {"total": 0, "numbers": []}
    refused(stranger.delete(["+8613800000091"]), 400, "PPT.0009")
    # the same number is the other tenant's to register: registrations are per tenant
    assert stranger.create([mobile("+8613800000091", card=ID_2)]).status_code == 400  # its photo is not theirs
    assert stranger.upload([photo("zhang.jpg")]).status_code == 200  # nor the name: photo names are per tenant
    assert stranger.query_files(page=1, size=10).json()["total"] == 1
    assert stranger.create([mobile("+8613800000091", card=ID_2)]).status_code == 200
    assert client.query(page=1, size=10).json()["total"] == 1
    stranger.close()


def test_every_registration_and_withdrawal_is_audited_without_the_id(wire):
    client, tenant = wire
    client.create([mobile("+8613800000101")])
    client.delete(["+8613800000101"])
    events = tenant.admin.ok("GET", "/audit-events?action=a_number.")["items"]
    assert [e["action"] for e in events] == ["a_number.delete", "a_number.create"]
    assert events[1]["subject"] == "a_number:+8613800000101" and events[1]["after"]["report_status"] == 0
    assert ID not in str(events) and events[1]["after"]["identity_card"] == "110105********002X"
    assert events[1]["after"]["name"] == "张*" and "张三" not in str(events)


def test_a_registration_must_name_an_uploaded_photo(wire):
    client, _ = wire
    message = refused(client.create([mobile("+8613800000111", liveFaceImage="never.jpg")]), 400, "PPT.0002")
    assert message.startswith("Invalid Parameter. numbers[0].liveFaceImage:") and "upload it first" in message


def test_uploaded_photos_are_listed_by_name_and_time(wire):
    client, _ = wire
    answer = client.query_files(page=1, size=10).json()
    assert answer["total"] == 2 and {f["fileName"] for f in answer["files"]} == {"zhang.jpg", "li.png"}
    assert all(len(f["createTime"]) == 19 for f in answer["files"])
    assert client.query_files(page=1, size=10, fileName="li.png").json()["total"] == 1
    assert client.query_files(page=1, size=10, startTime="2000-01-01 00:00:00",
                              stopTime="2000-01-01 23:59:59").json() == {"total": 0, "files": []}
    refused(client.query_files(page=1, size=10, startTime="2025-02-30 00:00:00"), 400, "PPT.0002")
    refused(client.query_files(page=1, size=101), 400, "PPT.0002")


def test_refused_photos_are_listed_and_the_others_stored(wire):
    client, _ = wire
    answer = client.upload([photo("new.jpg"), ("big.jpg", b"\xff\xd8\xff" + b"\x00" * 32 * 1024),
                            ("fake.png", b"GIF89a...."), photo("zhang.jpg"), photo("pic.gif")])
    assert answer.status_code == 200, answer.text
    failed = {f["file"]: f["failReason"] for f in answer.json()["failedFiles"]}
    assert answer.json()["result"] == "Upload Successful."
    assert set(failed) == {"big.jpg", "fake.png", "zhang.jpg", "pic.gif"}
    assert "32 KB" in failed["big.jpg"] and "already uploaded" in failed["zhang.jpg"]
    names = {f["fileName"] for f in client.query_files(page=1, size=10).json()["files"]}
    assert names == {"zhang.jpg", "li.png", "new.jpg"}


def test_an_upload_of_nothing_storable_is_refused(wire):
    client, _ = wire
    answer = client.upload([("fake.png", b"GIF89a....")])
    refused(answer, 400, "PPT.0002")
    assert answer.json()["failedFiles"][0]["file"] == "fake.png"
    refused(client.upload([photo("a.jpg")], params=None), 400, "PPT.0002")  # no consent
    refused(client.upload([photo(f"p{i}.jpg") for i in range(11)]), 400, "PPT.0002")
    refused(client.http.post("/v1/privatenumber/a-number/files", params=AGREED, json={"files": []}), 400, "PPT.0002")
    big = [("files", (f"b{i}.jpg", b"\xff\xd8\xff" + b"\x00" * 40 * 1024, "image/jpeg")) for i in range(10)]
    refused(client.http.post("/v1/privatenumber/a-number/files", params=AGREED, files=big), 400, "PPT.0002")
    assert client.query_files(page=1, size=10).json()["total"] == 2


def test_photo_uploads_are_audited_without_the_image(wire):
    _, tenant = wire
    events = tenant.admin.ok("GET", "/audit-events?action=a_number_photo.")["items"]
    assert {e["subject"] for e in events} == {"a_number_photo:zhang.jpg", "a_number_photo:li.png"}
    assert set(events[0]["after"]) == {"name", "size_bytes", "sha256"}
