"""An empty number ("") is not absent: it is outside String(4-31), so every mode refuses it with 1010002 naming the
field, in bodies and in query strings, and changes nothing (found: an AXB modify with ``"calleeNum": ""`` answered
``0 Success.`` and left the binding as it was)."""

from __future__ import annotations

from typing import Any

from huawei_client import AX_CALLEE_URI, AX_URI, AXB_URI, AXE_URI, AXYB_URI, HuaweiClient, Reply
from servers import Server, new_users

AXE_V2_URI = "/rest/caas/extendnumber/v2.0"
AREA = "0755"


def refused_naming(reply: Reply, field: str, what: str) -> None:
    assert (reply.status, reply.code) == (403, "1010002"), (what, reply)
    assert set(reply.body) == {"resultcode", "resultdesc"}, (what, reply)
    assert reply.body["resultdesc"].startswith("Invalid request."), (what, reply)
    assert field in reply.body["resultdesc"], (what, reply)


def send(client: HuaweiClient, method: str, uri: str, field: str, *, body: dict | None = None,
         query: dict | None = None) -> None:
    """``field`` is the one empty value of the request; the answer must be 1010002 naming it."""
    if uri == AXYB_URI:
        query = {**(query or {}), "app_key": client.app_key}
    reply = client.request(method, uri, body=body, query=query)
    refused_naming(reply, field, f"{method} {uri} body={body} query={query}")


def test_axb_empty_numbers_are_refused(server: Server) -> None:
    client, (x, x2) = server.app("AXB", 2)
    a, b, c, d = new_users(4)
    bound = client.axb_bind(relationNum=x, callerNum=a, calleeNum=b)
    assert bound.ok, bound
    sub = bound.body["subscriptionId"]
    for field in ("callerNum", "calleeNum"):
        send(client, "PUT", AXB_URI, field, body={"subscriptionId": sub, field: ""})
        send(client, "PUT", AXB_URI, field, body={"subscriptionId": sub, "callerNum": c, "calleeNum": d, field: ""})
    for field in ("relationNum", "callerNum", "calleeNum"):
        send(client, "POST", AXB_URI, field, body={"relationNum": x2, "callerNum": c, "calleeNum": d, field: ""})
        send(client, "GET", AXB_URI, field, query={"subscriptionId": sub, field: ""})
    send(client, "DELETE", AXB_URI, "relationNum", query={"subscriptionId": sub, "relationNum": ""})
    q = client.axb_query(subscriptionId=sub)
    assert q.ok, q
    assert [(i["callerNum"], i["calleeNum"]) for i in q.body["relationNumList"]] == [(a, b)]
    assert client.axb_query(relationNum=x2).code == "1012007"  # nothing was bound on x2


def test_ax_empty_numbers_are_refused(server: Server) -> None:
    client, (x, x2) = server.app("AX", 2, AREA)
    a, c = new_users(2)
    bound = client.ax_bind(origNum=a, privateNum=x)
    assert bound.ok, bound
    sub = bound.body["subscriptionId"]
    send(client, "POST", AX_URI, "origNum", body={"origNum": "", "privateNum": x2})
    send(client, "POST", AX_URI, "privateNum", body={"origNum": c, "privateNum": "", "areaCode": AREA})
    for field in ("origNum", "privateNum"):
        send(client, "PUT", AX_URI, field, body={"subscriptionId": sub, field: ""})
        send(client, "GET", AX_URI, field, query={"subscriptionId": sub, field: ""})
    send(client, "DELETE", AX_URI, "privateNum", query={"subscriptionId": sub, "privateNum": ""})
    send(client, "PUT", AX_CALLEE_URI, "calleeNum", body={"subscriptionId": sub, "calleeNum": ""})
    send(client, "PUT", AX_CALLEE_URI, "privateNum", body={"subscriptionId": sub, "privateNum": "", "calleeNum": c})
    q = client.ax_query(subscriptionId=sub)
    assert q.ok, q
    assert [(i["origNum"], i["privateNum"]) for i in q.body["privateNumList"]] == [(a, x)]
    assert client.ax_query(privateNum=x2).code != "0"  # nothing was bound on x2


def test_axe_empty_numbers_are_refused(server: Server) -> None:
    client, (x, x2) = server.app("AXE", 2, AREA)
    a, c, d = new_users(3)
    bound = client.axe_bind(bindNum=a, virtualNum=x)
    assert bound.ok, bound
    sub = bound.body["subscriptionId"]
    send(client, "POST", AXE_URI, "bindNum", body={"bindNum": "", "virtualNum": x2})
    send(client, "POST", AXE_URI, "virtualNum", body={"bindNum": c, "virtualNum": "", "areaCode": AREA})
    send(client, "POST", AXE_URI, "callbackNum", body={"bindNum": c, "virtualNum": x2, "callbackNum": ""})
    for field in ("virtualNum", "callbackNum"):
        send(client, "PUT", AXE_URI, field, body={"subscriptionId": sub, field: ""})
    for method, uri in (("GET", AXE_URI), ("DELETE", AXE_URI), ("GET", AXE_V2_URI)):
        send(client, method, uri, "virtualNum", query={"subscriptionId": sub, "virtualNum": ""})
    q = client.axe_query(subscriptionId=sub)
    assert q.ok, q
    assert (q.body["bindNum"], q.body["virtualNum"]) == (a, x) and "callbackNum" not in q.body, q
    v2 = client.request("GET", AXE_V2_URI, query={"virtualNum": x2})
    assert v2.ok and v2.body["axeBindingList"] == [], v2  # nothing was bound on x2
    assert client.axe_bind(bindNum=d, virtualNum=x2).ok


def test_axyb_empty_numbers_are_refused(server: Server) -> None:
    client, _ = server.app("AXYB", 3, AREA)
    a, b = new_users(2)
    ax = client.axyb_bind(origNum=a, areaCode=AREA)
    assert ax.ok, ax
    sub, x = ax.body["subscriptionId"], ax.body["relationNumber"]
    yb = client.axyb_bind(subscriptionId=sub, origNum=b)
    assert yb.ok, yb
    send(client, "POST", AXYB_URI, "origNum", body={"origNum": "", "areaCode": AREA})
    send(client, "POST", AXYB_URI, "origNum", body={"subscriptionId": sub, "origNum": ""})
    send(client, "GET", AXYB_URI, "relationNum", query={"subscriptionId": sub, "relationNum": ""})
    for field in ("yNum", "bNum"):
        send(client, "DELETE", AXYB_URI, field, query={"subscriptionId": sub, field: ""})
    q = client.axyb_query(subscriptionId=sub)
    assert q.ok, q
    relations: list[dict[str, Any]] = q.body["xyRelationNumList"]
    assert [(i["numA"], i["numX"], i.get("numB")) for i in relations] == [(a, x, b)], q
    assert client.axyb_query(relationNum=x).ok
