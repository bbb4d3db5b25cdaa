"""Every field of every interface, given values of every wrong kind: never a 500, always a documented refusal
(or success), always Huawei's JSON envelope."""

from __future__ import annotations

import json

import pytest

from huawei_client import AX_CALLEE_URI, AX_URI, AXB_URI, AXE_URI, AXYB_URI
from servers import Server, new_users

ODD_VALUES = [None, 0, -1, 1.5, True, "", " ", "x" * 300, [], {}, ["+8613900000001"], {"a": 1}, "+86abc",
              "😀", "null", "0" * 40, "+" + "9" * 40, "1e9", -(10**20), "a\x00b", "+86139\x0000000001"]

FIELDS = {
    ("POST", AXB_URI): ["relationNum", "areaCode", "areaMatchMode", "callerNum", "calleeNum", "callDirection",
                        "duration", "recordFlag", "recordHintTone", "maxDuration", "lastMinVoice", "privateSms",
                        "preVoice", "userData"],
    ("PUT", AXB_URI): ["subscriptionId", "callerNum", "calleeNum", "callDirection", "duration", "preVoice"],
    ("POST", AX_URI): ["origNum", "privateNum", "privateNumType", "areaCode", "areaMatchMode", "calleeNumDisplay",
                       "turnFlag", "callDirection", "maxDuration", "preVoice", "userData"],
    ("PUT", AX_URI): ["subscriptionId", "privateNum", "origNum", "turnFlag", "recordFlag"],
    ("PUT", AX_CALLEE_URI): ["subscriptionId", "privateNum", "calleeNum", "duration", "userData"],
    ("POST", AXE_URI): ["bindNum", "virtualNum", "areaCode", "extendNum", "displayNumMode", "callbackTone",
                        "callbackNum", "timeUnit", "bindExpiredTime", "callbackExpiredTime"],
    ("PUT", AXE_URI): ["subscriptionId", "virtualNum", "extendNum", "timeUnit", "bindExpiredTime"],
    ("POST", AXYB_URI): ["subscriptionId", "origNum", "areaCode", "areaMatchMode", "duration", "ybDuration",
                         "callDirection", "recordFlag"],
}
QUERY_FIELDS = {
    ("GET", AXB_URI): ["subscriptionId", "relationNum", "callerNum", "calleeNum", "pageIndex", "pageSize"],
    ("DELETE", AXB_URI): ["subscriptionId", "relationNum"],
    ("GET", AX_URI): ["subscriptionId", "origNum", "privateNum"],
    ("DELETE", AX_URI): ["subscriptionId", "privateNum", "origNum"],
    ("GET", AXE_URI): ["subscriptionId", "virtualNum", "extendNum"],
    ("DELETE", AXE_URI): ["subscriptionId", "virtualNum", "extendNum"],
    ("GET", AXYB_URI): ["subscriptionId", "relationNum", "app_key"],
    ("DELETE", AXYB_URI): ["subscriptionId", "yNum", "bNum", "app_key"],
}
ODD_QUERY_VALUES = ["", " ", "x" * 300, "+86abc", " 8613900000001", "%", "😀", "-1", "0", "99999999999999999999",
                    "a\x00b"]
MODE_OF = {AXB_URI: "AXB", AX_URI: "AX", AX_CALLEE_URI: "AX", AXE_URI: "AXE", AXYB_URI: "AXYB"}


def _check(reply: object, what: str) -> None:
    status, body = reply.status, reply.body  # type: ignore[attr-defined]
    assert status != 500 and status < 600, (what, status, body)
    assert isinstance(body, dict) and isinstance(body.get("resultcode"), str), (what, status, body)
    assert (status == 200) == (body["resultcode"] == "0"), (what, status, body)


@pytest.fixture(scope="module")
def clients(server: Server) -> dict:
    out = {}
    for mode in ("AXB", "AX", "AXE", "AXYB"):
        client, pool = server.app(mode, 2)
        out[mode] = (client, pool)
    return out


def _base_body(method: str, uri: str, pool: list[str]) -> dict:
    a, b = new_users(2)
    if uri == AXB_URI:
        return {"relationNum": pool[0], "callerNum": a, "calleeNum": b} if method == "POST" else {"subscriptionId": "x"}
    if uri == AX_URI:
        return {"origNum": a, "privateNum": pool[0]} if method == "POST" else {"subscriptionId": "x"}
    if uri == AX_CALLEE_URI:
        return {"privateNum": pool[0], "calleeNum": b}
    if uri == AXE_URI:
        return {"bindNum": a, "virtualNum": pool[0]} if method == "POST" else {"subscriptionId": "x"}
    return {"origNum": a, "areaCode": "0755"}


@pytest.mark.parametrize(("method", "uri"), list(FIELDS))
def test_odd_body_values(clients: dict, method: str, uri: str) -> None:
    client, pool = clients[MODE_OF[uri]]
    query = {"app_key": client.app_key} if uri == AXYB_URI else None
    for field in FIELDS[(method, uri)]:
        for value in ODD_VALUES:
            body = {**_base_body(method, uri, pool), field: value}
            reply = client.request(method, uri, body=body, query=query)
            _check(reply, f"{method} {uri} {field}={value!r}")
            if reply.status == 200 and method == "POST":  # undo a bind the odd value did not prevent
                sub = reply.body.get("subscriptionId")
                unbind_query = {"subscriptionId": sub, **(query or {})}
                assert client.request("DELETE", uri, query=unbind_query).status == 200
    for raw in (b"", b"{", b"[]", b"null", b"\xff\xfe", b'{"a":' + b"[" * 2000 + b"]" * 2000 + b"}",
                json.dumps({"x": "y" * 100_000}).encode()):
        _check(client.request(method, uri, raw_body=raw, query=query), f"{method} {uri} raw {raw[:20]!r}")


@pytest.mark.parametrize(("method", "uri"), list(QUERY_FIELDS))
def test_odd_query_values(clients: dict, method: str, uri: str) -> None:
    client, _ = clients[MODE_OF[uri]]
    for field in QUERY_FIELDS[(method, uri)]:
        for value in ODD_QUERY_VALUES:
            query = {"subscriptionId": "x", field: value}
            if uri == AXYB_URI and field != "app_key":
                query["app_key"] = client.app_key
            _check(client.request(method, uri, query=query), f"{method} {uri} {field}={value!r}")
    _check(client.request(method, uri, raw_query="subscriptionId=%ZZ&&=&a==b"), f"{method} {uri} raw query")


def test_huge_paging_values(clients: dict) -> None:
    """Paging values beyond any database integer are refused, not a 500 (found by review)."""
    client, pool = clients["AXB"]
    a, b = new_users(2)
    assert client.axb_bind(relationNum=pool[1], callerNum=a, calleeNum=b).ok
    for value in ("99999999999999999999999", "9223372036854775808", "1000001", "-5", "0"):
        reply = client.axb_query(relationNum=pool[1], pageIndex=value)
        _check(reply, f"pageIndex={value}")
        assert reply.code == "1010002", reply
    axe_client, axe_pool = clients["AXE"]
    reply = axe_client.request("GET", "/rest/caas/extendnumber/v2.0",
                               query={"virtualNum": axe_pool[0], "cursor": "0000000000000_99999999999999999999"})
    _check(reply, "AXE v2 cursor")
    assert reply.code == "1010002", reply
