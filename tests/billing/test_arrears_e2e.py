"""Arrears end to end (issue 15, billing.md R-23…R-25): a settlement that takes a prepaid tenant below zero
freezes it — its app's binds get 1010029, new calls are refused with 7108, texts to its numbers are kept with
sendResult 1, and every number of it is pushed numStatus 10 cause 2 — while a call already talking goes on to
its end and is billed. A top-up that covers the balance recovers it at once, and so does a credit line that covers
it (lowering the line freezes it again): status 5 is pushed, binds and calls work again."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from billing_kit import balance, billed_tenant, eventually, give_app_to, sql, standing
from call_lab import CallLab, LabApp
from servers import new_users
from sms_lab import SmsLab

CACHE_S = 6.0  # the server caches an app ~2 s: what a standing change refuses shows within this
MINUTE_PRICE_MICROS = 100_000
QUICK = {"talk_ms": 300, "answer_after_ms": 100}
BILLED = {"talk_ms": 1200, "answer_after_ms": 100}  # talks across a second boundary: one started minute


def status_pushes(lab: CallLab, path: str) -> list[dict[str, Any]]:
    return [entry for push in lab.pushes(path) for entry in push["body"]["numInfo"]]


def disconnect_code(lab: CallLab, app: LabApp, session: str) -> int:
    events, _ = lab.finished(app, session)
    return int(events[-1]["statusInfo"]["stateCode"])


def hour_of(cdr: dict[str, Any]) -> str:
    return cdr["callEndTime"][:13].replace(" ", "T")


def test_a_settlement_into_arrears_freezes_the_tenant_and_a_top_up_recovers_it(lab: CallLab,
                                                                              sms_lab: SmsLab) -> None:
    server = lab.server
    tenant = billed_tenant(server, "0.1", "0.05")
    status_path = f"/numstatus/{uuid.uuid4().hex[:8]}"
    app = lab.app("AXB", 2, "0755", "--push-number-status", "--number-status-url", lab.receiver.base + status_path)
    texts = sms_lab.sms_app("AXB", 1, control_url=False)
    for key in (app.app_key, texts.app_key):
        give_app_to(server, tenant, key)
    a, b, c, d, e, f = new_users(6)
    x, spare = app.pool
    assert app.client.axb_bind(relationNum=x, callerNum=a, calleeNum=b).ok
    assert texts.client.axb_bind(relationNum=texts.pool[0], callerNum=c, calleeNum=d).ok

    cdrs = [lab.finished(app, lab.call(caller, x, **BILLED))[1] for caller in (a, b)]  # 0.1 each: 0.2 > 0.05
    talking = lab.call(a, x, answer_after_ms=100, talk_ms=3000)
    eventually(lambda: [e["eventType"] for e in lab.events(app, talking)], lambda kinds: "answer" in kinds, CACHE_S)
    server.cli("billing", "settle", "--hour", max(hour_of(cdr) for cdr in cdrs))
    assert balance(server, tenant) == 50_000 - 2 * MINUTE_PRICE_MICROS
    assert standing(server, tenant) == "arrears"
    assert "arrears" in server.cli("billing", "balance", tenant.name).stdout

    pushed = eventually(lambda: status_pushes(lab, status_path), lambda found: len(found) >= 2, CACHE_S)
    assert len(lab.pushes(status_path)) == 1  # one push per app, numInfo listing its numbers
    assert sorted(pushed, key=lambda p: p["number"]) == sorted(
        [{"number": n, "status": "10", "cause": "2"} for n in app.pool], key=lambda p: p["number"])

    refused = eventually(lambda: app.client.axb_bind(relationNum=spare, callerNum=e, calleeNum=f),
                         lambda reply: reply.code == "1010029", CACHE_S)
    assert refused.code == "1010029" and refused.status == 403, refused
    unbind = app.client.axb_unbind(relationNum=x)
    assert unbind.code == "1010029", unbind
    assert eventually(lambda: disconnect_code(lab, app, lab.call(b, x)), lambda code: code == 7108, CACHE_S) == 7108
    message = eventually(lambda: sms_lab.settled(sms_lab.send(c, texts.pool[0], "frozen?")),
                         lambda trace: trace["send_result"] == 1, CACHE_S)
    assert message["send_result"] == 1, message

    # the call that was talking when the tenant froze ends as it would, and is billed with the next window
    events, long_cdr = lab.finished(app, talking)
    assert events[-1]["statusInfo"]["stateCode"] == 0, events[-1]
    assert long_cdr["callEndTime"] > long_cdr["fwdAnswerTime"]
    following = (datetime.strptime(hour_of(long_cdr), "%Y-%m-%dT%H").replace(tzinfo=UTC)
                 + timedelta(hours=1)).strftime("%Y-%m-%dT%H")
    server.cli("billing", "settle", "--hour", following)
    assert balance(server, tenant) == 50_000 - 3 * MINUTE_PRICE_MICROS
    assert sql(server.database_url, "SELECT settlement_key FROM usage_records WHERE key = :k AND "
               "meter = 'call.forwarded'", k=long_cdr["icid"])[0][0] is not None

    server.cli("billing", "topup", tenant.name, "0.2")  # to -0.05: still short, still frozen
    assert standing(server, tenant) == "arrears"
    server.cli("billing", "credit-limit", tenant.name, "0.1")  # -0.05 is within a credit line of 0.1
    assert standing(server, tenant) == "active"
    server.cli("billing", "credit-limit", tenant.name, "0")  # prepaid again: -0.05 is short
    assert standing(server, tenant) == "arrears"
    server.cli("billing", "topup", tenant.name, "1")
    assert standing(server, tenant) == "active"
    pushed = eventually(lambda: status_pushes(lab, status_path), lambda found: len(found) >= 8, CACHE_S)
    assert len(lab.pushes(status_path)) == 4  # arrears, recovered, arrears, recovered: one push per app each
    assert [sorted(p["number"] for p in pushed[n:n + 2]) for n in (0, 2, 4, 6)] == [sorted(app.pool)] * 4
    assert [{p["status"] for p in pushed[n:n + 2]} for n in (0, 2, 4, 6)] == [{"10"}, {"5"}, {"10"}, {"5"}]
    bound = eventually(lambda: app.client.axb_bind(relationNum=spare, callerNum=e, calleeNum=f),
                       lambda reply: reply.ok, CACHE_S)
    assert bound.ok, bound
    assert disconnect_code(lab, app, lab.call(a, x, **QUICK)) == 0
