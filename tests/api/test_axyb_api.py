"""AXYB mode over real HTTP: two-step bind, unbind, query, with the app_key URL parameter (docs/contract/axyb.md)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from huawei_client import AXYB_URI, HuaweiClient, Reply
from servers import Server, new_users

AREA = "0755"
ENVELOPE = {"resultcode", "resultdesc"}
BIND_FIELDS = {"resultcode", "resultdesc", "subscriptionId", "relationNumber"}
AX_ELEMENT = {"bindId", "numA", "numX", "recordFlag", "subscribeTime", "callDirection", "duration", "ybDuration"}
TIME_FORMAT = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")


@dataclass
class AxybApp:
    client: HuaweiClient
    pool: list[str]

    def ax(self, a: str, **extra: object) -> tuple[str, str]:
        r = self.client.axyb_bind(origNum=a, areaCode=AREA, **extra)
        assert r.ok, r
        assert set(r.body) == BIND_FIELDS, r
        return r.body["subscriptionId"], r.body["relationNumber"]

    def yb(self, sub: str, b: str, **extra: object) -> str:
        r = self.client.axyb_bind(subscriptionId=sub, origNum=b, **extra)
        assert r.ok, r
        assert set(r.body) == BIND_FIELDS and r.body["subscriptionId"] == sub, r
        return r.body["relationNumber"]

    def relations(self, **q: object) -> list[dict]:
        r = self.client.axyb_query(**q)
        assert r.ok and set(r.body) == {"resultcode", "resultdesc", "xyRelationNumList"}, r
        return r.body["xyRelationNumList"]


@pytest.fixture(scope="module")
def axyb(server: Server) -> AxybApp:
    client, pool = server.app("AXYB", 60, AREA)
    return AxybApp(client, pool)


def refused(r: Reply, code: str, status: int = 403) -> None:
    assert (r.status, r.code) == (status, code), r
    assert set(r.body) == ENVELOPE, r


# ---------------------------------------------------------------- bind


def test_ax_step_needs_area_code(axyb: AxybApp) -> None:
    (a,) = new_users(1)
    r = axyb.client.axyb_bind(origNum=a)
    refused(r, "1010002")
    assert "areaCode" in r.body["resultdesc"]
    refused(axyb.client.axyb_bind(origNum=a, areaCode="99999"), "1010002")
    refused(axyb.client.axyb_bind(areaCode=AREA), "1010002")


def test_ax_step_returns_subscription_id_and_x(axyb: AxybApp) -> None:
    (a,) = new_users(1)
    r = axyb.client.axyb_bind(origNum=a, areaCode=AREA)
    assert r.ok, r
    assert set(r.body) == BIND_FIELDS and r.body["resultdesc"] == "Success.", r
    sub, x = r.body["subscriptionId"], r.body["relationNumber"]
    assert isinstance(sub, str) and 1 <= len(sub) <= 64
    assert x in axyb.pool
    (info,) = axyb.relations(subscriptionId=sub)
    assert set(info) == AX_ELEMENT, info  # no YB yet: no numY / numB
    assert (info["bindId"], info["numA"], info["numX"]) == (sub, a, x)


def test_yb_step_returns_the_same_id_and_a_y(axyb: AxybApp) -> None:
    a, b = new_users(2)
    sub, x = axyb.ax(a)
    r = axyb.client.axyb_bind(subscriptionId=sub, origNum=b)
    assert r.ok and set(r.body) == BIND_FIELDS, r
    assert r.body["subscriptionId"] == sub
    y = r.body["relationNumber"]
    assert y != x and y in axyb.pool
    (info,) = axyb.relations(subscriptionId=sub)
    assert (info["numA"], info["numX"], info["numY"], info["numB"]) == (a, x, y, b)


def test_two_yb_steps_get_different_ys(axyb: AxybApp) -> None:
    a, b1, b2 = new_users(3)
    sub, x = axyb.ax(a)
    y1 = axyb.yb(sub, b1)
    y2 = axyb.yb(sub, b2)
    assert len({x, y1, y2}) == 3
    found = {(i["numY"], i["numB"]) for i in axyb.relations(subscriptionId=sub)}
    assert found == {(y1, b1), (y2, b2)}


def test_y_serves_each_ax_once_and_frees_on_full_unbind(server: Server) -> None:
    """Three numbers: two become X, the third the Y both AX relations share; no second Y for one AX."""
    client, pool = server.app("AXYB", 3, AREA)
    app = AxybApp(client, pool)
    a1, a2, b1, b2, b3, c, d, e = new_users(8)
    sub1, x1 = app.ax(a1)
    sub2, x2 = app.ax(a2)
    y = app.yb(sub1, b1)
    assert len({x1, x2, y}) == 3
    assert app.yb(sub2, b2) == y  # A1X1YB1 + A2X2YB2 on one Y is allowed
    second = client.axyb_bind(subscriptionId=sub1, origNum=b3)  # the only Y already serves this AX
    refused(second, "1012008")
    assert second.body["resultdesc"].startswith("Insufficient number of resources.")
    refused(client.axyb_bind(origNum=c, areaCode=AREA), "1012008")  # no idle X either
    assert len(app.relations(subscriptionId=sub1)) == 1
    # full unbind of AX1 gives back X1 (Y still serves AX2)
    r = client.axyb_unbind(subscriptionId=sub1)
    assert r.ok and set(r.body) == ENVELOPE, r
    refused(client.axyb_query(subscriptionId=sub1), "1016001")
    refused(client.axyb_query(relationNum=x1), "1016001")
    assert app.relations(subscriptionId=sub2)[0]["numY"] == y
    sub3, x3 = app.ax(c)
    assert x3 == x1
    # full unbind of AX2 frees X2 and the Y: both can be X now
    assert client.axyb_unbind(subscriptionId=sub2).ok
    assert {app.ax(d)[1], app.ax(e)[1]} == {x2, y}
    assert client.axyb_unbind(subscriptionId=sub3).ok


def test_x_comes_back_when_it_is_the_only_number(server: Server) -> None:
    client, (x,) = server.app("AXYB", 1, AREA)
    app = AxybApp(client, [x])
    a, b = new_users(2)
    sub, got = app.ax(a)
    assert got == x
    refused(client.axyb_bind(origNum=b, areaCode=AREA), "1012008")
    assert client.axyb_unbind(subscriptionId=sub).ok
    assert app.ax(b)[1] == x


def test_yb_step_refusals(axyb: AxybApp) -> None:
    a, b = new_users(2)
    r = axyb.client.axyb_bind(subscriptionId="no-such-relation", origNum=b)
    refused(r, "1016001")
    assert r.body["resultdesc"].startswith("The record does not exist.")
    sub, _ = axyb.ax(a)
    r = axyb.client.axyb_bind(subscriptionId=sub, origNum=a)
    refused(r, "1010002")
    assert "origNum" in r.body["resultdesc"]
    refused(axyb.client.axyb_bind(subscriptionId=sub, origNum="13900000000"), "1010002")
    refused(axyb.client.axyb_bind(subscriptionId=sub), "1010002")
    (info,) = axyb.relations(subscriptionId=sub)
    assert "numY" not in info and "numB" not in info
    assert axyb.yb(sub, b)  # the refusals left the AX relation usable


def test_a_holds_at_most_five_x(axyb: AxybApp) -> None:
    (a, b) = new_users(2)
    xs = {axyb.ax(a)[1] for _ in range(5)}
    assert len(xs) == 5
    r = axyb.client.axyb_bind(origNum=a, areaCode=AREA)
    refused(r, "1011003")
    assert r.body["resultdesc"].startswith("Exceeded the upper limit of resources that can be applied for.")
    assert axyb.ax(b)[1] not in xs  # the pool still had room


def test_full_unbind_releases_the_quota(axyb: AxybApp) -> None:
    (a,) = new_users(1)
    subs = [axyb.ax(a)[0] for _ in range(5)]
    refused(axyb.client.axyb_bind(origNum=a, areaCode=AREA), "1011003")
    assert axyb.client.axyb_unbind(subscriptionId=subs[0]).ok
    assert axyb.ax(a)


@pytest.mark.parametrize("fields, duration, yb_duration", [
    ({}, "7200", "0"),
    ({"duration": 3600}, "3600", "0"),
    ({"duration": 0, "ybDuration": 600}, "0", "600"),
    ({"duration": 600, "ybDuration": 900}, "600", "600"),
])
def test_durations_are_reported_as_strings(axyb: AxybApp, fields: dict, duration: str, yb_duration: str) -> None:
    (a,) = new_users(1)
    sub, _ = axyb.ax(a, **fields)
    (info,) = axyb.relations(subscriptionId=sub)
    assert (info["duration"], info["ybDuration"]) == (duration, yb_duration), info


@pytest.mark.parametrize("fields", [{"duration": 59}, {"duration": 7776001}, {"ybDuration": 30}, {"duration": "x"},
                                    {"callDirection": 3}, {"recordFlag": "true"}])
def test_bad_ax_step_binds_nothing(axyb: AxybApp, fields: dict) -> None:
    (a,) = new_users(1)
    r = axyb.client.axyb_bind(origNum=a, areaCode=AREA, **fields)
    # recordFlag true in an app without recording is 1012012, everything else 1010002
    refused(r, "1012012" if "recordFlag" in fields else "1010002")
    # the A still has its whole quota: five AX steps succeed
    subs = [axyb.ax(a)[0] for _ in range(5)]
    refused(axyb.client.axyb_bind(origNum=a, areaCode=AREA), "1011003")
    for sub in subs:
        assert axyb.client.axyb_unbind(subscriptionId=sub).ok


# ---------------------------------------------------------------- app_key


def test_app_key_parameter_is_required(axyb: AxybApp) -> None:
    a, b = new_users(2)
    sub, x = axyb.ax(a)
    for method, body, query in (("POST", {"origNum": b, "areaCode": AREA}, None),
                                ("GET", None, {"subscriptionId": sub}),
                                ("DELETE", None, {"subscriptionId": sub})):
        r = axyb.client.request(method, AXYB_URI, body=body, query=query)
        refused(r, "1010002")
        assert "app_key" in r.body["resultdesc"], r
    assert axyb.relations(subscriptionId=sub)[0]["numX"] == x


def test_app_key_of_another_app(server: Server, axyb: AxybApp) -> None:
    other, _ = server.app("AXYB", 0, AREA)
    a, b = new_users(2)
    sub, x = axyb.ax(a)
    for method, body, query in (("POST", {"origNum": b, "areaCode": AREA}, {"app_key": other.app_key}),
                                ("GET", None, {"subscriptionId": sub, "app_key": other.app_key}),
                                ("DELETE", None, {"subscriptionId": sub, "app_key": other.app_key}),
                                ("GET", None, {"subscriptionId": sub, "app_key": "unknown-key"})):
        r = axyb.client.request(method, AXYB_URI, body=body, query=query)
        refused(r, "1010003")
        assert r.body["resultdesc"].startswith("Invalid app_key.")
    assert axyb.relations(subscriptionId=sub)[0]["numX"] == x
    # the other app sees nothing of this one
    refused(other.axyb_query(subscriptionId=sub), "1016001")


# ---------------------------------------------------------------- query


def test_query_element_fields(axyb: AxybApp) -> None:
    a, b1, b2 = new_users(3)
    sub, x = axyb.ax(a, callDirection=1, duration=86400, ybDuration=3600, userData="case-9")
    y1 = axyb.yb(sub, b1)
    y2 = axyb.yb(sub, b2, ybDuration=120)
    by_id = axyb.relations(subscriptionId=sub)
    assert len(by_id) == 2
    for info in by_id:
        assert set(info) == AX_ELEMENT | {"numY", "numB", "userData"}, info
        assert (info["bindId"], info["numA"], info["numX"]) == (sub, a, x)
        assert info["callDirection"] == 1 and isinstance(info["callDirection"], int)
        assert info["duration"] == "86400"
        assert isinstance(info["ybDuration"], str)
        assert info["recordFlag"] == "false"
        assert info["userData"] == "case-9"
        assert TIME_FORMAT.match(info["subscribeTime"]), info
    assert {(i["numY"], i["numB"], i["ybDuration"]) for i in by_id} == {(y1, b1, "3600"), (y2, b2, "120")}
    by_x = axyb.relations(relationNum=x)
    assert sorted(by_x, key=lambda i: i["numB"]) == sorted(by_id, key=lambda i: i["numB"])
    # subscriptionId wins over relationNum
    other_sub, other_x = axyb.ax(new_users(1)[0])
    assert {i["bindId"] for i in axyb.relations(subscriptionId=other_sub, relationNum=x)} == {other_sub}
    assert axyb.relations(relationNum=other_x)[0]["bindId"] == other_sub


def test_query_refusals(axyb: AxybApp) -> None:
    refused(axyb.client.axyb_query(), "1010002")
    refused(axyb.client.axyb_query(subscriptionId="unknown"), "1016001")
    sub, free = axyb.ax(new_users(1)[0])
    assert axyb.client.axyb_unbind(subscriptionId=sub).ok
    refused(axyb.client.axyb_query(relationNum=free), "1016001")
    refused(axyb.client.request("GET", AXYB_URI, raw_query=f"relationNum={free}&app_key={axyb.client.app_key}"),
            "1010002")


# ---------------------------------------------------------------- unbind


def test_yb_only_unbind_by_b_num_and_by_y_num(axyb: AxybApp) -> None:
    a, b1, b2, b3 = new_users(4)
    sub, x = axyb.ax(a)
    y1, y2, y3 = (axyb.yb(sub, b) for b in (b1, b2, b3))
    r = axyb.client.axyb_unbind(subscriptionId=sub, bNum=b1)
    assert r.ok and set(r.body) == ENVELOPE, r
    assert {i["numB"] for i in axyb.relations(subscriptionId=sub)} == {b2, b3}
    assert axyb.client.axyb_unbind(subscriptionId=sub, yNum=y2).ok
    assert {(i["numY"], i["numB"]) for i in axyb.relations(subscriptionId=sub)} == {(y3, b3)}
    # yNum wins over bNum
    assert axyb.client.axyb_unbind(subscriptionId=sub, yNum=y3, bNum=b1).ok
    (info,) = axyb.relations(subscriptionId=sub)
    assert "numY" not in info and info["numX"] == x
    # gone ones are unknown now
    refused(axyb.client.axyb_unbind(subscriptionId=sub, bNum=b1), "1016001")
    refused(axyb.client.axyb_unbind(subscriptionId=sub, yNum=y1), "1016001")
    # the AX relation still takes a YB again, and y1 can serve it again
    assert axyb.yb(sub, b1)


def test_unbind_refusals(axyb: AxybApp) -> None:
    a, b = new_users(2)
    sub, x = axyb.ax(a)
    y = axyb.yb(sub, b)
    refused(axyb.client.axyb_unbind(subscriptionId="unknown"), "1016001")
    refused(axyb.client.axyb_unbind(subscriptionId=sub, bNum=new_users(1)[0]), "1016001")
    refused(axyb.client.axyb_unbind(subscriptionId=sub, yNum=x), "1016001")
    refused(axyb.client.axyb_unbind(), "1010002")
    refused(axyb.client.axyb_unbind(yNum=y), "1010002")
    assert axyb.relations(subscriptionId=sub)[0]["numY"] == y
