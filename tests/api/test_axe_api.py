"""AXE mode over real HTTP: bind, unbind, modify, query v1.0 and the v2.0 cursor query (docs/contract/axe.md)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from huawei_client import AXE_URI, HuaweiClient, Reply
from servers import Server, new_numbers, new_users

AREA = "0755"
AXE_V2_URI = "/rest/caas/extendnumber/v2.0"
ENVELOPE = {"resultcode", "resultdesc"}
BIND_FIELDS = {"resultcode", "resultdesc", "subscriptionId", "virtualNum", "extendNum"}
QUERY_FIELDS = {"resultcode", "resultdesc", "subscriptionId", "virtualNum", "extendNum", "bindNum", "displayNumMode",
                "recordFlag", "timeUnit", "bindExpiredTime", "callbackExpiredTime"}


@dataclass
class AxeApp:
    client: HuaweiClient
    pool: list[str]
    used: int = 0

    def take(self, count: int = 1) -> list[str]:
        taken = self.pool[self.used:self.used + count]
        assert len(taken) == count, "the shared AXE pool is exhausted; enlarge it"
        self.used += count
        return taken

    def bind(self, a: str, x: str, **extra: object) -> dict:
        r = self.client.axe_bind(bindNum=a, virtualNum=x, **extra)
        assert r.ok, r
        return r.body


@pytest.fixture(scope="module")
def axe2(server: Server) -> AxeApp:
    """Extension length 2: 99 extensions per X."""
    client, pool = server.app("AXE", 60, AREA, "--extension-length", "2")
    return AxeApp(client, pool)


@pytest.fixture(scope="module")
def axe4(server: Server) -> AxeApp:
    """The default extension length, 4."""
    client, pool = server.app("AXE", 12, AREA)
    return AxeApp(client, pool)


def refused(r: Reply, code: str, status: int = 403) -> None:
    assert (r.status, r.code) == (status, code), r
    assert set(r.body) == ENVELOPE, r


# ---------------------------------------------------------------- bind


def test_bind_auto_extension(axe2: AxeApp) -> None:
    (x,), users = axe2.take(), new_users(6)
    extensions = set()
    for a in users:
        r = axe2.client.axe_bind(bindNum=a, virtualNum=x)
        assert r.ok, r
        assert set(r.body) == BIND_FIELDS, r
        assert r.body["virtualNum"] == x
        ext = r.body["extendNum"]
        assert isinstance(ext, str) and re.fullmatch(r"\d\d", ext) and ext != "00", r
        sub = r.body["subscriptionId"]
        assert isinstance(sub, str) and 1 <= len(sub) <= 64
        extensions.add(ext)
    assert len(extensions) == len(users)


def test_bind_auto_extension_default_length_four(axe4: AxeApp) -> None:
    (x,), (a,) = axe4.take(), new_users(1)
    body = axe4.bind(a, x)
    assert re.fullmatch(r"\d{4}", body["extendNum"]) and body["extendNum"] != "0000", body


def test_bind_by_area_code(server: Server) -> None:
    # an app of its own: the search picks any free number of the city, which must not be one another test took
    client, pool = server.app("AXE", 2, AREA, "--extension-length", "2")
    (a,) = new_users(1)
    r = client.axe_bind(bindNum=a, areaCode=AREA)
    assert r.ok and set(r.body) == BIND_FIELDS, r
    assert r.body["virtualNum"] in pool


def test_bind_explicit_extend_num(axe2: AxeApp) -> None:
    (x, y), (a, b, c) = axe2.take(2), new_users(3)
    body = axe2.bind(a, x, extendNum="07")
    assert (body["virtualNum"], body["extendNum"]) == (x, "07")
    r = axe2.client.axe_bind(bindNum=b, virtualNum=x, extendNum="07")
    refused(r, "1020167")
    assert r.body["resultdesc"].startswith("No idle extend Number.")
    # the same extension on another X is fine
    assert axe2.bind(c, y, extendNum="07")["extendNum"] == "07"
    # the refused A got nothing on x
    refused(axe2.client.axe_query(virtualNum=x, extendNum="08"), "1016001")


@pytest.mark.parametrize("ext", ["7", "123", "00", "ab", "1a", "-1", " 7"])
def test_extend_num_of_wrong_form(axe2: AxeApp, ext: str) -> None:
    (x,), (a,) = axe2.take(), new_users(1)
    r = axe2.client.axe_bind(bindNum=a, virtualNum=x, extendNum=ext)
    refused(r, "1010002")
    assert "extendNum" in r.body["resultdesc"], r
    assert axe2.client.request("GET", AXE_V2_URI, query={"virtualNum": x}).body.get("axeBindingList") == []


def test_extend_num_length_follows_the_app(axe4: AxeApp) -> None:
    (x,), (a, b) = axe4.take(), new_users(2)
    refused(axe4.client.axe_bind(bindNum=a, virtualNum=x, extendNum="12"), "1010002")
    assert axe4.bind(a, x, extendNum="0012")["extendNum"] == "0012"
    assert axe4.bind(b, x, extendNum="9999")["extendNum"] == "9999"


def test_extend_num_is_ascii_digits(server: Server, axe4: AxeApp) -> None:
    """Other Unicode digits (str.isdigit) are no extension: 1010002, not a binding no caller can key in, and not a
    500 ("²" passed isdigit, then int() failed; found with the OpenAPI schema's [0-9] pattern)."""
    client, (x,) = server.app("AXE", 1, AREA, "--extension-length", "1")
    (y,), users = axe4.take(), new_users(2)
    for app_client, number, ext in ((client, x, "²"), (client, x, "٣"), (axe4.client, y, "١٢٣٤")):
        for reply in (app_client.axe_bind(bindNum=users[0], virtualNum=number, extendNum=ext),
                      app_client.axe_query(virtualNum=number, extendNum=ext),
                      app_client.axe_unbind(virtualNum=number, extendNum=ext),
                      app_client.axe_modify(virtualNum=number, extendNum=ext, recordFlag="false")):
            refused(reply, "1010002")
            assert "extendNum" in reply.body["resultdesc"], reply
        assert app_client.request("GET", AXE_V2_URI, query={"virtualNum": number}).body["axeBindingList"] == []


def test_same_a_twice_on_same_x(axe2: AxeApp) -> None:
    (x, y), (a,) = axe2.take(2), new_users(1)
    first = axe2.bind(a, x)
    r = axe2.client.axe_bind(bindNum=a, virtualNum=x)
    refused(r, "1012010")
    assert r.body["resultdesc"].startswith("The relation number has been bound.")
    refused(axe2.client.axe_bind(bindNum=a, virtualNum=x, extendNum="55" if first["extendNum"] != "55" else "56"),
            "1012010")
    # on another X the same A is fine
    assert axe2.bind(a, y)["virtualNum"] == y


def test_x_full(server: Server) -> None:
    """Extension length 1: an X holds 9 bindings."""
    client, (x,) = server.app("AXE", 1, "0571", "--extension-length", "1")
    users = new_users(11)
    subs = {}
    for a in users[:9]:
        r = client.axe_bind(bindNum=a, virtualNum=x)
        assert r.ok, r
        subs[r.body["extendNum"]] = r.body["subscriptionId"]
    assert sorted(subs) == [str(d) for d in range(1, 10)]
    r = client.axe_bind(bindNum=users[9], virtualNum=x)
    refused(r, "1020167")
    refused(client.axe_bind(bindNum=users[9], virtualNum=x, extendNum="5"), "1020167")
    searched = client.axe_bind(bindNum=users[9], areaCode="0571")
    refused(searched, "1012008")
    assert searched.body["resultdesc"].startswith("Insufficient number of resources.")
    refused(client.axe_bind(bindNum=users[9], areaCode="0571", extendNum="3"), "1020167")
    # unbinding one frees its extension for the search
    assert client.axe_unbind(subscriptionId=subs["4"]).ok
    again = client.axe_bind(bindNum=users[10], areaCode="571")
    assert again.ok and (again.body["virtualNum"], again.body["extendNum"]) == (x, "4"), again


def test_callback_tone_and_num_together(axe2: AxeApp) -> None:
    (x,), (a, b) = axe2.take(), new_users(2)
    r = axe2.client.axe_bind(bindNum=a, virtualNum=x, callbackTone="tone.wav", callbackNum=b)
    refused(r, "1010002")
    assert "callback" in r.body["resultdesc"]
    sub = axe2.bind(a, x, callbackNum=b)["subscriptionId"]
    refused(axe2.client.axe_modify(subscriptionId=sub, callbackTone="t.wav", callbackNum=b), "1010002")
    assert axe2.client.axe_query(subscriptionId=sub).body["callbackNum"] == b


@pytest.mark.parametrize("fields, ok", [
    ({"bindExpiredTime": 721}, False),
    ({"bindExpiredTime": 721, "timeUnit": "0"}, False),
    ({"bindExpiredTime": 43201, "timeUnit": "1"}, False),
    ({"bindExpiredTime": -1}, False),
    ({"callbackExpiredTime": 721}, False),
    ({"callbackExpiredTime": 43201, "timeUnit": "1"}, False),
    ({"timeUnit": "2"}, False),
    ({"bindExpiredTime": 720}, True),
    ({"bindExpiredTime": 43200, "timeUnit": "1"}, True),
    ({"bindExpiredTime": 721, "timeUnit": "1"}, True),
], ids=lambda v: "-".join(f"{k}={w}" for k, w in v.items()) if isinstance(v, dict) else str(v))
def test_lifetime_ranges(axe2: AxeApp, fields: dict, ok: bool) -> None:
    (x,), (a,) = axe2.take(), new_users(1)
    r = axe2.client.axe_bind(bindNum=a, virtualNum=x, **fields)
    if ok:
        assert r.ok, r
        assert axe2.client.axe_query(subscriptionId=r.body["subscriptionId"]).body["bindExpiredTime"] == \
            fields["bindExpiredTime"]
    else:
        refused(r, "1010002")
        assert next(iter(fields)) in r.body["resultdesc"], r


def test_bind_body_not_json(axe2: AxeApp) -> None:
    refused(axe2.client.request("POST", AXE_URI, raw_body=b"bindNum=+8613900000000"), "1010002")


def test_virtual_num_of_another_app(axe2: AxeApp, axe4: AxeApp) -> None:
    (foreign,), (a,) = axe4.take(), new_users(1)
    refused(axe2.client.axe_bind(bindNum=a, virtualNum=foreign), "1012001")
    refused(axe2.client.axe_bind(bindNum=a, virtualNum=new_numbers(1)[0]), "1012001")


# ---------------------------------------------------------------- query v1.0


def test_query_flat_object(axe2: AxeApp) -> None:
    (x,), (a,) = axe2.take(), new_users(1)
    bound = axe2.bind(a, x)
    sub, ext = bound["subscriptionId"], bound["extendNum"]
    r = axe2.client.axe_query(subscriptionId=sub)
    assert r.ok, r
    assert set(r.body) == QUERY_FIELDS, r
    assert r.body == {"resultcode": "0", "resultdesc": "Success.", "subscriptionId": sub, "virtualNum": x,
                      "extendNum": ext, "bindNum": a, "displayNumMode": "0", "recordFlag": "false", "timeUnit": "0",
                      "bindExpiredTime": 0, "callbackExpiredTime": 0}
    by_numbers = axe2.client.axe_query(virtualNum=x, extendNum=ext)
    assert by_numbers.body == r.body
    # subscriptionId wins over the numbers
    assert axe2.client.axe_query(subscriptionId=sub, virtualNum=x, extendNum="99" if ext != "99" else "98").ok


def test_query_reports_bind_options(axe2: AxeApp) -> None:
    (x,), (a, cb) = axe2.take(), new_users(2)
    sub = axe2.bind(a, x, displayNumMode="1", callbackNum=cb, timeUnit="1", bindExpiredTime=90,
                    callbackExpiredTime=30, userData="shop-1")["subscriptionId"]
    body = axe2.client.axe_query(subscriptionId=sub).body
    assert set(body) == QUERY_FIELDS | {"callbackNum", "userData"}, body
    assert (body["displayNumMode"], body["callbackNum"], body["timeUnit"], body["userData"]) == ("1", cb, "1",
                                                                                                 "shop-1")
    assert body["bindExpiredTime"] == 90 and body["callbackExpiredTime"] == 30


def test_query_refusals(axe2: AxeApp, axe4: AxeApp) -> None:
    (x,), (a,) = axe2.take(), new_users(1)
    axe2.bind(a, x, extendNum="11")
    r = axe2.client.axe_query(virtualNum=x)
    refused(r, "1010002")
    refused(axe2.client.axe_query(extendNum="11"), "1010002")
    refused(axe2.client.axe_query(), "1010002")
    refused(axe2.client.axe_query(virtualNum=x, extendNum="1"), "1010002")  # wrong length
    refused(axe2.client.axe_query(virtualNum=x, extendNum="12"), "1016001")
    refused(axe2.client.axe_query(subscriptionId="nope"), "1016001")
    refused(axe2.client.axe_query(virtualNum=axe4.take()[0], extendNum="11"), "1012001")
    refused(axe2.client.request("GET", AXE_URI, raw_query=f"virtualNum={x}&extendNum=11"), "1010002")
    assert axe2.client.request("GET", AXE_URI, raw_query=f"virtualNum=%2B{x[1:]}&extendNum=11").ok


# ---------------------------------------------------------------- modify


def test_modify_bind_expired_time_query_keeps_the_bind_value(axe2: AxeApp) -> None:
    (x,), (a,) = axe2.take(), new_users(1)
    sub = axe2.bind(a, x, bindExpiredTime=5)["subscriptionId"]
    r = axe2.client.axe_modify(subscriptionId=sub, bindExpiredTime=10)
    assert r.ok and set(r.body) == ENVELOPE, r
    body = axe2.client.axe_query(subscriptionId=sub).body
    assert (body["bindExpiredTime"], body["timeUnit"]) == (5, "0"), body
    assert axe2.client.axe_modify(subscriptionId=sub, bindExpiredTime=600, timeUnit="1").ok
    body = axe2.client.axe_query(subscriptionId=sub).body
    assert (body["bindExpiredTime"], body["timeUnit"]) == (5, "0"), body
    refused(axe2.client.axe_modify(subscriptionId=sub, bindExpiredTime=721), "1010002")


def test_modify_lifetime_without_time_unit_uses_the_binding_unit(axe2: AxeApp) -> None:
    (x,), (a,) = axe2.take(), new_users(1)
    sub = axe2.bind(a, x, timeUnit="1", bindExpiredTime=60)["subscriptionId"]
    assert axe2.client.axe_modify(subscriptionId=sub, bindExpiredTime=1000).ok


def test_modify_other_fields(axe2: AxeApp) -> None:
    (x,), (a, cb) = axe2.take(), new_users(2)
    bound = axe2.bind(a, x, callbackTone="hello.wav")
    sub, ext = bound["subscriptionId"], bound["extendNum"]
    assert axe2.client.axe_query(subscriptionId=sub).body["callbackTone"] == "hello.wav"
    r = axe2.client.axe_modify(virtualNum=x, extendNum=ext, displayNumMode="1", callbackNum=cb,
                               callbackExpiredTime=12, userData="u2")
    assert r.ok, r
    body = axe2.client.axe_query(subscriptionId=sub).body
    assert "callbackTone" not in body, body  # setting one clears the other
    assert (body["displayNumMode"], body["callbackNum"], body["callbackExpiredTime"], body["userData"]) == \
        ("1", cb, 12, "u2")
    assert (body["bindNum"], body["extendNum"], body["virtualNum"]) == (a, ext, x)


def test_modify_refusals(axe2: AxeApp) -> None:
    (x,), (a,) = axe2.take(), new_users(1)
    sub = axe2.bind(a, x, extendNum="21")["subscriptionId"]
    before = axe2.client.axe_query(subscriptionId=sub).body
    refused(axe2.client.axe_modify(subscriptionId="nope", displayNumMode="1"), "1016001")
    refused(axe2.client.axe_modify(virtualNum=x, extendNum="22", displayNumMode="1"), "1016001")
    refused(axe2.client.axe_modify(virtualNum=x, displayNumMode="1"), "1010002")
    refused(axe2.client.axe_modify(subscriptionId=sub, displayNumMode="2"), "1010002")
    refused(axe2.client.request("PUT", AXE_URI, raw_body=b"{"), "1010002")
    assert axe2.client.axe_query(subscriptionId=sub).body == before


# ---------------------------------------------------------------- unbind


def test_unbind_by_subscription_id(axe2: AxeApp) -> None:
    (x,), (a, b) = axe2.take(), new_users(2)
    bound = axe2.bind(a, x, extendNum="31")
    r = axe2.client.axe_unbind(subscriptionId=bound["subscriptionId"])
    assert r.ok and set(r.body) == ENVELOPE, r
    refused(axe2.client.axe_query(subscriptionId=bound["subscriptionId"]), "1016001")
    refused(axe2.client.axe_unbind(subscriptionId=bound["subscriptionId"]), "1016001")
    # the extension and the A's place on x are free again
    assert axe2.bind(b, x, extendNum="31")["extendNum"] == "31"
    assert axe2.bind(a, x)["virtualNum"] == x


def test_unbind_by_virtual_num_and_extend_num(axe2: AxeApp) -> None:
    (x,), (a, b) = axe2.take(), new_users(2)
    keep = axe2.bind(a, x, extendNum="41")
    axe2.bind(b, x, extendNum="42")
    assert axe2.client.axe_unbind(virtualNum=x, extendNum="42").ok
    refused(axe2.client.axe_query(virtualNum=x, extendNum="42"), "1016001")
    assert axe2.client.axe_query(virtualNum=x, extendNum="41").body["subscriptionId"] == keep["subscriptionId"]


def test_unbind_refusals(axe2: AxeApp, axe4: AxeApp) -> None:
    (x,), (a,) = axe2.take(), new_users(1)
    axe2.bind(a, x, extendNum="51")
    refused(axe2.client.axe_unbind(subscriptionId="unknown"), "1016001")
    refused(axe2.client.axe_unbind(virtualNum=x, extendNum="52"), "1016001")
    refused(axe2.client.axe_unbind(virtualNum=x), "1010002")
    refused(axe2.client.axe_unbind(extendNum="51"), "1010002")
    refused(axe2.client.axe_unbind(), "1010002")
    refused(axe2.client.axe_unbind(virtualNum=axe4.take()[0], extendNum="51"), "1012001")
    assert axe2.client.axe_query(virtualNum=x, extendNum="51").ok


# ---------------------------------------------------------------- query v2.0


def test_v2_cursor_pages_through_an_x(axe2: AxeApp) -> None:
    (x, y), users = axe2.take(2), new_users(6)
    subs = {axe2.bind(a, x)["subscriptionId"] for a in users[:5]}
    axe2.bind(users[5], y)
    seen: list[str] = []
    pages = []
    cursor = None
    for _ in range(5):
        r = axe2.client.request("GET", AXE_V2_URI, query={"virtualNum": x, "limit": 2, "cursor": cursor})
        assert r.ok, r
        assert set(r.body) <= {"resultcode", "resultdesc", "nextCusor", "axeBindingList"}, r
        page = r.body["axeBindingList"]
        pages.append(len(page))
        for info in page:
            assert set(info) == QUERY_FIELDS - ENVELOPE, info
            assert info["virtualNum"] == x
            seen.append(info["subscriptionId"])
        cursor = r.body.get("nextCusor")
        if cursor is None:
            break
        assert isinstance(cursor, str) and re.fullmatch(r"\d{13}_\d{1,20}", cursor), cursor
    assert pages == [2, 2, 1]
    assert len(seen) == 5 and set(seen) == subs
    whole = axe2.client.request("GET", AXE_V2_URI, query={"virtualNum": x, "cursor": "0000000000000_0"})
    assert whole.ok and "nextCusor" not in whole.body, whole
    assert [i["subscriptionId"] for i in whole.body["axeBindingList"]] == seen
    exact = axe2.client.request("GET", AXE_V2_URI, query={"virtualNum": x, "limit": 5})
    assert exact.ok and "nextCusor" not in exact.body and len(exact.body["axeBindingList"]) == 5, exact
    refused(axe2.client.request("GET", AXE_V2_URI, query={"limit": 2}), "1010002")
    refused(axe2.client.request("GET", AXE_V2_URI, query={"virtualNum": x, "cursor": "abc"}), "1010002")
