"""A first end-to-end check: bind, query, unbind on AXB through real HTTP."""

from __future__ import annotations

from conftest import Server, new_users


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
