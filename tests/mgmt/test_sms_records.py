"""SMS records (短信详单) over the management API: texts relayed through the sandbox carrier (a real relay, a
real AXB binding), listed newest first with real numbers masked, filtered, shown one by one, revealed (by role,
audited), exported as CSV, with the gateway's delivery report; another tenant sees none of it; statistics
count the texts sent and their segments."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest

from mgmt import Tenant
from rec_lab import TenantApp
from servers import new_numbers, new_users
from sms_rec_lab import SmsLab

MASKED = re.compile(r"^\+86\d{3}\*{4}\d{4}$")
BEIJING = timezone(timedelta(hours=8))


def q(number: str) -> str:
    return number.replace("+", "%2B")


@dataclass
class Texts:
    tenant: Tenant
    app: TenantApp
    x: str
    a: str
    b: str
    stranger: str
    binding_id: str
    to_b: str  # A → B, one segment, delivered
    to_a: str  # B → A, 161 GSM characters: two segments
    refused: str  # a stranger's text: no binding, sendResult 2
    nobody: str  # a text to nobody's number: operators only


@pytest.fixture(scope="module")
def texts(sms_rec_lab: SmsLab) -> Texts:
    lab = sms_rec_lab.records
    tenant = lab.tenant()
    app = lab.tenant_app(tenant, "AXB", 1, "0755", sms_enabled=True,
                         sms_url=lab.calls.receiver.base + "/sms/records")
    x = app.app.pool[0]
    a, b, stranger = new_users(3)
    bound = app.app.client.axb_bind(relationNum=x, callerNum=a, calleeNum=b)
    assert bound.ok, bound
    to_b = sms_rec_lab.send(a, x, "hello B")
    assert to_b["send_result"] == 0 and to_b["receiver"] == b, to_b
    sms_rec_lab.report(to_b["message_id"], 1)
    to_a = sms_rec_lab.send(b, x, "y" * 161)
    assert to_a["send_result"] == 0 and to_a["segments"] == 2, to_a
    refused = sms_rec_lab.send(stranger, x, "who is this")
    assert refused["send_result"] == 2, refused
    nobody = sms_rec_lab.send(stranger, new_numbers(1)[0], "anyone?")
    return Texts(tenant, app, x, a, b, stranger, bound.body["subscriptionId"], to_b["message_id"],
                 to_a["message_id"], refused["message_id"], nobody["message_id"])


def ids(page: dict) -> list[str]:
    return [m["sms_id"] for m in page["items"]]


def test_tenant_lists_its_texts_newest_first_with_real_numbers_masked(texts: Texts) -> None:
    listed = texts.tenant.admin.ok("GET", "/records/sms")
    assert ids(listed) == [texts.refused, texts.to_a, texts.to_b] and listed["total"] == 3
    refused, to_a, to_b = listed["items"]
    assert to_b["sender"] == texts.a[:6] + "****" + texts.a[-4:] and MASKED.match(to_b["receiver"])
    assert texts.a not in str(listed) and texts.b not in str(listed) and texts.stranger not in str(listed)
    assert to_b["x"] == texts.x and to_b["from_number"] == texts.x  # privacy numbers are no secret
    assert (to_b["app_id"], to_b["app_name"] is not None, to_b["mode"]) == (texts.app.app_id, True, "AXB")
    assert (to_b["binding_id"], to_b["direction"], to_b["segments"], to_b["state"]) == (
        texts.binding_id, 1, 1, "sent")
    assert (to_b["send_result"], to_b["send_result_text"], to_b["delivery"]) == (0, "sent", "delivered")
    assert to_b["delivery_at_ms"] >= to_b["received_at_ms"]
    assert (to_a["direction"], to_a["segments"], to_a["delivery"]) == (0, 2, None)
    assert (refused["send_result"], refused["send_result_text"]) == (2, "failed: no binding")
    assert refused["receiver"] is None and refused["segments"] == 0 and refused["state"] == "done"
    assert "text" not in to_b and "hello" not in str(listed)  # records say what happened, not what was said


def test_filters_by_result_numbers_app_id_and_window(texts: Texts) -> None:
    admin = texts.tenant.admin

    def found(query: str) -> list[str]:
        return ids(admin.ok("GET", f"/records/sms?{query}"))

    assert found("send_result=0") == [texts.to_a, texts.to_b]
    assert found("send_result=2") == [texts.refused]
    assert found("send_result=7") == []
    assert found(f"sender={q(texts.a)}") == [texts.to_b]
    assert found(f"receiver={q(texts.a)}") == [texts.to_a]
    assert found(f"x={q(texts.x)}&app_id={texts.app.app_id}") == [texts.refused, texts.to_a, texts.to_b]
    assert found(f"sms_id={texts.to_b}") == [texts.to_b]
    assert found("app_id=999999") == []
    assert found("from=2020-01-01&to=2020-01-31") == []
    assert found("per_page=1&page=2") == [texts.to_a]


def test_bad_filters_are_422_with_the_field(texts: Texts) -> None:
    for query, code, field in [("send_result=14", "invalid_result", "send_result"),
                               ("send_result=sent", "invalid_result", "send_result"),
                               ("send_result=%C2%B2", "invalid_result", "send_result"),
                               ("from=yesterday", "invalid_time", "from"),
                               ("from=2026-01-01&to=2026-12-01", "window_too_long", "from"),
                               ("from=2026-12-02&to=2026-12-01", "invalid_window", "from"),
                               ("app_id=abc", "invalid_request", "app_id"),
                               ("per_page=0", "invalid_request", "per_page")]:
        response = texts.tenant.admin.get(f"/records/sms?{query}")
        assert response.status_code == 422, (query, response.text)
        assert response.json()["code"] == code and response.json()["field"] == field, query


def test_one_text_and_a_missing_one(texts: Texts) -> None:
    shown = texts.tenant.admin.ok("GET", f"/records/sms/{texts.to_a}")
    assert shown["sms_id"] == texts.to_a and MASKED.match(shown["sender"]) and shown["segments"] == 2
    missing = texts.tenant.admin.get("/records/sms/nope")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"


def test_reveal_shows_real_numbers_and_is_audited(texts: Texts) -> None:
    admin = texts.tenant.admin
    revealed = admin.ok("GET", f"/records/sms?reveal=true&sms_id={texts.to_b}")["items"][0]
    assert (revealed["sender"], revealed["receiver"]) == (texts.a, texts.b)
    event = admin.ok("GET", "/audit-events?action=sms.reveal")["items"][0]
    assert event["actor_login"] == admin.me["login"] and event["subject"] == "sms"
    shown = admin.ok("GET", f"/records/sms/{texts.refused}?reveal=true")
    assert shown["sender"] == texts.stranger
    assert admin.ok("GET", "/audit-events?action=sms.reveal")["items"][0]["subject"] == f"sms:{texts.refused}"


def test_a_viewer_reads_masked_texts_but_may_not_reveal(sms_rec_lab: SmsLab, texts: Texts) -> None:
    viewer = sms_rec_lab.records.member(texts.tenant, "viewer")
    listed = viewer.ok("GET", "/records/sms")
    assert listed["total"] == 3 and texts.a not in str(listed) and texts.b not in str(listed)
    assert MASKED.match(viewer.ok("GET", f"/records/sms/{texts.to_b}")["receiver"])
    for path in ("/records/sms?reveal=true", f"/records/sms/{texts.to_b}?reveal=true", "/records/sms.csv?reveal=true"):
        response = viewer.get(path)
        assert response.status_code == 403 and response.json()["code"] == "forbidden", path
    viewer.close()


def test_csv_export_is_utf8_with_bom_masked_and_at_most_31_days(texts: Texts) -> None:
    response = texts.tenant.admin.get("/records/sms.csv")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"].startswith('attachment; filename="sms-')
    assert response.content.startswith(b"\xef\xbb\xbf")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("sms_id,app_name,mode,binding_id,sender,x,receiver,from_number,received_at")
    assert [line.split(",")[0] for line in lines[1:]] == [texts.refused, texts.to_a, texts.to_b]
    assert texts.a not in response.text and texts.a[:6] + "****" + texts.a[-4:] in lines[3]
    assert lines[3].endswith(",0,sent,delivered") and ",2,failed: no binding," in lines[1]
    revealed = texts.tenant.admin.get("/records/sms.csv?reveal=true&send_result=0")
    assert texts.a in revealed.text and len(revealed.text.splitlines()) == 3
    too_long = texts.tenant.admin.get("/records/sms.csv?from=2026-10-01&to=2026-11-30")
    assert too_long.status_code == 422 and too_long.json()["code"] == "export_too_long"


def test_another_tenant_sees_none_of_it_and_operators_see_all(sms_rec_lab: SmsLab, texts: Texts) -> None:
    other = sms_rec_lab.records.tenant()
    assert other.admin.ok("GET", "/records/sms")["total"] == 0
    assert other.admin.ok("GET", f"/records/sms?sms_id={texts.to_b}")["items"] == []
    for sms_id in (texts.to_b, texts.nobody):
        response = other.admin.get(f"/records/sms/{sms_id}")
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert len(other.admin.get("/records/sms.csv").text.splitlines()) == 1
    assert texts.nobody not in str(texts.tenant.admin.ok("GET", "/records/sms"))
    operator = sms_rec_lab.records.operator
    nobody = operator.ok("GET", f"/records/sms/{texts.nobody}")
    assert (nobody["app_id"], nobody["send_result"], nobody["sender"]) == (
        None, 2, texts.stranger[:6] + "****" + texts.stranger[-4:])
    assert operator.ok("GET", f"/records/sms?sms_id={texts.to_b}")["total"] == 1


def test_statistics_count_texts_sent_and_their_segments(sms_rec_lab: SmsLab, texts: Texts) -> None:
    today = datetime.now(BEIJING).date().isoformat()
    rows = texts.tenant.admin.ok("GET", f"/stats/calls?from={today}&to={today}&by=app")["rows"]
    mine = [r for r in rows if r["app_id"] == texts.app.app_id]
    assert [(r["bucket"], r["sms"], r["sms_segments"], r["calls"]) for r in mine] == [(today, 2, 3, 0)]
    by_city = texts.tenant.admin.ok("GET", f"/stats/calls?from={today}&to={today}&by=city")["rows"]
    assert [(r["city"], r["sms"], r["sms_segments"]) for r in by_city] == [("0755", 2, 3)]
    month = texts.tenant.admin.ok("GET", f"/stats/calls?from={today}&to={today}&bucket=month")["rows"]
    assert [(r["sms"], r["sms_segments"]) for r in month] == [(2, 3)]
    other = sms_rec_lab.records.tenant()
    assert other.admin.ok("GET", f"/stats/calls?from={today}&to={today}")["rows"] == []
