"""Call records over the management API: CDRs of the tenant's own apps with filters and masking, reveal (by role,
audited), the drill-down (binding, events, pushes with every attempt, recording), the recording's audio, the CSV
export, pushes and their replay, the time-window rules, and tenant isolation."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any

import pytest

from mgmt import MgmtClient, Tenant
from rec_lab import RecLab, TenantApp, cdr_values, insert_cdrs, sql
from servers import new_users

MASKED = re.compile(r"^\+86\d{3}\*{4}\d{4}$")


@dataclass
class Calls:
    tenant: Tenant
    app: TenantApp
    a: str
    b: str
    answered: str  # a recorded, answered call
    unanswered: str  # forwarded, the callee did not pick up
    binding_id: str


def wait_for_pushes(lab: RecLab, client: MgmtClient, session: str, count: int) -> dict[str, Any]:
    """The drill-down once ``count`` pushes of the call were delivered."""
    deadline = time.monotonic() + 20
    while True:
        detail = client.ok("GET", f"/cdrs/{session}")
        if sum(p["state"] == "delivered" for p in detail["pushes"]) >= count or time.monotonic() > deadline:
            return detail
        time.sleep(0.1)


@pytest.fixture(scope="module")
def calls(rec_lab: RecLab) -> Calls:
    tenant = rec_lab.tenant()
    app = rec_lab.tenant_app(tenant, "AXB", 1, "0755", recording_enabled=True)
    a, b = new_users(2)
    bound = app.app.client.axb_bind(relationNum=app.app.pool[0], callerNum=a, calleeNum=b, recordFlag="true")
    assert bound.ok, bound
    answered = rec_lab.calls.call(a, app.app.pool[0], talk_ms=1500)
    rec_lab.calls.finished(app.app, answered)
    unanswered = rec_lab.calls.call(a, app.app.pool[0], outcome="busy")
    rec_lab.calls.finished(app.app, unanswered)
    return Calls(tenant, app, a, b, answered, unanswered, bound.body["subscriptionId"])


def test_tenant_lists_its_calls_newest_first_with_real_numbers_masked(calls: Calls) -> None:
    listed = calls.tenant.admin.ok("GET", "/cdrs")
    assert [c["session_id"] for c in listed["items"]] == [calls.unanswered, calls.answered]
    assert listed["total"] == 2
    first = listed["items"][1]
    assert MASKED.match(first["caller"]) and first["caller"] == calls.a[:6] + "****" + calls.a[-4:]
    assert MASKED.match(first["callee"]) and calls.b not in str(listed)
    assert first["x"] == calls.app.app.pool[0]  # the privacy number is not masked
    assert first["result"] == "answered" and first["has_recording"] is True and first["billed_minutes"] == 1
    assert listed["items"][0]["result"] == "not_answered" and listed["items"][0]["cause"] == 8102


def test_filters_by_result_cause_number_session_and_app(calls: Calls) -> None:
    admin = calls.tenant.admin

    def sessions(query: str) -> list[str]:
        return [c["session_id"] for c in admin.ok("GET", f"/cdrs?{query}")["items"]]

    assert sessions("result=answered") == [calls.answered]
    assert sessions("result=not_answered") == [calls.unanswered]
    assert sessions("result=failed") == []
    assert sessions("result=8102") == [calls.unanswered]
    assert sessions(f"session_id={calls.answered}") == [calls.answered]
    assert sessions(f"caller={calls.a.replace('+', '%2B')}") == [calls.unanswered, calls.answered]
    assert sessions(f"callee={calls.b.replace('+', '%2B')}&result=answered") == [calls.answered]
    assert sessions(f"x={calls.app.app.pool[0].replace('+', '%2B')}&app_id={calls.app.app_id}") == [
        calls.unanswered, calls.answered]
    assert sessions("app_id=999999") == []
    assert sessions("from=2020-01-01&to=2020-01-31") == []


def test_bad_filters_are_422_with_the_field(calls: Calls) -> None:
    admin = calls.tenant.admin
    for query, code, field in [("result=maybe", "invalid_result", "result"),
                               ("result=12345", "invalid_result", "result"),
                               ("from=yesterday", "invalid_time", "from"),
                               ("from=2026-01-01&to=2026-12-01", "window_too_long", "from"),
                               ("from=2026-12-02&to=2026-12-01", "invalid_window", "from"),
                               ("from=99999999999999999999", "invalid_time", "from"),
                               ("to=9999-12-31", "invalid_time", "to"),
                               ("app_id=99999999999", "invalid_request", "app_id"),
                               ("app_id=abc", "invalid_request", "app_id"),
                               ("page=100000000000000000000", "invalid_request", "page"),
                               ("per_page=0", "invalid_request", "per_page")]:
        response = admin.get(f"/cdrs?{query}")
        assert response.status_code == 422, (query, response.text)
        assert response.json()["code"] == code and response.json()["field"] == field, query


def test_bad_push_and_call_references_are_404_or_422(calls: Calls) -> None:
    admin = calls.tenant.admin
    for path in ("/cdrs/nope", "/cdrs/nope/recording", "/pushes/99999999999999999999999", "/pushes/nope"):
        response = admin.get(path)
        assert response.status_code == 404 and response.json()["code"] == "not_found", path
    assert admin.post("/pushes/nope/replay").status_code == 404
    assert admin.get("/pushes?kind=sms").json()["field"] == "kind"
    assert admin.get("/pushes?app_id=-1").status_code == 422


def test_reveal_shows_real_numbers_and_is_audited(calls: Calls) -> None:
    admin = calls.tenant.admin
    revealed = admin.ok("GET", f"/cdrs?reveal=true&session_id={calls.answered}")
    assert revealed["items"][0]["caller"] == calls.a and revealed["items"][0]["callee"] == calls.b
    events = admin.ok("GET", "/audit-events?action=cdr.reveal")["items"]
    assert events and events[0]["actor_login"] == admin.me["login"] and events[0]["subject"] == "cdrs"
    detail = admin.ok("GET", f"/cdrs/{calls.answered}?reveal=true")
    assert detail["binding"]["party_a"] == calls.a and detail["cdr"]["caller"] == calls.a
    assert admin.ok("GET", "/audit-events?action=cdr.reveal")["items"][0]["subject"] == f"cdr:{calls.answered}"


def test_a_viewer_reads_masked_records_but_may_not_reveal(rec_lab: RecLab, calls: Calls) -> None:
    viewer = rec_lab.member(calls.tenant, "viewer")
    assert viewer.ok("GET", "/cdrs")["total"] == 2
    for path in ("/cdrs?reveal=true", f"/cdrs/{calls.answered}?reveal=true", "/cdrs.csv?reveal=true"):
        response = viewer.get(path)
        assert response.status_code == 403 and response.json()["code"] == "forbidden", path
    viewer.close()


def test_drill_down_binding_events_pushes_with_attempts_and_recording(rec_lab: RecLab, calls: Calls) -> None:
    detail = wait_for_pushes(rec_lab, calls.tenant.admin, calls.answered, 6)
    assert detail["cdr"]["session_id"] == calls.answered and MASKED.match(detail["cdr"]["caller"])
    binding = detail["binding"]
    assert binding["id"] == calls.binding_id and binding["live"] is True and binding["x"] == calls.app.app.pool[0]
    assert MASKED.match(binding["party_a"]) and MASKED.match(binding["party_b"])
    assert [e["event"] for e in detail["events"]] == ["callin", "callout", "alerting", "answer", "disconnect"]
    assert [e["at_ms"] for e in detail["events"]] == sorted(e["at_ms"] for e in detail["events"])
    pushes = detail["pushes"]
    assert [p["event"] for p in pushes] == ["callin", "callout", "alerting", "answer", "disconnect", "fee"]
    assert {p["kind"] for p in pushes} == {"call_event", "cdr"}
    for push in pushes:
        assert push["state"] == "delivered" and push["attempt_log"], push
        assert push["attempt_log"][-1]["http_status"] == 200 and push["attempt_log"][-1]["elapsed_ms"] >= 0
    assert calls.a not in str(pushes) and calls.b not in str(pushes)  # bodies masked too
    assert pushes[-1]["body"]["feeLst"][0]["sessionId"] == calls.answered
    recording = detail["recording"]
    assert recording["url"] == f"/mgmt/v1/cdrs/{calls.answered}/recording" and recording["size_bytes"] > 44
    audio = calls.tenant.admin.get(f"/cdrs/{calls.answered}/recording")
    assert audio.status_code == 200 and audio.headers["content-type"] == "audio/wav"
    assert audio.content[:4] == b"RIFF" and len(audio.content) == recording["size_bytes"]
    played = calls.tenant.admin.ok("GET", "/audit-events?action=recording.play")["items"]
    assert played[0]["subject"] == f"cdr:{calls.answered}"


def test_drill_down_of_an_unbound_binding_says_what_the_cdr_knows(rec_lab: RecLab) -> None:
    tenant = rec_lab.tenant()
    app = rec_lab.tenant_app(tenant, "AXB", 1)
    a, b = new_users(2)
    bound = app.app.client.axb_bind(relationNum=app.app.pool[0], callerNum=a, calleeNum=b)
    session = rec_lab.calls.call(a, app.app.pool[0], talk_ms=100)
    rec_lab.calls.finished(app.app, session)
    assert app.app.client.axb_unbind(subscriptionId=bound.body["subscriptionId"]).ok
    detail = tenant.admin.ok("GET", f"/cdrs/{session}")
    assert detail["binding"]["live"] is False and detail["binding"]["id"] == bound.body["subscriptionId"]
    assert detail["binding"]["x"] == app.app.pool[0] and detail["recording"] is None
    missing = tenant.admin.get(f"/cdrs/{session}/recording")
    assert missing.status_code == 404 and "no recording" in missing.json()["message"]


def test_recording_is_gone_after_retention(rec_lab: RecLab, calls: Calls) -> None:
    [(name,)] = sql(rec_lab.server, "SELECT recording_object_name FROM cdrs WHERE session_id = :s", s=calls.answered)
    [(kept,)] = sql(rec_lab.server, "SELECT created_at_ms FROM recordings WHERE file_name = :n", n=name)
    try:  # test shortcut: age the recording past the 7-day retention
        sql(rec_lab.server, "UPDATE recordings SET created_at_ms = :t WHERE file_name = :n", t=kept - 8 * 86_400_000,
            n=name)
        assert calls.tenant.admin.get(f"/cdrs/{calls.answered}/recording").status_code == 404
        assert calls.tenant.admin.ok("GET", f"/cdrs/{calls.answered}")["recording"] is None
    finally:
        sql(rec_lab.server, "UPDATE recordings SET created_at_ms = :t WHERE file_name = :n", t=kept, n=name)


def test_csv_export_is_utf8_with_bom_masked_and_at_most_31_days(calls: Calls) -> None:
    response = calls.tenant.admin.get("/cdrs.csv")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"].startswith("attachment; filename=\"cdrs-")
    assert response.content.startswith(b"\xef\xbb\xbf")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("session_id,app_name,mode,binding_id,caller,x,callee")
    assert len(lines) == 3 and lines[1].startswith(calls.unanswered) and calls.a not in response.text
    assert calls.a[:6] + "****" + calls.a[-4:] in lines[2]
    revealed = calls.tenant.admin.get("/cdrs.csv?reveal=true&result=answered")
    assert calls.a in revealed.text and len(revealed.text.splitlines()) == 2
    too_long = calls.tenant.admin.get("/cdrs.csv?from=2026-10-01&to=2026-11-30")
    assert too_long.status_code == 422 and too_long.json()["code"] == "export_too_long"
    assert "month by month" in too_long.json()["message"]


def test_pushes_listed_shown_and_only_dead_ones_replayed(rec_lab: RecLab, calls: Calls) -> None:
    admin = calls.tenant.admin
    wait_for_pushes(rec_lab, admin, calls.answered, 6)
    listed = admin.ok("GET", f"/pushes?app_id={calls.app.app_id}&per_page=200")  # answered call 6, busy one 4
    assert listed["total"] == 10 and {p["app_id"] for p in listed["items"]} == {calls.app.app_id}
    assert admin.ok("GET", "/pushes?kind=cdr")["total"] == 2
    assert admin.ok("GET", "/pushes?dead=true")["total"] == 0
    push = listed["items"][0]
    shown = admin.ok("GET", f"/pushes/{push['push_id']}")
    assert shown["id"] == push["id"] and shown["attempt_log"][-1]["http_status"] == 200
    assert calls.a not in str(shown["body"])
    delivered = admin.post(f"/pushes/{push['id']}/replay")
    assert delivered.status_code == 409 and delivered.json()["code"] == "not_dead"
    # test shortcut: dead-letter a delivered push (the push-delivery tests make real dead letters, slowly)
    sql(rec_lab.server, "UPDATE pushes SET state = 'dead', attempts = 7 WHERE id = :id", id=push["id"])
    assert admin.ok("GET", "/pushes?dead=true")["items"][0]["id"] == push["id"]
    viewer = rec_lab.member(calls.tenant, "viewer")
    assert viewer.post(f"/pushes/{push['id']}/replay").status_code == 403
    viewer.close()
    replayed = admin.ok("POST", f"/pushes/{push['id']}/replay")
    assert replayed["push_id"] == push["push_id"] and replayed["attempts"] == 0
    deadline = time.monotonic() + 10
    while admin.ok("GET", f"/pushes/{push['id']}")["state"] != "delivered":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    audit = admin.ok("GET", "/audit-events?action=push.replay")["items"][0]
    assert audit["subject"] == f"push:{push['id']}" and audit["before"]["state"] == "dead"
    assert audit["after"] == {"state": "pending", "attempts": 0}


def test_another_tenant_sees_none_of_it(rec_lab: RecLab, calls: Calls) -> None:
    other = rec_lab.tenant()
    assert other.admin.ok("GET", "/cdrs")["total"] == 0
    assert other.admin.ok("GET", f"/cdrs?session_id={calls.answered}")["items"] == []
    assert other.admin.ok("GET", "/pushes")["total"] == 0
    push = calls.tenant.admin.ok("GET", "/pushes")["items"][0]
    for method, path in [("GET", f"/cdrs/{calls.answered}"), ("GET", f"/cdrs/{calls.answered}/recording"),
                         ("GET", f"/pushes/{push['id']}"), ("POST", f"/pushes/{push['id']}/replay")]:
        response = other.admin.request(method, path)
        assert response.status_code == 404 and response.json()["code"] == "not_found", path
    assert len(other.admin.get("/cdrs.csv").text.splitlines()) == 1
    assert rec_lab.operator.ok("GET", f"/cdrs?session_id={calls.answered}")["total"] == 1  # operators see all


def test_cli_replay_is_audited_as_the_cli(rec_lab: RecLab, calls: Calls) -> None:
    push = calls.tenant.admin.ok("GET", "/pushes?kind=cdr")["items"][0]
    sql(rec_lab.server, "UPDATE pushes SET state = 'dead' WHERE id = :id", id=push["id"])
    rec_lab.server.cli("pushes", "replay", str(push["id"]))
    audit = rec_lab.operator.ok("GET", f"/audit-events?action=push.replay&subject=push:{push['id']}")["items"][0]
    assert audit["actor_kind"] == "cli" and audit["actor_login"].startswith("cli:")



def test_a_large_export_has_every_row_once(rec_lab: RecLab) -> None:
    tenant = rec_lab.tenant()
    app = rec_lab.tenant_app(tenant, "AXB", 0)
    start = int(time.time() * 1000) - 3_600_000
    # 1,100 calls, ten per millisecond: more than two export batches, ties broken by session id
    sessions = insert_cdrs(rec_lab.server, [cdr_values(app.app_id, start + n // 10) for n in range(1100)])
    lines = tenant.admin.get("/cdrs.csv").content.decode("utf-8-sig").splitlines()[1:]
    exported = [line.split(",")[0] for line in lines]
    assert len(exported) == 1100 and set(exported) == set(sessions)


def test_a_batched_cdr_shows_the_batch_it_was_sent_in(rec_lab: RecLab) -> None:
    tenant = rec_lab.tenant()
    app = rec_lab.tenant_app(tenant, "AXB", 1)
    a, b = new_users(2)
    assert app.app.client.axb_bind(relationNum=app.app.pool[0], callerNum=a, calleeNum=b).ok
    session = rec_lab.calls.call(a, app.app.pool[0], talk_ms=100)
    rec_lab.calls.finished(app.app, session)
    [cdr_push] = [p for p in tenant.admin.ok("GET", f"/cdrs/{session}")["pushes"] if p["kind"] == "cdr"]
    # test shortcut: what the push worker does when it merges CDRs (outbox_delivery.py): a batch row is sent
    sql(rec_lab.server, "INSERT INTO pushes (push_id, app_id, kind, url, body, state, attempts, next_attempt_at_ms, "
        "created_at_ms) SELECT :pid, app_id, kind, url, body, 'delivered', 1, 0, created_at_ms + 5 FROM pushes "
        "WHERE id = :id", pid=f"batch{cdr_push['id']}", id=cdr_push["id"])
    [(batch_id,)] = sql(rec_lab.server, "SELECT id FROM pushes WHERE push_id = :pid", pid=f"batch{cdr_push['id']}")
    sql(rec_lab.server, "UPDATE pushes SET state = 'batched', batch_id = :b WHERE id = :id", b=batch_id,
        id=cdr_push["id"])
    pushes = tenant.admin.ok("GET", f"/cdrs/{session}")["pushes"]
    assert [(p["id"], p["state"]) for p in pushes if p["kind"] == "cdr"] == [(cdr_push["id"], "batched"),
                                                                            (batch_id, "delivered")]
