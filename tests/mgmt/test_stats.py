"""Call statistics over the management API: per Beijing day or month, per app or city; calls, answered, connect
rate, billed minutes, bindings made; the window rules; tenant isolation. CDRs at chosen instants are written
straight into the database (``insert_cdr``: what the call core stores when a call ends); bindings are real."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

import pytest

from mgmt import Tenant
from rec_lab import RecLab, TenantApp, insert_cdr
from servers import new_users

BEIJING = timezone(timedelta(hours=8))


@dataclass
class Stats:
    tenant: Tenant
    app: TenantApp
    other_app: TenantApp
    day: str  # a Beijing date ten days ago
    day_before: str


def beijing_midnight_ms(date: datetime) -> int:
    return int(datetime(date.year, date.month, date.day, tzinfo=BEIJING).timestamp() * 1000)


@pytest.fixture(scope="module")
def stats(rec_lab: RecLab) -> Stats:
    tenant = rec_lab.tenant()
    app = rec_lab.tenant_app(tenant, "AXB", 1, "0755")
    other = rec_lab.tenant_app(tenant, "AXB", 1, "0571")
    day = datetime.now(BEIJING) - timedelta(days=10)
    midnight = beijing_midnight_ms(day)
    server = rec_lab.server
    insert_cdr(server, app.app_id, midnight - 1, talk_seconds=61)  # 15:59:59.999 UTC: still the day before
    insert_cdr(server, app.app_id, midnight, talk_seconds=60)  # 16:00 UTC: the Beijing day starts
    insert_cdr(server, app.app_id, midnight + 3_600_000, answered=False, cause=8102)
    insert_cdr(server, other.app_id, midnight + 7_200_000, answered=False, forwarded=False, cause=8014,
               area_code="0571")
    return Stats(tenant, app, other, day.date().isoformat(), (day - timedelta(days=1)).date().isoformat())


def test_day_buckets_split_at_beijing_midnight(stats: Stats) -> None:
    got = stats.tenant.admin.ok("GET", f"/stats/calls?from={stats.day_before}&to={stats.day}")
    assert got["bucket"] == "day" and got["by"] is None and got["timezone"].startswith("UTC+08:00")
    rows = [(r["bucket"], r["calls"], r["answered"], r["connect_rate"], r["minutes"], r["sms"]) for r in got["rows"]]
    assert rows == [(stats.day_before, 1, 1, 1.0, 2, 0), (stats.day, 3, 1, 0.3333, 1, 0)]


def test_grouped_by_city_and_by_app(stats: Stats) -> None:
    admin = stats.tenant.admin
    by_city = admin.ok("GET", f"/stats/calls?from={stats.day}&to={stats.day}&by=city")["rows"]
    assert [(r["city"], r["calls"], r["answered"]) for r in by_city] == [("0571", 1, 0), ("0755", 2, 1)]
    by_app = admin.ok("GET", f"/stats/calls?from={stats.day}&to={stats.day}&by=app")["rows"]
    assert sorted((r["app_id"], r["calls"]) for r in by_app) == sorted([(stats.app.app_id, 2),
                                                                        (stats.other_app.app_id, 1)])
    names = {admin.ok("GET", f"/apps/{app.app_id}")["name"] for app in (stats.app, stats.other_app)}
    assert {r["app_name"] for r in by_app} == names
    one_app = admin.ok("GET", f"/stats/calls?from={stats.day}&to={stats.day}&app_id={stats.other_app.app_id}")
    assert [(r["calls"], r["answered"]) for r in one_app["rows"]] == [(1, 0)]


def test_longer_windows_get_month_buckets(stats: Stats) -> None:
    start = (datetime.now(BEIJING) - timedelta(days=60)).date().isoformat()
    got = stats.tenant.admin.ok("GET", f"/stats/calls?from={start}")
    assert got["bucket"] == "month"
    assert sum(r["calls"] for r in got["rows"]) == 4 and all(len(r["bucket"]) == 7 for r in got["rows"])
    assert sum(r["minutes"] for r in got["rows"]) == 3


def test_binds_and_unbinds_are_counted_apart(rec_lab: RecLab, stats: Stats) -> None:
    a, b = new_users(2)
    client = stats.app.app.client
    bound = client.axb_bind(relationNum=stats.app.app.pool[0], callerNum=a, calleeNum=b)
    assert bound.ok, bound
    assert client.axb_unbind(subscriptionId=bound.body["subscriptionId"]).ok
    today = datetime.now(BEIJING).date().isoformat()
    rows = stats.tenant.admin.ok("GET", f"/stats/calls?from={today}&to={today}")["rows"]
    assert [(r["bucket"], r["binds"], r["unbinds"], r["calls"]) for r in rows] == [(today, 1, 1, 0)]


def test_window_rules_are_422_with_the_field(stats: Stats) -> None:
    now = datetime.now(UTC)
    long_ago = (now - timedelta(days=3 * 365)).date().isoformat()
    sixty = (now - timedelta(days=60)).date().isoformat()
    for query, code, field in [(f"from={sixty}&bucket=day", "too_many_buckets", "bucket"),
                               (f"from={long_ago}&to={(now - timedelta(days=3 * 365 - 5)).date()}", "window_too_old",
                                "from"),
                               (f"from={(now - timedelta(days=200)).date()}", "window_too_long", "from"),
                               ("by=enterprise", "invalid_group", "by"),
                               ("bucket=week", "invalid_request", "bucket"),
                               ("to=tomorrow", "invalid_time", "to")]:
        response = stats.tenant.admin.get(f"/stats/calls?{query}")
        assert response.status_code == 422, (query, response.text)
        assert (response.json()["code"], response.json().get("field")) == (code, field), query


def test_another_tenant_counts_none_of_it(rec_lab: RecLab, stats: Stats) -> None:
    other = rec_lab.tenant()
    assert other.admin.ok("GET", f"/stats/calls?from={stats.day_before}&to={stats.day}")["rows"] == []
    everyone = rec_lab.operator.ok("GET", f"/stats/calls?from={stats.day}&to={stats.day}&by=app")["rows"]
    assert {stats.app.app_id, stats.other_app.app_id} <= {r["app_id"] for r in everyone}
