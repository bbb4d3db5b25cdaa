"""AX mode over real HTTP: bind, unbind, modify, query and the temporary callee (docs/contract/ax.md)."""

from __future__ import annotations

import re
import time
from calendar import timegm
from dataclasses import dataclass, field

import pytest

from huawei_client import AX_CALLEE_URI, AX_URI, HuaweiClient, Reply
from servers import Server, new_numbers, new_users

AREA = "0755"
BIND_FIELDS = {"resultcode", "resultdesc", "origNum", "privateNum", "subscriptionId"}
ENVELOPE = {"resultcode", "resultdesc"}
TIME_FORMAT = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")


@dataclass
class AxApp:
    """One AX app (with recording) shared by the tests of a backend; each test takes its own X numbers."""

    server: Server
    client: HuaweiClient
    pool: list[str]
    used: int = 0
    extra_areas: list[str] = field(default_factory=list)

    def take(self, count: int = 1) -> list[str]:
        taken = self.pool[self.used:self.used + count]
        assert len(taken) == count, "the shared AX pool is exhausted; enlarge it"
        self.used += count
        return taken

    def bind(self, a: str, x: str, **extra: object) -> str:
        r = self.client.ax_bind(origNum=a, privateNum=x, **extra)
        assert r.ok, r
        return r.body["subscriptionId"]

    def add_area(self, area_code: str, count: int) -> list[str]:
        """Numbers of a city code no other test uses, so an areaCode search sees only them."""
        assert area_code not in self.extra_areas
        self.extra_areas.append(area_code)
        numbers = new_numbers(count)
        self.server.add_numbers(self.client.app_key, area_code, numbers)
        return numbers


@pytest.fixture(scope="module")
def ax(server: Server) -> AxApp:
    client, pool = server.app("AX", 80, AREA, "--recording")
    return AxApp(server, client, pool)


@pytest.fixture(scope="module")
def other(server: Server) -> tuple[HuaweiClient, list[str]]:
    """Another AX app (without recording) with numbers of its own."""
    return server.app("AX", 2, AREA)


def refused(r: Reply, code: str, status: int = 403) -> None:
    assert (r.status, r.code) == (status, code), r
    assert set(r.body) == ENVELOPE, r


def only(r: Reply) -> dict:
    assert r.ok, r
    assert len(r.body["privateNumList"]) == 1, r
    return r.body["privateNumList"][0]


# ---------------------------------------------------------------- bind


def test_bind_with_private_num_answers_exactly_the_documented_fields(ax: AxApp) -> None:
    (x,), (a,) = ax.take(), new_users(1)
    r = ax.client.ax_bind(origNum=a, privateNum=x)
    assert r.ok, r
    assert set(r.body) == BIND_FIELDS
    assert r.body["resultdesc"] == "Success."
    assert (r.body["origNum"], r.body["privateNum"]) == (a, x)
    sub = r.body["subscriptionId"]
    assert isinstance(sub, str) and 1 <= len(sub) <= 64
    assert r.headers["content-type"].lower().startswith("application/json")
    assert only(ax.client.ax_query(subscriptionId=sub))["privateNum"] == x


@pytest.mark.parametrize("with_type", [True, False], ids=["mobile-virtual", "no-type"])
def test_bind_by_area_code(ax: AxApp, with_type: bool) -> None:
    numbers = ax.add_area("0571" if with_type else "0512", 2)
    a, b = new_users(2)
    extra = {"privateNumType": "mobile-virtual"} if with_type else {}
    first = ax.client.ax_bind(origNum=a, areaCode="0571" if with_type else "512", **extra)
    assert first.ok, first
    assert set(first.body) == BIND_FIELDS
    assert first.body["privateNum"] in numbers
    second = ax.client.ax_bind(origNum=b, areaCode="0571" if with_type else "0512", **extra)
    assert second.ok, second
    assert {first.body["privateNum"], second.body["privateNum"]} == set(numbers)
    assert only(ax.client.ax_query(privateNum=first.body["privateNum"]))["origNum"] == a


def test_private_num_wins_over_area_code(ax: AxApp) -> None:
    (x,), (a,) = ax.take(), new_users(1)
    r = ax.client.ax_bind(origNum=a, privateNum=x, areaCode="010")
    assert r.ok and r.body["privateNum"] == x, r


@pytest.mark.parametrize("value", ["other", "MOBILE-VIRTUAL", "fixed"])
def test_private_num_type_other_than_mobile_virtual_is_refused(ax: AxApp, value: str) -> None:
    (x,), (a,) = ax.take(), new_users(1)
    r = ax.client.ax_bind(origNum=a, privateNum=x, privateNumType=value)
    refused(r, "1010002")
    assert r.body["resultdesc"].startswith("Invalid request.")
    assert "privateNumType" in r.body["resultdesc"]
    refused(ax.client.ax_query(privateNum=x), "1016001")  # nothing was bound


def test_bind_without_private_num_and_area_code_is_refused(ax: AxApp) -> None:
    (a,) = new_users(1)
    r = ax.client.ax_bind(origNum=a)
    if r.ok:  # give back the X the search took from the shared pool, so other tests are not disturbed
        assert ax.client.ax_unbind(subscriptionId=r.body["subscriptionId"]).ok
    refused(r, "1010002")
    assert "privateNum" in r.body["resultdesc"]


def test_x_already_bound_to_another_a(ax: AxApp) -> None:
    (x,), (a, b) = ax.take(), new_users(2)
    sub = ax.bind(a, x)
    r = ax.client.ax_bind(origNum=b, privateNum=x)
    refused(r, "1011005")
    assert r.body["resultdesc"].startswith("Resources have been allocated.")
    # the same A again on its own X is refused too (an X carries one binding)
    refused(ax.client.ax_bind(origNum=a, privateNum=x), "1011005")
    assert only(ax.client.ax_query(privateNum=x))["subscriptionId"] == sub
    refused(ax.client.ax_query(origNum=b), "1016001")


def test_one_a_holds_at_most_five_x(ax: AxApp) -> None:
    xs, (a, b) = ax.take(6), new_users(2)
    for x in xs[:5]:
        ax.bind(a, x)
    sixth = ax.client.ax_bind(origNum=a, privateNum=xs[5])
    refused(sixth, "1011003")
    assert sixth.body["resultdesc"].startswith("Exceeded the upper limit of resources that can be applied for.")
    # also when the platform searches (the shared area still has idle numbers)
    refused(ax.client.ax_bind(origNum=a, areaCode=AREA), "1011003")
    assert len(ax.client.ax_query(origNum=a).body["privateNumList"]) == 5
    # the refused X is still free for someone else
    assert ax.client.ax_bind(origNum=b, privateNum=xs[5]).ok


def test_no_idle_x_is_explained(ax: AxApp) -> None:
    (x,) = ax.add_area("0591", 1)
    a, b = new_users(2)
    assert ax.client.ax_bind(origNum=a, areaCode="0591").body["privateNum"] == x
    r = ax.client.ax_bind(origNum=b, areaCode="0591")
    refused(r, "1011002")
    desc = r.body["resultdesc"]
    assert desc.startswith("Insufficient number resources.")
    assert len(desc) > len("Insufficient number resources.") and "0591" in desc, desc
    # a city where the app has no number at all
    empty = ax.client.ax_bind(origNum=b, areaCode="0898")
    refused(empty, "1011002")
    assert "0898" in empty.body["resultdesc"] and "no number" in empty.body["resultdesc"]


def test_x_of_another_app_or_unknown(ax: AxApp, other: tuple[HuaweiClient, list[str]]) -> None:
    _, foreign = other
    (a,) = new_users(1)
    r = ax.client.ax_bind(origNum=a, privateNum=foreign[0])
    refused(r, "1011001")
    assert r.body["resultdesc"].startswith("The account does not exist.")
    refused(ax.client.ax_bind(origNum=a, privateNum=new_numbers(1)[0]), "1011001")
    refused(ax.client.ax_query(origNum=a), "1016001")


def test_the_five_x_limit_is_per_app(ax: AxApp, other: tuple[HuaweiClient, list[str]]) -> None:
    client, _ = other
    xs, (a,) = ax.take(5), new_users(1)
    for x in xs:
        ax.bind(a, x)
    r = client.ax_bind(origNum=a, areaCode=AREA)
    assert r.ok, r
    try:
        assert {i["privateNum"] for i in ax.client.ax_query(origNum=a).body["privateNumList"]} == set(xs)
        assert [i["privateNum"] for i in client.ax_query(origNum=a).body["privateNumList"]] == \
            [r.body["privateNum"]]
    finally:
        assert client.ax_unbind(subscriptionId=r.body["subscriptionId"]).ok


def test_record_flag_needs_an_app_with_recording(ax: AxApp, other: tuple[HuaweiClient, list[str]]) -> None:
    client, foreign = other
    (a,) = new_users(1)
    refused(client.ax_bind(origNum=a, privateNum=foreign[1], recordFlag="true"), "1012012")
    (x,) = ax.take()
    sub = ax.bind(a, x, recordFlag="true")
    assert only(ax.client.ax_query(subscriptionId=sub))["recordFlag"] == "true"


@pytest.mark.parametrize("body", [
    {"origNum": "8613900000000"},
    {"origNum": "+86 139"},
    {"maxDuration": 2000},
    {"maxDuration": -1},
    {"turnFlag": "maybe"},
    {"calleeNumDisplay": "2"},
    {"recordFlag": "yes"},
    {"callDirection": 3},
    {"userData": "{x}"},
], ids=lambda b: "-".join(f"{k}={v}" for k, v in b.items()))
def test_bad_bind_input_binds_nothing(ax: AxApp, body: dict) -> None:
    (x,), (a,) = ax.take(), new_users(1)
    r = ax.client.ax_bind(**{"origNum": a, "privateNum": x, **body})
    refused(r, "1010002")
    assert r.body["resultdesc"].startswith("Invalid request.")
    assert next(iter(body)) in r.body["resultdesc"], r
    refused(ax.client.ax_query(privateNum=x), "1016001")


def test_bind_body_not_json(ax: AxApp) -> None:
    r = ax.client.request("POST", AX_URI, raw_body=b"{origNum: +8613900000000")
    refused(r, "1010002")
    refused(ax.client.request("POST", AX_URI, raw_body=b"[]"), "1010002")


# ---------------------------------------------------------------- unbind


def test_unbind_by_subscription_id_frees_x(ax: AxApp) -> None:
    (x,), (a, b) = ax.take(), new_users(2)
    sub = ax.bind(a, x)
    r = ax.client.ax_unbind(subscriptionId=sub)
    assert r.ok and set(r.body) == ENVELOPE, r
    refused(ax.client.ax_query(subscriptionId=sub), "1016001")
    refused(ax.client.ax_unbind(subscriptionId=sub), "1016001")
    again = ax.client.ax_bind(origNum=b, privateNum=x)
    assert again.ok and again.body["subscriptionId"] != sub, again


@pytest.mark.parametrize("orig", ["right", "wrong", "garbage"])
def test_unbind_by_private_num_ignores_orig_num(ax: AxApp, orig: str) -> None:
    (x,), (a, stranger) = ax.take(), new_users(2)
    ax.bind(a, x)
    sent = {"right": a, "wrong": stranger, "garbage": "not-a-number"}[orig]
    r = ax.client.ax_unbind(privateNum=x, origNum=sent)
    assert r.ok and set(r.body) == ENVELOPE, r
    refused(ax.client.ax_query(privateNum=x), "1016001")


def test_subscription_id_wins_over_private_num_on_unbind(ax: AxApp) -> None:
    (x, y), (a, b) = ax.take(2), new_users(2)
    sub_x = ax.bind(a, x)
    ax.bind(b, y)
    assert ax.client.ax_unbind(subscriptionId=sub_x, privateNum=y).ok
    refused(ax.client.ax_query(privateNum=x), "1016001")
    assert only(ax.client.ax_query(privateNum=y))["origNum"] == b


def test_unbind_refusals(ax: AxApp, other: tuple[HuaweiClient, list[str]]) -> None:
    (x,) = ax.take()
    refused(ax.client.ax_unbind(subscriptionId="no-such-binding"), "1016001")
    refused(ax.client.ax_unbind(privateNum=x), "1016001")  # a number of this app, not bound
    r = ax.client.ax_unbind(privateNum=other[1][0])
    refused(r, "1011004")
    assert r.body["resultdesc"].startswith("The number is not applied for binding application.")
    refused(ax.client.ax_unbind(privateNum=new_numbers(1)[0]), "1011004")
    refused(ax.client.ax_unbind(), "1010002")
    refused(ax.client.ax_unbind(origNum=new_users(1)[0]), "1010002")


def test_subscription_id_of_another_app_is_unknown(ax: AxApp, other: tuple[HuaweiClient, list[str]]) -> None:
    client, foreign = other
    (a,) = new_users(1)
    r = client.ax_bind(origNum=a, privateNum=foreign[0])
    assert r.ok, r
    sub = r.body["subscriptionId"]
    refused(ax.client.ax_unbind(subscriptionId=sub), "1016001")
    refused(ax.client.ax_query(subscriptionId=sub), "1016001")
    assert client.ax_unbind(subscriptionId=sub).ok


def test_unbind_releases_the_quota(ax: AxApp) -> None:
    xs, (a,) = ax.take(6), new_users(1)
    subs = [ax.bind(a, x) for x in xs[:5]]
    refused(ax.client.ax_bind(origNum=a, privateNum=xs[5]), "1011003")
    assert ax.client.ax_unbind(subscriptionId=subs[0]).ok
    assert ax.client.ax_bind(origNum=a, privateNum=xs[5]).ok
    refused(ax.client.ax_bind(origNum=a, privateNum=xs[0]), "1011003")
    assert ax.client.ax_unbind(privateNum=xs[1]).ok  # by X this time
    assert ax.client.ax_bind(origNum=a, privateNum=xs[0]).ok


# ---------------------------------------------------------------- modify


def test_modify_orig_num_moves_the_quota(ax: AxApp) -> None:
    xs, (a, b, full) = ax.take(11), new_users(3)
    sub = ax.bind(a, xs[0])
    for x in xs[1:5]:
        ax.bind(a, x)
    for x in xs[5:10]:
        ax.bind(full, x)
    # the new A already holds 5 X
    r = ax.client.ax_modify(subscriptionId=sub, origNum=full)
    refused(r, "1011003")
    assert only(ax.client.ax_query(subscriptionId=sub))["origNum"] == a
    # to a fresh A
    r = ax.client.ax_modify(subscriptionId=sub, origNum=b)
    assert r.ok and set(r.body) == ENVELOPE, r
    info = only(ax.client.ax_query(subscriptionId=sub))
    assert (info["origNum"], info["privateNum"], info["subscriptionId"]) == (b, xs[0], sub)
    assert {i["privateNum"] for i in ax.client.ax_query(origNum=a).body["privateNumList"]} == set(xs[1:5])
    # the old A has room for one more X, the new A has used one of its five
    assert ax.client.ax_bind(origNum=a, privateNum=xs[10]).ok
    refused(ax.client.ax_bind(origNum=a, privateNum=ax.take()[0]), "1011003")
    more = ax.take(5)
    for x in more[:4]:
        ax.bind(b, x)
    refused(ax.client.ax_bind(origNum=b, privateNum=more[4]), "1011003")


def test_modify_by_private_num_with_current_orig_num_keeps_a(ax: AxApp) -> None:
    (x,), (a,) = ax.take(), new_users(1)
    sub = ax.bind(a, x)
    assert ax.client.ax_modify(privateNum=x, origNum=a, calleeNumDisplay="1").ok
    info = only(ax.client.ax_query(subscriptionId=sub))
    assert (info["origNum"], info["calleeNumDisplay"]) == (a, "1")


def test_modify_options_show_in_query(ax: AxApp) -> None:
    (x,), (a,) = ax.take(), new_users(1)
    sub = ax.bind(a, x)
    before = only(ax.client.ax_query(subscriptionId=sub))
    assert before["recordFlag"] == "false" and before["maxDuration"] == 0
    assert "calleeNumDisplay" not in before
    r = ax.client.ax_modify(subscriptionId=sub, calleeNumDisplay="1", recordFlag="true", maxDuration=30,
                            turnFlag="off", callDirection=1, userData="order-7")
    assert r.ok and set(r.body) == ENVELOPE, r
    after = only(ax.client.ax_query(subscriptionId=sub))
    assert after["calleeNumDisplay"] == "1"
    assert after["recordFlag"] == "true"
    assert after["maxDuration"] == 30 and isinstance(after["maxDuration"], int)
    assert after["turnFlag"] == "off"
    assert after["callDirection"] == 1
    assert after["userData"] == "order-7"
    # unchanged fields stay; another modify only touches what it sends
    assert ax.client.ax_modify(privateNum=x, recordFlag=False, maxDuration="0").ok
    last = only(ax.client.ax_query(privateNum=x))
    assert (last["recordFlag"], last["maxDuration"], last["calleeNumDisplay"]) == ("false", 0, "1")


@pytest.mark.parametrize("body", [
    {"origNum": "8613900000001"},
    {"maxDuration": 2000},
    {"turnFlag": "maybe"},
    {"calleeNumDisplay": "x"},
    {"callDirection": "sideways"},
], ids=lambda b: "-".join(f"{k}={v}" for k, v in b.items()))
def test_bad_modify_changes_nothing(ax: AxApp, body: dict) -> None:
    (x,), (a,) = ax.take(), new_users(1)
    sub = ax.bind(a, x, maxDuration=10)
    before = ax.client.ax_query(subscriptionId=sub).body
    r = ax.client.ax_modify(subscriptionId=sub, **body)
    refused(r, "1010002")
    assert next(iter(body)) in r.body["resultdesc"], r
    assert ax.client.ax_query(subscriptionId=sub).body == before


def test_modify_body_not_json_changes_nothing(ax: AxApp) -> None:
    (x,), (a,) = ax.take(), new_users(1)
    sub = ax.bind(a, x)
    before = ax.client.ax_query(subscriptionId=sub).body
    refused(ax.client.request("PUT", AX_URI, raw_body=b'{"subscriptionId": "' + sub.encode() + b'",'), "1010002")
    refused(ax.client.request("PUT", AX_URI, raw_body=b"\xff\xfe not utf-8"), "1010002")
    assert ax.client.ax_query(subscriptionId=sub).body == before


def test_modify_refusals(ax: AxApp, other: tuple[HuaweiClient, list[str]]) -> None:
    (x,) = ax.take()
    refused(ax.client.ax_modify(subscriptionId="nope", maxDuration=1), "1016001")
    refused(ax.client.ax_modify(privateNum=x, maxDuration=1), "1016001")
    refused(ax.client.ax_modify(privateNum=other[1][1], maxDuration=1), "1011004")
    refused(ax.client.ax_modify(maxDuration=1), "1010002")


# ---------------------------------------------------------------- query


def test_query_element_fields(ax: AxApp) -> None:
    (x,), (a,) = ax.take(), new_users(1)
    started = time.time()
    sub = ax.bind(a, x)
    r = ax.client.ax_query(subscriptionId=sub)
    assert r.ok and set(r.body) == {"resultcode", "resultdesc", "privateNumList"}, r
    info = only(r)
    assert set(info) == {"origNum", "privateNum", "privateNumType", "subscribeTime", "subscriptionId", "recordFlag",
                         "privateSms", "maxDuration", "turnFlag"}, info
    assert (info["origNum"], info["privateNum"], info["subscriptionId"]) == (a, x, sub)
    assert info["privateNumType"] == "mobile-virtual"
    assert info["recordFlag"] == "false" and info["privateSms"] == "true" and info["turnFlag"] == "on"
    assert info["maxDuration"] == 0
    assert TIME_FORMAT.match(info["subscribeTime"]), info
    stamp = timegm(time.strptime(info["subscribeTime"], "%Y-%m-%d %H:%M:%S"))  # UTC
    assert started - 5 <= stamp <= time.time() + 5, info


def test_query_by_orig_num_lists_every_binding_of_a(ax: AxApp) -> None:
    xs, (a, b) = ax.take(4), new_users(2)
    subs = {ax.bind(a, x, recordFlag=True): x for x in xs[:3]}
    ax.bind(b, xs[3])
    r = ax.client.ax_query(origNum=a)
    assert r.ok, r
    found = r.body["privateNumList"]
    assert {i["subscriptionId"]: i["privateNum"] for i in found} == subs
    for info in found:
        assert info["origNum"] == a and info["recordFlag"] == "true" and info["turnFlag"] == "on"
        assert TIME_FORMAT.match(info["subscribeTime"])


def test_query_priority(ax: AxApp) -> None:
    (x, y), (a, b) = ax.take(2), new_users(2)
    sub_x = ax.bind(a, x)
    sub_y = ax.bind(b, y)
    # subscriptionId > origNum > privateNum
    assert only(ax.client.ax_query(subscriptionId=sub_x, origNum=b, privateNum=y))["subscriptionId"] == sub_x
    assert only(ax.client.ax_query(origNum=b, privateNum=x))["subscriptionId"] == sub_y
    assert only(ax.client.ax_query(privateNum=y))["subscriptionId"] == sub_y
    refused(ax.client.ax_query(subscriptionId="unknown", privateNum=x), "1016001")
    refused(ax.client.ax_query(origNum=new_users(1)[0], privateNum=x), "1016001")


def test_query_refusals(ax: AxApp, other: tuple[HuaweiClient, list[str]]) -> None:
    (x,) = ax.take()
    refused(ax.client.ax_query(), "1010002")
    refused(ax.client.ax_query(privateNum=x), "1016001")
    refused(ax.client.ax_query(privateNum=other[1][0]), "1011004")
    refused(ax.client.ax_query(origNum="12345"), "1010002")


def test_unescaped_plus_in_query_string(ax: AxApp) -> None:
    (x,), (a,) = ax.take(), new_users(1)
    ax.bind(a, x)
    for param, number in (("privateNum", x), ("origNum", a)):
        r = ax.client.request("GET", AX_URI, raw_query=f"{param}={number}")
        refused(r, "1010002")
        assert param in r.body["resultdesc"] and "%2B" in r.body["resultdesc"], r
    refused(ax.client.request("DELETE", AX_URI, raw_query=f"privateNum={x}"), "1010002")
    assert only(ax.client.request("GET", AX_URI, raw_query=f"privateNum=%2B{x[1:]}"))["origNum"] == a


# ---------------------------------------------------------------- temporary callee


def test_set_temporary_callee(ax: AxApp) -> None:
    (x,), (a, c1, c2) = ax.take(), new_users(3)
    sub = ax.bind(a, x)
    r = ax.client.ax_set_callee(subscriptionId=sub, calleeNum=c1)
    assert r.ok and set(r.body) == ENVELOPE, r
    assert ax.client.ax_set_callee(privateNum=x, calleeNum=c2).ok  # by X alone, no origNum
    assert ax.client.ax_set_callee(privateNum=x, origNum="ignored", calleeNum=c1, duration=1).ok
    assert ax.client.ax_set_callee(subscriptionId=sub, calleeNum="+8675528000001", duration=259200,
                                   userData="ticket-1").ok
    assert only(ax.client.ax_query(subscriptionId=sub))["origNum"] == a


def test_set_temporary_callee_refusals(ax: AxApp, other: tuple[HuaweiClient, list[str]]) -> None:
    (x, free), (a, c) = ax.take(2), new_users(2)
    sub = ax.bind(a, x)
    r = ax.client.ax_set_callee(subscriptionId=sub, calleeNum=a)
    refused(r, "1010002")
    assert "calleeNum" in r.body["resultdesc"]
    for duration in (0, 259201, -5):
        r = ax.client.ax_set_callee(subscriptionId=sub, calleeNum=c, duration=duration)
        refused(r, "1010002")
        assert "duration" in r.body["resultdesc"], r
    refused(ax.client.ax_set_callee(subscriptionId=sub), "1010002")
    refused(ax.client.ax_set_callee(subscriptionId=sub, calleeNum="13900000000"), "1010002")
    refused(ax.client.ax_set_callee(calleeNum=c), "1010002")
    refused(ax.client.ax_set_callee(subscriptionId="unknown", calleeNum=c), "1016001")
    refused(ax.client.ax_set_callee(privateNum=free, calleeNum=c), "1016001")
    refused(ax.client.ax_set_callee(privateNum=other[1][0], calleeNum=c), "1011004")
    refused(ax.client.request("PUT", AX_CALLEE_URI, raw_body=b"not json"), "1010002")
