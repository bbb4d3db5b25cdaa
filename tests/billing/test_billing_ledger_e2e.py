"""Billing end to end (issue 15, slice 2): sandbox calls through a real privnum → CDRs → ``privnum billing settle``
→ the tenant's balance drops by its started minutes × the plan's price (R-3), once however often the hour is
settled; top-ups raise the balance (once per reference); a month's rent is charged once; and the ledger in the
database balances (every journal sums to zero, the cached balance is the sum of the wallet's postings)."""

from __future__ import annotations

import math
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from billing_kit import BilledTenant, billed_tenant, give_app_to, sql
from billing_kit import balance as kit_balance
from call_lab import CallLab, LabApp
from servers import PRIVNUM, new_users
from sms_lab import SmsLab

MINUTE_PRICE_MICROS = 100_000  # --minute-price 0.1
VIRTUAL_RENT_MICROS = 5_000_000  # huawei-cn: 5 a month for a +86170 number
SMS_VIRTUAL_SEGMENT_MICROS = 280_000  # huawei-cn: 0.28 a segment from a +86170 number
CALL = {"talk_ms": 1200, "answer_after_ms": 200}


@dataclass
class Billed:
    tenant: str
    tenant_id: int
    app: LabApp


@pytest.fixture(scope="module")
def billed(lab: CallLab) -> Iterator[Billed]:
    """A tenant with an AXB app of 3 numbers, a billing account on a plan at 0.1 a minute, topped up with 100."""
    tenant = billed_tenant(lab.server, "0.1", "100")
    app = lab.app("AXB", 3)
    give_app_to(lab.server, tenant, app.app_key)
    yield Billed(tenant.name, tenant.id, app)


def balance(lab: CallLab, billed: Billed) -> int:
    return kit_balance(lab.server, BilledTenant(billed.tenant, billed.tenant_id))


def cdr_minutes(cdr: dict[str, Any]) -> int:
    """R-2/R-3 recomputed by the customer from the pushed CDR: ceil((callEndTime − fwdAnswerTime) / 60)."""
    def seconds(value: str) -> int:
        return int(datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC).timestamp())

    return math.ceil((seconds(cdr["callEndTime"]) - seconds(cdr["fwdAnswerTime"])) / 60)


def settle(lab: CallLab, hour: str) -> str:
    return lab.server.cli("billing", "settle", "--hour", hour).stdout


def test_settlement_charges_started_minutes_once(lab: CallLab, billed: Billed) -> None:
    before = balance(lab, billed)
    a, b = new_users(2)
    x = billed.app.pool[0]
    bound = billed.app.client.axb_bind(relationNum=x, callerNum=a, calleeNum=b)
    assert bound.ok, bound
    cdrs = [lab.finished(billed.app, lab.call(caller, x, **CALL))[1] for caller in (a, b)]
    minutes = sum(cdr_minutes(cdr) for cdr in cdrs)
    assert minutes >= 2  # each call talked 1-2 s: one started minute each
    last_hour = max(cdr["callEndTime"] for cdr in cdrs)[:13].replace(" ", "T")

    out = settle(lab, last_hour)
    assert f"settle:{billed.tenant_id}:{last_hour}" in out
    assert balance(lab, billed) == before - minutes * MINUTE_PRICE_MICROS

    records = sql(lab.server.database_url, "SELECT key, meter, units, settlement_key FROM usage_records "
                  "WHERE tenant_id = :t AND source = 'cdr' ORDER BY key, meter", t=billed.tenant_id)
    icids = {cdr["icid"] for cdr in cdrs}
    assert {r.key for r in records} == icids
    assert sorted((r.key, r.meter) for r in records) == sorted(
        (icid, meter) for icid in icids for meter in ("call.forwarded", "call.inbound"))
    assert all(r.settlement_key == f"settle:{billed.tenant_id}:{last_hour}" for r in records)

    again = settle(lab, last_hour)
    assert "nothing to settle" in again
    assert balance(lab, billed) == before - minutes * MINUTE_PRICE_MICROS
    assert len(sql(lab.server.database_url, "SELECT id FROM usage_records WHERE tenant_id = :t AND source = 'cdr'",
                   t=billed.tenant_id)) == len(records)


def test_a_top_up_raises_the_balance_once_per_reference(lab: CallLab, billed: Billed) -> None:
    before = balance(lab, billed)
    lab.server.cli("billing", "topup", billed.tenant, "12.5")
    assert balance(lab, billed) == before + 12_500_000
    reference = uuid.uuid4().hex
    for _ in range(2):
        lab.server.cli("billing", "topup", billed.tenant, "1", "--ref", reference)
    assert balance(lab, billed) == before + 13_500_000
    refused = lab.server.cli("billing", "topup", billed.tenant, "-1", check=False)
    assert refused.returncode != 0


def test_a_months_rent_is_charged_once(lab: CallLab, billed: Billed) -> None:
    now = datetime.now(ZoneInfo("Asia/Shanghai"))
    month = f"{now.year + 1:04d}-01" if now.month == 12 else f"{now.year:04d}-{now.month + 1:02d}"
    before = balance(lab, billed)
    out = lab.server.cli("billing", "rent", "--month", month).stdout
    assert f"rent:{billed.tenant_id}:{month}" in out
    assert balance(lab, billed) == before - len(billed.app.pool) * VIRTUAL_RENT_MICROS
    lab.server.cli("billing", "rent", "--month", month)
    assert balance(lab, billed) == before - len(billed.app.pool) * VIRTUAL_RENT_MICROS
    rent_records = sql(lab.server.database_url, "SELECT x_number FROM usage_records WHERE tenant_id = :t AND "
                       "source = 'rent' AND key LIKE :m", t=billed.tenant_id, m=f"%:{month}")
    assert sorted(r.x_number for r in rent_records) == sorted(billed.app.pool)


def test_the_ledger_balances_in_the_database(lab: CallLab, billed: Billed) -> None:
    lab.server.cli("billing", "topup", billed.tenant, "0.000001")
    url = lab.server.database_url
    unbalanced = sql(url, "SELECT journal_id, SUM(amount_micros) FROM postings GROUP BY journal_id "
                     "HAVING SUM(amount_micros) <> 0")
    assert unbalanced == []
    accounts = sql(url, "SELECT tenant_id, balance_micros FROM billing_accounts")
    assert accounts
    for tenant_id, cached in accounts:
        posted = sql(url, "SELECT COALESCE(SUM(amount_micros), 0) FROM postings WHERE ledger_account = :a",
                     a=f"wallet:{tenant_id}")[0][0]
        assert cached == -posted
    lines = sql(url, "SELECT u.id, COUNT(l.id) FROM usage_records u LEFT JOIN rated_lines l "
                "ON l.usage_record_id = u.id WHERE u.settlement_key IS NOT NULL GROUP BY u.id")
    assert lines and all(count == 1 for _, count in lines)


def next_hour(hour: str) -> str:
    start = datetime.strptime(hour, "%Y-%m-%dT%H").replace(tzinfo=UTC)
    return datetime.fromtimestamp(start.timestamp() + 3600, UTC).strftime("%Y-%m-%dT%H")


def test_a_call_ingested_after_its_hour_was_settled_lands_in_the_next_window(lab: CallLab, billed: Billed) -> None:
    before = balance(lab, billed)
    a, b = new_users(2)
    x = billed.app.pool[1]
    assert billed.app.client.axb_bind(relationNum=x, callerNum=a, calleeNum=b).ok
    first = lab.finished(billed.app, lab.call(a, x, **CALL))[1]
    hour = first["callEndTime"][:13].replace(" ", "T")
    settle(lab, hour)  # charges the first call, or leaves it for later if this hour was settled already
    settled = balance(lab, billed)
    late = lab.finished(billed.app, lab.call(b, x, **CALL))[1]
    late_hour = late["callEndTime"][:13].replace(" ", "T")
    if late_hour == hour:  # the window is settled: the late call waits for the next one, never rated twice
        assert "nothing to settle" in settle(lab, hour)
        assert balance(lab, billed) == settled
    following = next_hour(late_hour)
    assert f"settle:{billed.tenant_id}:{following}" in settle(lab, following)
    assert balance(lab, billed) == before - (cdr_minutes(first) + cdr_minutes(late)) * MINUTE_PRICE_MICROS


def test_two_settlements_of_one_hour_at_once_charge_once(lab: CallLab, billed: Billed) -> None:
    a, b = new_users(2)
    x = billed.app.pool[2]
    assert billed.app.client.axb_bind(relationNum=x, callerNum=a, calleeNum=b).ok
    cdr = lab.finished(billed.app, lab.call(a, x, **CALL))[1]
    hour = next_hour(next_hour(cdr["callEndTime"][:13].replace(" ", "T")))  # a window no other test settles
    before = balance(lab, billed)
    runs = [subprocess.Popen([*PRIVNUM, "billing", "settle", "--hour", hour], env=lab.server.env,
                             cwd=lab.server.workdir, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
    for run in runs:
        out, errors = run.communicate(timeout=120)
        assert run.returncode == 0, out + errors
    assert balance(lab, billed) == before - cdr_minutes(cdr) * MINUTE_PRICE_MICROS
    keyed = sql(lab.server.database_url, "SELECT COUNT(*) FROM journals WHERE key = :k",
                k=f"settle:{billed.tenant_id}:{hour}")
    assert keyed[0][0] == 1


def test_a_sent_text_is_charged_its_segments(lab: CallLab, sms_lab: SmsLab, billed: Billed) -> None:
    app = sms_lab.sms_app("AXB", 1, control_url=False)
    give_app_to(lab.server, BilledTenant(billed.tenant, billed.tenant_id), app.app_key)
    a, b = new_users(2)
    x = app.pool[0]
    assert app.client.axb_bind(relationNum=x, callerNum=a, calleeNum=b).ok
    before = balance(lab, billed)
    sent = sms_lab.send(a, x, "b" * 161)  # 161 ASCII characters: 2 segments
    sms_lab.settled(sent)
    notified = sms_lab.notify(app, sent)["smsEvent"]
    assert {"key": "splitNum", "value": "2"} in notified["extInfo"]["extParas"]
    hour = datetime.now(UTC).strftime("%Y-%m-%dT%H")
    for _ in range(5):  # an hour no other test settles
        hour = next_hour(hour)
    assert f"settle:{billed.tenant_id}:{hour}" in settle(lab, hour)
    assert balance(lab, billed) == before - 2 * SMS_VIRTUAL_SEGMENT_MICROS
    units = sql(lab.server.database_url, "SELECT units FROM usage_records WHERE source = 'sms' AND key = :k",
                k=sent)
    assert [row[0] for row in units] == [2]
