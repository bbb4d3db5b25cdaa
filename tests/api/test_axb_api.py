"""AXB over real HTTP (docs/contract/axb.md): bind, unbind, modify, query, placement rules and refusals.

Every test makes its own app and fresh X numbers, so tests never see each other's bindings.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from huawei_client import AXB_URI, HuaweiClient, Reply
from servers import Server, new_numbers, new_users

HEX32 = re.compile(r"[0-9a-f]{32}")
SUBSCRIBE_TIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")


def refused(reply: Reply, status: int, code: str) -> None:
    assert (reply.status, reply.code) == (status, code), reply
    assert set(reply.body) == {"resultcode", "resultdesc"}, reply


def bind_ok(client: HuaweiClient, a: str, b: str, **fields: Any) -> Reply:
    r = client.axb_bind(callerNum=a, calleeNum=b, **fields)
    assert r.ok, r
    return r


def pairs_on(client: HuaweiClient, x: str) -> set[tuple[str, str]]:
    """Every (A, B) bound on X (empty when the query answers 1012007)."""
    q = client.axb_query(relationNum=x, pageSize=100)
    if (q.status, q.code) == (403, "1012007"):
        return set()
    assert q.ok, q
    return {(i["callerNum"], i["calleeNum"]) for i in q.body["relationNumList"]}


def nothing_on(client: HuaweiClient, pool: list[str]) -> None:
    for x in pool:
        assert pairs_on(client, x) == set(), x


@dataclass
class Shared:
    """One AXB app (and a second, "other" one) per backend whose X numbers tests take one by one.

    Creating apps goes through the CLI (a subprocess each), so tests that name their X with
    relationNum share these apps; tests of the X search make their own app and pool.
    """

    client: HuaweiClient
    pool: list[str]
    other: HuaweiClient
    other_pool: list[str]

    def take(self, n: int = 1) -> list[str]:
        assert len(self.pool) >= n, "enlarge the shared pool"
        taken, self.pool[:n] = self.pool[:n], []
        return taken

    def take_other(self) -> str:
        return self.other_pool.pop()


@pytest.fixture(scope="module")
def shared(server: Server) -> Shared:
    client, pool = server.app("AXB", 80)
    other, other_pool = server.app("AXB", 10)
    return Shared(client, pool, other, other_pool)


# --- bind --------------------------------------------------------------------------------------------------------


def test_bind_with_relation_num_answers_exactly_four_fields(shared: Shared) -> None:
    client, pool = shared.client, shared.take(2)
    a, b = new_users(2)
    r = bind_ok(client, a, b, relationNum=pool[1])
    assert r.status == 200
    assert r.headers["content-type"].startswith("application/json")
    assert set(r.body) == {"resultcode", "resultdesc", "subscriptionId", "relationNum"}
    assert r.body["resultcode"] == "0"
    assert r.body["resultdesc"] == "Success."
    assert r.body["relationNum"] == pool[1]
    assert HEX32.fullmatch(r.body["subscriptionId"]), r.body
    assert pairs_on(client, pool[1]) == {(a, b)}
    assert pairs_on(client, pool[0]) == set()


def test_bind_by_area_code_in_both_forms(server: Server) -> None:
    client, pool = server.app("AXB", 2, "0755")
    for area_code in ("0755", "755", " 755 "):
        a, b = new_users(2)
        r = bind_ok(client, a, b, areaCode=area_code)
        assert set(r.body) == {"resultcode", "resultdesc", "subscriptionId", "relationNum"}
        assert r.body["relationNum"] in pool
        assert (a, b) in pairs_on(client, r.body["relationNum"])


def test_relation_num_wins_over_area_code(shared: Shared) -> None:
    client, pool = shared.client, shared.take(1)
    a, b = new_users(2)
    r = bind_ok(client, a, b, relationNum=pool[0], areaCode="010")
    assert r.body["relationNum"] == pool[0]


def test_strict_area_without_numbers_is_insufficient_resources(server: Server) -> None:
    client, pool = server.app("AXB", 2, "0755")
    for match_mode in (None, "0", 0):
        a, b = new_users(2)
        r = client.axb_bind(callerNum=a, calleeNum=b, areaCode="20", areaMatchMode=match_mode)
        refused(r, 403, "1012008")
        assert r.body["resultdesc"].startswith("Insufficient number of resources.")
        assert "020" in r.body["resultdesc"], r
    nothing_on(client, pool)


def test_loose_area_match_prefers_city_then_province_then_anything(server: Server) -> None:
    key, secret = server.create_app("AXB")
    beijing, shenzhen = new_numbers(1), new_numbers(1)  # beijing sorts first: a naive pick would take it
    server.add_numbers(key, "010", beijing)
    server.add_numbers(key, "0755", shenzhen)
    client = server.client(key, secret)

    # Guangzhou (020) has no X; Shenzhen is in the same province, Beijing is not.
    for _ in range(2):  # the second time Beijing has the lower load, and still must not be chosen
        a, b = new_users(2)
        assert bind_ok(client, a, b, areaCode="020", areaMatchMode="1").body["relationNum"] == shenzhen[0]
    # the city itself comes first
    a, b = new_users(2)
    assert bind_ok(client, a, b, areaCode="010", areaMatchMode="1").body["relationNum"] == beijing[0]
    # Hangzhou (zhejiang): nothing in city or province -> any X of the app
    a, b = new_users(2)
    assert bind_ok(client, a, b, areaCode="0571", areaMatchMode="1").body["relationNum"] in beijing + shenzhen
    # the same request in strict mode is refused
    a, b = new_users(2)
    r = client.axb_bind(callerNum=a, calleeNum=b, areaCode="0571", areaMatchMode="0")
    refused(r, 403, "1012008")
    assert "0571" in r.body["resultdesc"]


def test_loose_area_match_falls_back_to_any_x(server: Server) -> None:
    client, pool = server.app("AXB", 1, "0755")
    a, b = new_users(2)
    assert bind_ok(client, a, b, areaCode="010", areaMatchMode="1").body["relationNum"] == pool[0]


def test_no_area_strict_uses_city_of_fixed_line_a(server: Server) -> None:
    key, secret = server.create_app("AXB")
    beijing, shenzhen = new_numbers(1), new_numbers(1)
    server.add_numbers(key, "010", beijing)
    server.add_numbers(key, "0755", shenzhen)
    client = server.client(key, secret)
    fixed_line_a = "+867558" + new_users(1)[0][-7:]  # a Shenzhen (0755) fixed line
    b = new_users(1)[0]
    assert bind_ok(client, fixed_line_a, b).body["relationNum"] == shenzhen[0]


# --- a user number at most once per X ----------------------------------------------------------------------------


def test_user_number_at_most_once_per_x(shared: Shared) -> None:
    client, pool = shared.client, shared.take(1)
    x = pool[0]
    a, b, c, d = new_users(4)
    bind_ok(client, a, b, relationNum=x)
    for caller, callee in ((b, c), (a, c), (c, a), (c, b), (b, a), (a, b)):
        r = client.axb_bind(relationNum=x, callerNum=caller, calleeNum=callee)
        refused(r, 403, "1012010")
        assert r.body["resultdesc"].startswith("The relation number has been bound.")
    assert pairs_on(client, x) == {(a, b)}
    bind_ok(client, c, d, relationNum=x)
    assert pairs_on(client, x) == {(a, b), (c, d)}


def test_a_bound_to_itself_is_invalid(shared: Shared) -> None:
    client, pool = shared.client, shared.take(1)
    a = new_users(1)[0]
    r = client.axb_bind(relationNum=pool[0], callerNum=a, calleeNum=a)
    refused(r, 403, "1010002")
    assert "calleeNum" in r.body["resultdesc"]
    nothing_on(client, pool)


def test_search_places_a_repeat_user_on_another_x(server: Server) -> None:
    """With two free X, A-?-C must land on the X A-?-B did not take, whatever the search scope."""
    client, pool = server.app("AXB", 2, "0755")
    for where in ({"areaCode": "0755"}, {}, {"areaCode": "0756", "areaMatchMode": "1"}):
        a, b, c = new_users(3)
        first = bind_ok(client, a, b, **where).body["relationNum"]
        second = bind_ok(client, a, c, **where).body["relationNum"]
        assert {first, second} == set(pool), where
        assert (a, b) in pairs_on(client, first)
        assert (a, c) in pairs_on(client, second)


def test_when_every_x_carries_a_the_next_bind_with_a_is_refused(server: Server) -> None:
    client, pool = server.app("AXB", 3, "0755")
    a = new_users(1)[0]
    used = {bind_ok(client, a, b, areaCode="0755").body["relationNum"] for b in new_users(3)}
    assert used == set(pool)
    b4 = new_users(1)[0]
    for where in ({"areaCode": "0755"}, {}):
        r = client.axb_bind(callerNum=a, calleeNum=b4, **where)
        refused(r, 403, "1012008")
        assert a in r.body["resultdesc"], r
    # B4 as A of a pair is refused too, because its partner A is everywhere
    r = client.axb_bind(callerNum=b4, calleeNum=a, areaCode="0755")
    refused(r, 403, "1012008")
    # naming an X that carries A: the collision code
    refused(client.axb_bind(relationNum=pool[0], callerNum=a, calleeNum=b4), 403, "1012010")
    # other users still fit
    c, d = new_users(2)
    bind_ok(client, c, d, areaCode="0755")
    assert sum(len(pairs_on(client, x)) for x in pool) == 4


def test_relation_num_of_another_app_is_refused(shared: Shared) -> None:
    client = shared.client
    _other, other_pool = shared.other, [shared.take_other()]
    a, b = new_users(2)
    r = client.axb_bind(relationNum=other_pool[0], callerNum=a, calleeNum=b)
    refused(r, 403, "1012001")
    refused(client.axb_bind(relationNum=new_numbers(1)[0], callerNum=a, calleeNum=b), 403, "1012001")
    assert pairs_on(_other, other_pool[0]) == set()


def test_app_without_numbers_is_insufficient_resources(server: Server) -> None:
    client, _ = server.app("AXB", 0)
    a, b = new_users(2)
    refused(client.axb_bind(callerNum=a, calleeNum=b), 403, "1012008")
    refused(client.axb_bind(callerNum=a, calleeNum=b, areaCode="0755", areaMatchMode="1"), 403, "1012008")


def test_one_x_carries_many_pairs(shared: Shared) -> None:
    """A modest capacity check over HTTP (the 5000 boundary is covered in test_domain_allocation)."""
    client, pool = shared.client, shared.take(1)
    users = new_users(40)
    for i in range(0, 40, 2):
        bind_ok(client, users[i], users[i + 1], relationNum=pool[0])
    q = client.axb_query(relationNum=pool[0], pageSize=100)
    assert q.ok and q.body["totalCount"] == 20, q


# --- frozen / blacklisted X ----------------------------------------------------------------------------------------


def test_bind_on_frozen_or_blacklisted_x_is_refused(server: Server) -> None:
    client, pool = server.app("AXB", 3, "0755")
    frozen, blacklisted, good = pool
    server.cli("numbers", "set-state", frozen, "frozen")
    server.cli("numbers", "set-state", blacklisted, "blacklisted")
    a, b = new_users(2)
    r = client.axb_bind(relationNum=frozen, callerNum=a, calleeNum=b)
    refused(r, 403, "1010029")
    assert r.body["resultdesc"].startswith("The subscriber status is frozen.")
    r = client.axb_bind(relationNum=blacklisted, callerNum=a, calleeNum=b)
    refused(r, 403, "1012102")
    assert r.body["resultdesc"].startswith("The number status is abnormal.")
    # a search skips both, loose or not
    assert bind_ok(client, a, b, areaCode="0755").body["relationNum"] == good
    c, d = new_users(2)
    assert bind_ok(client, c, d).body["relationNum"] == good
    server.cli("numbers", "set-state", good, "frozen")
    e, f = new_users(2)
    r = client.axb_bind(callerNum=e, calleeNum=f, areaCode="0755")
    refused(r, 403, "1012008")
    assert "frozen, blacklisted or unavailable" in r.body["resultdesc"], r
    assert pairs_on(client, frozen) == set() and pairs_on(client, blacklisted) == set()
    server.cli("numbers", "set-state", frozen, "available")
    assert bind_ok(client, e, f, areaCode="0755").body["relationNum"] == frozen


# --- unbind --------------------------------------------------------------------------------------------------------


def test_unbind_by_subscription_id(shared: Shared) -> None:
    client, pool = shared.client, shared.take(1)
    a, b, c, d = new_users(4)
    s1 = bind_ok(client, a, b, relationNum=pool[0]).body["subscriptionId"]
    bind_ok(client, c, d, relationNum=pool[0])
    r = client.axb_unbind(subscriptionId=s1)
    assert r.ok, r
    assert set(r.body) == {"resultcode", "resultdesc"}
    refused(client.axb_query(subscriptionId=s1), 403, "1012007")
    assert pairs_on(client, pool[0]) == {(c, d)}
    refused(client.axb_unbind(subscriptionId=s1), 403, "1012007")
    # A and B are free on X again
    bind_ok(client, b, a, relationNum=pool[0])


def test_unbind_by_relation_num_alone_removes_every_binding_on_x(shared: Shared) -> None:
    client, pool = shared.client, shared.take(2)
    users = new_users(8)
    for i in range(0, 6, 2):
        bind_ok(client, users[i], users[i + 1], relationNum=pool[0])
    bind_ok(client, users[6], users[7], relationNum=pool[1])
    assert client.axb_unbind(relationNum=pool[0]).ok
    refused(client.axb_query(relationNum=pool[0]), 403, "1012007")
    assert pairs_on(client, pool[1]) == {(users[6], users[7])}
    refused(client.axb_unbind(relationNum=pool[0]), 403, "1012007")  # X of this app without bindings
    bind_ok(client, users[0], users[1], relationNum=pool[0])


def test_subscription_id_wins_over_relation_num(shared: Shared) -> None:
    client, pool = shared.client, shared.take(1)
    a, b, c, d = new_users(4)
    s1 = bind_ok(client, a, b, relationNum=pool[0]).body["subscriptionId"]
    bind_ok(client, c, d, relationNum=pool[0])
    assert client.axb_unbind(subscriptionId=s1, relationNum=pool[0]).ok
    assert pairs_on(client, pool[0]) == {(c, d)}


def test_unbind_refusals_change_nothing(shared: Shared) -> None:
    client, pool = shared.client, shared.take(1)
    other, other_pool = shared.other, [shared.take_other()]
    a, b, c, d = new_users(4)
    bind_ok(client, a, b, relationNum=pool[0])
    foreign = bind_ok(other, c, d, relationNum=other_pool[0]).body["subscriptionId"]

    refused(client.axb_unbind(relationNum=other_pool[0]), 403, "1012001")
    refused(client.axb_unbind(relationNum=new_numbers(1)[0]), 403, "1012001")
    refused(client.axb_unbind(subscriptionId="0" * 32), 403, "1012007")
    refused(client.axb_unbind(subscriptionId=foreign), 403, "1012007")
    r = client.axb_unbind()
    refused(r, 403, "1010002")
    assert "subscriptionId" in r.body["resultdesc"]
    r = client.request("DELETE", AXB_URI, raw_query=f"relationNum={pool[0]}")  # '+' not sent as %2B
    refused(r, 403, "1010002")
    assert "%2B" in r.body["resultdesc"] and "relationNum" in r.body["resultdesc"], r
    refused(client.request("DELETE", AXB_URI, raw_query="relationNum=8617000000000"), 403, "1010002")

    assert pairs_on(client, pool[0]) == {(a, b)}
    assert pairs_on(other, other_pool[0]) == {(c, d)}
    # with %2B the same request works
    assert client.request("DELETE", AXB_URI, raw_query=f"relationNum=%2B{pool[0][1:]}").ok
    assert pairs_on(client, pool[0]) == set()


# --- modify --------------------------------------------------------------------------------------------------------


def test_modify_caller_and_callee(shared: Shared) -> None:
    client, pool = shared.client, shared.take(1)
    x = pool[0]
    a, b, c, d, e, f = new_users(6)
    s1 = bind_ok(client, a, b, relationNum=x).body["subscriptionId"]
    bind_ok(client, c, d, relationNum=x)

    r = client.axb_modify(subscriptionId=s1, calleeNum=e)
    assert r.ok, r
    assert set(r.body) == {"resultcode", "resultdesc"}
    assert pairs_on(client, x) == {(a, e), (c, d)}
    # B is free on X again, E is taken
    refused(client.axb_bind(relationNum=x, callerNum=e, calleeNum=f), 403, "1012010")

    for change in ({"calleeNum": c}, {"callerNum": d}, {"callerNum": c, "calleeNum": f}):
        refused(client.axb_modify(subscriptionId=s1, **change), 403, "1012010")
    r = client.axb_modify(subscriptionId=s1, calleeNum=a)
    refused(r, 403, "1010002")
    assert "calleeNum" in r.body["resultdesc"]
    assert pairs_on(client, x) == {(a, e), (c, d)}

    assert client.axb_modify(subscriptionId=s1, callerNum=f).ok
    assert pairs_on(client, x) == {(f, e), (c, d)}
    # swapping the two parties of one binding is not a collision
    assert client.axb_modify(subscriptionId=s1, callerNum=e, calleeNum=f).ok
    assert pairs_on(client, x) == {(e, f), (c, d)}
    bind_ok(client, a, b, relationNum=x)


def test_modify_refusals(shared: Shared) -> None:
    client, pool = shared.client, shared.take(1)
    other, other_pool = shared.other, [shared.take_other()]
    a, b, c, d = new_users(4)
    sub = bind_ok(client, a, b, relationNum=pool[0], duration=3600).body["subscriptionId"]
    foreign = bind_ok(other, c, d, relationNum=other_pool[0]).body["subscriptionId"]
    refused(client.axb_modify(subscriptionId="f" * 32, calleeNum=c), 403, "1012007")
    refused(client.axb_modify(subscriptionId=foreign, calleeNum=a), 403, "1012007")
    r = client.axb_modify(calleeNum=c)
    refused(r, 403, "1010002")
    assert "subscriptionId" in r.body["resultdesc"]
    for bad, field in (({"duration": 30}, "duration"), ({"callDirection": 5}, "callDirection"),
                       ({"maxDuration": 1441}, "maxDuration"), ({"userData": "a}"}, "userData"),
                       ({"calleeNum": "13900000000"}, "calleeNum"), ({"recordFlag": "yes"}, "recordFlag")):
        r = client.axb_modify(**{"subscriptionId": sub, "calleeNum": c, **bad})
        refused(r, 403, "1010002")
        assert field in r.body["resultdesc"], r
    refused(client.axb_modify(subscriptionId=sub, recordFlag="true"), 403, "1012012")
    info = client.axb_query(subscriptionId=sub).body["relationNumList"][0]
    assert (info["callerNum"], info["calleeNum"], info["duration"], info["recordFlag"]) == (a, b, 3600, "false")
    assert pairs_on(other, other_pool[0]) == {(c, d)}


def test_modify_duration_and_options_show_in_query(shared: Shared) -> None:
    client, pool = shared.client, shared.take(1)
    a, b = new_users(2)
    sub = bind_ok(client, a, b, relationNum=pool[0], duration=60).body["subscriptionId"]

    def info() -> dict:
        q = client.axb_query(subscriptionId=sub)
        assert q.ok, q
        return q.body["relationNumList"][0]

    assert info()["duration"] == 60
    assert client.axb_modify(subscriptionId=sub).ok  # nothing but the id: nothing changes
    assert info()["duration"] == 60
    assert client.axb_modify(subscriptionId=sub, duration=7200).ok
    assert info()["duration"] == 7200
    assert client.axb_modify(subscriptionId=sub, duration=0).ok
    assert info()["duration"] == 0
    assert client.axb_modify(subscriptionId=sub, callDirection=2, maxDuration=15, userData="order-7").ok
    got = info()
    assert (got["callDirection"], got["maxDuration"], got["userData"], got["duration"]) == (2, 15, "order-7", 0)
    assert (got["callerNum"], got["calleeNum"]) == (a, b)


# --- query ---------------------------------------------------------------------------------------------------------


def test_query_by_subscription_id_fields_and_types(shared: Shared) -> None:
    client, pool = shared.client, shared.take(1)
    a, b = new_users(2)
    before = datetime.now(UTC).replace(microsecond=0)
    sub = bind_ok(client, a, b, relationNum=pool[0], callDirection=1, duration=3600, maxDuration=30,
                  userData="hello-1").body["subscriptionId"]
    q = client.axb_query(subscriptionId=sub)
    assert q.ok, q
    body = q.body
    assert set(body) == {"resultcode", "resultdesc", "app_key", "totalCount", "pageIndex", "pageSize",
                         "relationNumList"}
    assert body["app_key"] == client.app_key
    assert (body["totalCount"], body["pageIndex"], body["pageSize"]) == (1, 1, 50)
    assert isinstance(body["relationNumList"], list) and len(body["relationNumList"]) == 1
    info = body["relationNumList"][0]
    assert info["subscriptionId"] == sub
    assert info["relationNum"] == pool[0]
    assert (info["callerNum"], info["calleeNum"]) == (a, b)
    for name, value in (("callDirection", 1), ("duration", 3600), ("maxDuration", 30)):
        assert type(info[name]) is int and info[name] == value, (name, info)
    assert info["recordFlag"] == "false"
    assert info["privateSms"] in ("true", "false")
    assert info["userData"] == "hello-1"
    assert SUBSCRIBE_TIME.fullmatch(info["subscribeTime"]), info
    stamp = datetime.strptime(info["subscribeTime"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    assert abs((stamp - before).total_seconds()) < 60, (stamp, before)  # UTC, not local time
    for absent in ("recordHintTone", "lastMinVoice", "preVoice"):
        assert absent not in info


def test_query_defaults_of_a_plain_binding(shared: Shared) -> None:
    client, pool = shared.client, shared.take(1)
    a, b = new_users(2)
    sub = bind_ok(client, a, b, relationNum=pool[0]).body["subscriptionId"]
    info = client.axb_query(subscriptionId=sub).body["relationNumList"][0]
    assert (info["callDirection"], info["duration"], info["maxDuration"], info["recordFlag"]) == (0, 0, 0, "false")
    assert "userData" not in info


def test_query_by_relation_num_pages(shared: Shared) -> None:
    client, pool = shared.client, shared.take(1)
    users = new_users(24)
    subs = [bind_ok(client, users[i], users[i + 1], relationNum=pool[0]).body["subscriptionId"]
            for i in range(0, 24, 2)]
    first = client.axb_query(relationNum=pool[0], pageSize=10)
    assert first.ok, first
    assert (first.body["totalCount"], first.body["pageIndex"], first.body["pageSize"]) == (12, 1, 10)
    assert len(first.body["relationNumList"]) == 10
    second = client.axb_query(relationNum=pool[0], pageSize=10, pageIndex=2)
    assert second.ok, second
    assert (second.body["totalCount"], second.body["pageIndex"], second.body["pageSize"]) == (12, 2, 10)
    assert len(second.body["relationNumList"]) == 2
    listed = [i["subscriptionId"] for i in first.body["relationNumList"] + second.body["relationNumList"]]
    assert sorted(listed) == sorted(subs)
    assert listed == subs  # oldest first
    for size in (5, 9, 101, 1000, "abc"):
        q = client.axb_query(relationNum=pool[0], pageSize=size)
        assert q.ok and q.body["pageSize"] == 50 and len(q.body["relationNumList"]) == 12, (size, q)
    q = client.axb_query(relationNum=pool[0])
    assert q.body["pageSize"] == 50 and q.body["pageIndex"] == 1
    refused(client.axb_query(relationNum=pool[0], pageIndex=0), 403, "1010002")
    refused(client.axb_query(relationNum=pool[0], pageIndex="x"), 403, "1010002")


def test_query_page_beyond_the_last_is_record_not_exist(shared: Shared) -> None:
    client, pool = shared.client, shared.take(1)
    users = new_users(4)
    bind_ok(client, users[0], users[1], relationNum=pool[0])
    bind_ok(client, users[2], users[3], relationNum=pool[0])
    refused(client.axb_query(relationNum=pool[0], pageSize=10, pageIndex=2), 403, "1012007")


def test_query_filters_by_caller_and_callee(shared: Shared) -> None:
    client, pool = shared.client, shared.take(1)
    x = pool[0]
    a, b, c, d = new_users(4)
    s1 = bind_ok(client, a, b, relationNum=x).body["subscriptionId"]
    s2 = bind_ok(client, c, d, relationNum=x).body["subscriptionId"]

    def ids(**q: str) -> list[str]:
        r = client.axb_query(relationNum=x, **q)
        assert r.ok, r
        assert r.body["totalCount"] == len(r.body["relationNumList"])
        return [i["subscriptionId"] for i in r.body["relationNumList"]]

    assert ids(callerNum=a) == [s1]
    assert ids(callerNum=c) == [s2]
    assert ids(calleeNum=d) == [s2]
    assert ids(callerNum=a, calleeNum=b) == [s1]
    refused(client.axb_query(relationNum=x, callerNum=b), 403, "1012007")  # B is a callee, not a caller
    refused(client.axb_query(relationNum=x, callerNum=a, calleeNum=d), 403, "1012007")


def test_query_refusals(shared: Shared) -> None:
    client, pool = shared.client, shared.take(1)
    _other, other_pool = shared.other, [shared.take_other()]
    refused(client.axb_query(relationNum=pool[0]), 403, "1012007")  # own X, no binding
    refused(client.axb_query(relationNum=other_pool[0]), 403, "1012001")
    refused(client.axb_query(subscriptionId="a" * 32), 403, "1012007")
    r = client.axb_query()
    refused(r, 403, "1010002")
    assert "subscriptionId" in r.body["resultdesc"]
    r = client.request("GET", AXB_URI, raw_query=f"relationNum={pool[0]}")
    refused(r, 403, "1010002")
    assert "%2B" in r.body["resultdesc"]


# --- bad input -----------------------------------------------------------------------------------------------------

BAD_BODIES: list[tuple[str, dict[str, Any], str]] = [
    ("missing callerNum", {"callerNum": None}, "callerNum"),
    ("missing calleeNum", {"calleeNum": None}, "calleeNum"),
    ("callerNum without +", {"callerNum": "8613912345678"}, "callerNum"),
    ("callerNum with letters", {"callerNum": "+86139abc5678"}, "callerNum"),
    ("calleeNum too long", {"calleeNum": "+8" + "1" * 31}, "calleeNum"),
    ("callerNum not a string", {"callerNum": 8613912345678}, "callerNum"),
    ("callDirection 3", {"callDirection": 3}, "callDirection"),
    ("callDirection -1", {"callDirection": -1}, "callDirection"),
    ("callDirection abc", {"callDirection": "abc"}, "callDirection"),
    ("callDirection bool", {"callDirection": True}, "callDirection"),
    ("duration 30", {"duration": 30}, "duration"),
    ("duration 59", {"duration": 59}, "duration"),
    ("duration 7776001", {"duration": 7776001}, "duration"),
    ("duration 60.5", {"duration": 60.5}, "duration"),
    ("duration negative", {"duration": -60}, "duration"),
    ("maxDuration 1441", {"maxDuration": 1441}, "maxDuration"),
    ("userData {", {"userData": "order{7"}, "userData"),
    ("userData }", {"userData": "order}7"}, "userData"),
    ("userData too long", {"userData": "u" * 257}, "userData"),
    ("recordFlag yes", {"recordFlag": "yes"}, "recordFlag"),
    ("areaCode letters", {"relationNum": None, "areaCode": "07a5"}, "areaCode"),
    ("areaMatchMode 2", {"relationNum": None, "areaCode": "0755", "areaMatchMode": "2"}, "areaMatchMode"),
    ("relationNum malformed", {"relationNum": "17000000000"}, "relationNum"),
]


@pytest.mark.parametrize(("change", "field"), [(c, f) for _, c, f in BAD_BODIES], ids=[n for n, _, _ in BAD_BODIES])
def test_bad_bind_body_is_invalid_request_and_creates_nothing(shared: Shared, change: dict[str, Any],
                                                              field: str) -> None:
    client, pool = shared.client, shared.take(1)
    a, b = new_users(2)
    body = {"relationNum": pool[0], "callerNum": a, "calleeNum": b, **change}
    r = client.axb_bind(**{k: v for k, v in body.items() if v is not None})
    refused(r, 403, "1010002")
    assert r.body["resultdesc"].startswith("Invalid request."), r
    assert field in r.body["resultdesc"], r
    nothing_on(client, pool)


@pytest.mark.parametrize("raw", [b"not json", b"[]", b'[{"callerNum": "+8613900000000"}]', b'"text"', b"42",
                                 b"{", b"\xff\xfe", b""])
def test_bind_body_not_a_json_object(shared: Shared, raw: bytes) -> None:
    client, pool = shared.client, shared.take(1)
    r = client.request("POST", AXB_URI, raw_body=raw)
    refused(r, 403, "1010002")
    assert "body" in r.body["resultdesc"] or "callerNum" in r.body["resultdesc"], r
    nothing_on(client, pool)


def test_modify_body_not_a_json_object(shared: Shared) -> None:
    client, pool = shared.client, shared.take(1)
    a, b = new_users(2)
    bind_ok(client, a, b, relationNum=pool[0])
    for raw in (b"not json", b"[]"):
        r = client.request("PUT", AXB_URI, raw_body=raw)
        refused(r, 403, "1010002")
        assert "body" in r.body["resultdesc"]
    assert pairs_on(client, pool[0]) == {(a, b)}


def test_record_flag_needs_recording_on_the_app(server: Server, shared: Shared) -> None:
    client, pool = shared.client, shared.take(1)
    a, b = new_users(2)
    for flag in ("true", True):
        r = client.axb_bind(relationNum=pool[0], callerNum=a, calleeNum=b, recordFlag=flag)
        refused(r, 403, "1012012")
    nothing_on(client, pool)
    bind_ok(client, a, b, relationNum=pool[0], recordFlag="false")

    rec, rec_pool = server.app("AXB", 1, "0755", "--recording")
    sub = bind_ok(rec, a, b, relationNum=rec_pool[0], recordFlag="true").body["subscriptionId"]
    assert rec.axb_query(subscriptionId=sub).body["relationNumList"][0]["recordFlag"] == "true"
    assert rec.axb_modify(subscriptionId=sub, recordFlag="false").ok
    assert rec.axb_query(subscriptionId=sub).body["relationNumList"][0]["recordFlag"] == "false"


# --- URI, method, mode -------------------------------------------------------------------------------------------


def test_wrong_method_is_invalid_rest_api(shared: Shared) -> None:
    client, pool = shared.client, shared.take(1)
    a, b = new_users(2)
    r = client.request("PATCH", AXB_URI, body={"relationNum": pool[0], "callerNum": a, "calleeNum": b})
    refused(r, 403, "1010006")
    assert r.body["resultdesc"].startswith("Invalid Rest API.")
    nothing_on(client, pool)


def test_unknown_uri_is_404(shared: Shared) -> None:
    client = shared.client
    r = client.request("POST", AXB_URI + "/nope", body={})
    assert r.status == 404, r
    assert r.code == "1010006", r
    assert client.request("GET", "/rest/caas/relationnumber/partners/v9.9").status == 404


def test_app_of_another_mode_may_not_call_axb(server: Server) -> None:
    key, secret = server.create_app("AX")
    ax = server.client(key, secret)
    a, b = new_users(2)
    r = ax.axb_bind(callerNum=a, calleeNum=b)
    refused(r, 403, "1010040")
    assert r.body["resultdesc"].startswith("The app_key is not allowed to invoke the API.")
    refused(ax.axb_query(subscriptionId="a" * 32), 403, "1010040")
    refused(ax.axb_unbind(subscriptionId="a" * 32), 403, "1010040")
    refused(ax.axb_modify(subscriptionId="a" * 32), 403, "1010040")


# --- expiry (slow) -------------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_duration_expires_binding_and_frees_x(server: Server) -> None:
    """duration=60 ends the binding; a modify with duration restarts the clock; duration=0 keeps it."""
    if server.backend != "sqlite":
        pytest.skip("timed test runs on sqlite only")
    client, pool = server.app("AXB", 1)
    x = pool[0]
    a, b, c, d, e, f = new_users(6)
    start = time.monotonic()
    expiring = bind_ok(client, a, b, relationNum=x, duration=60).body["subscriptionId"]
    kept = bind_ok(client, c, d, relationNum=x, duration=60).body["subscriptionId"]
    restarted = bind_ok(client, e, f, relationNum=x, duration=60).body["subscriptionId"]
    assert client.axb_modify(subscriptionId=kept, duration=0).ok
    bound_at = client.axb_query(subscriptionId=restarted).body["relationNumList"][0]["subscribeTime"]
    time.sleep(10)
    assert client.axb_modify(subscriptionId=restarted, duration=60).ok  # now ends ~70 s after start
    info = client.axb_query(subscriptionId=restarted).body["relationNumList"][0]
    assert info["duration"] == 60 and info["subscribeTime"] > bound_at, (bound_at, info)

    while client.axb_query(subscriptionId=expiring).ok:
        assert time.monotonic() - start < 75, "binding with duration=60 still there after 75 s"
        time.sleep(0.5)
    assert time.monotonic() - start >= 59
    refused(client.axb_query(subscriptionId=expiring), 403, "1012007")
    assert client.axb_query(subscriptionId=restarted).ok  # restarted by the modify
    assert pairs_on(client, x) == {(c, d), (e, f)}
    # A and B are free on X again
    bind_ok(client, a, b, relationNum=x)

    while client.axb_query(subscriptionId=restarted).ok:
        assert time.monotonic() - start < 85, "modified binding did not expire 60 s after the modify"
        time.sleep(0.5)
    assert client.axb_query(subscriptionId=kept).ok  # duration=0: never expires
    assert pairs_on(client, x) == {(c, d), (a, b)}
    bind_ok(client, e, f, relationNum=x)


# --- a first end-to-end check: bind, query, unbind ---
def test_axb_round_trip(server: Server) -> None:
    client, pool = server.app("AXB", 1)
    a, b = new_users(2)
    r = client.axb_bind(relationNum=pool[0], callerNum=a, calleeNum=b)
    assert r.ok, r
    assert r.body["relationNum"] == pool[0]
    sub = r.body["subscriptionId"]
    q = client.axb_query(subscriptionId=sub)
    assert q.ok and q.body["relationNumList"][0]["callerNum"] == a
    assert client.axb_unbind(subscriptionId=sub).ok
    gone = client.axb_query(subscriptionId=sub)
    assert (gone.status, gone.code) == (403, "1012007")
