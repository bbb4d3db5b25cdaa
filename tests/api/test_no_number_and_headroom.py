"""A bind that finds no number says which limit was hit (the server's log; the wire keeps Huawei's answer), and
``privnum numbers headroom`` reports what the pool can still take, checked against bindings made over HTTP."""

from __future__ import annotations

import json
import time
from typing import Any

from huawei_client import Reply
from servers import Server, new_numbers, new_users


def refused_with(server: Server, reply: Reply, code: str, resultdesc: str, reason: str, app_key: str) -> None:
    """Huawei's code and text on the wire; the reason, the app and the code in the server's log line."""
    assert reply.status == 403 and reply.code == code, reply
    assert set(reply.body) == {"resultcode", "resultdesc"}, reply
    assert reply.body["resultdesc"].startswith(resultdesc), reply
    log = server.workdir / "server.log"
    deadline = time.monotonic() + 10
    wanted = f"no number: reason={reason} app={app_key} "
    while time.monotonic() < deadline:
        if any(wanted in line and f"resultcode={code}" in line for line in log.read_text().splitlines()):
            return
        time.sleep(0.05)
    raise AssertionError(f"no log line {wanted!r} in {log}")


INSUFFICIENT = "Insufficient number of resources."


def _app(server: Server, mode: str, count: int, area: str, *extra: str) -> tuple[Any, str, list[str]]:
    key, secret = server.create_app(mode, *extra)
    pool = new_numbers(count)
    if pool:
        server.add_numbers(key, area, pool)
    return server.client(key, secret), key, pool


def test_no_number_in_the_area(server: Server) -> None:
    client, key, _ = _app(server, "AXB", 2, "0755")
    a, b = new_users(2)
    r = client.axb_bind(callerNum=a, calleeNum=b, areaCode="020")
    refused_with(server, r, "1012008", INSUFFICIENT, "no_number_in_area", key)
    assert "area code 020: the app has no number there" in r.body["resultdesc"], r


def test_every_number_frozen_or_blacklisted(server: Server) -> None:
    client, key, pool = _app(server, "AXB", 2, "0755")
    server.cli("numbers", "set-state", pool[0], "frozen")
    server.cli("numbers", "set-state", pool[1], "blacklisted")
    a, b = new_users(2)
    refused_with(server, client.axb_bind(callerNum=a, calleeNum=b, areaCode="0755"), "1012008", INSUFFICIENT,
                 "numbers_unusable", key)


def test_the_pair_limit_of_a_courier_with_many_orders(server: Server) -> None:
    """A appears at most once per X: with 2 numbers the courier's third open order finds none."""
    client, key, pool = _app(server, "AXB", 2, "0755")
    courier, *customers = new_users(4)
    placed = {client.axb_bind(callerNum=courier, calleeNum=c, areaCode="0755").body["relationNum"]
              for c in customers[:2]}
    assert placed == set(pool)
    r = client.axb_bind(callerNum=courier, calleeNum=customers[2], areaCode="0755")
    refused_with(server, r, "1012008", INSUFFICIENT, "pair_limit", key)
    assert f"already carry {courier}" in r.body["resultdesc"], r
    # another courier still fits
    (other,) = new_users(1)
    assert client.axb_bind(callerNum=other, calleeNum=customers[2], areaCode="0755").ok


def test_the_per_number_binding_cap(server: Server) -> None:
    """AXE with 1-digit extensions: an X carries 9 bindings."""
    client, key, _ = _app(server, "AXE", 1, "0755", "--extension-length", "1")
    users = new_users(10)
    for a in users[:9]:
        assert client.axe_bind(bindNum=a, areaCode="0755").ok
    refused_with(server, client.axe_bind(bindNum=users[9], areaCode="0755"), "1012008", INSUFFICIENT,
                 "binding_cap_reached", key)


def test_the_five_x_quota_of_one_a(server: Server) -> None:
    client, key, _ = _app(server, "AX", 6, "0755")
    (a,) = new_users(1)
    for _ in range(5):
        assert client.ax_bind(origNum=a, areaCode="0755").ok
    refused_with(server, client.ax_bind(origNum=a, areaCode="0755"), "1011003",
                 "Exceeded the upper limit of resources that can be applied for.", "user_quota", key)


def headroom(server: Server, *args: str) -> dict[str, dict]:
    out = server.cli("numbers", "headroom", *args, "--json")
    return {row["area_code"]: row for row in json.loads(out.stdout)}


def test_headroom_follows_the_bindings_made_over_http(server: Server) -> None:
    client, key, _ = _app(server, "AXB", 3, "0755")
    guangzhou = new_numbers(2)
    server.add_numbers(key, "020", guangzhou)
    server.cli("numbers", "set-state", guangzhou[1], "frozen")
    users = new_users(8)
    subs = [client.axb_bind(callerNum=users[i], calleeNum=users[i + 1], areaCode="0755").body["subscriptionId"]
            for i in range(0, 8, 2)]
    assert all(subs)
    report = headroom(server, "--app", key)
    assert set(report) == {"0755", "020"}
    sz, gz = report["0755"], report["020"]
    assert (sz["numbers"], sz["open_numbers"], sz["bindings"]) == (3, 3, 4)
    assert sz["free_capacity"] == 3 * 5000 - 4 and sz["per_party"] == 3
    assert (sz["binds_last_hour"], sz["unbinds_last_hour"], sz["net_per_hour"]) == (4, 0, 4)
    assert sz["hours_to_exhaustion"] == (3 * 5000 - 4) / 4
    assert (gz["numbers"], gz["open_numbers"], gz["free_capacity"], gz["binds_last_hour"]) == (2, 1, 5000, 0)
    assert gz["hours_to_exhaustion"] is None
    # an unbind gives capacity back and slows the net rate
    assert client.axb_unbind(subscriptionId=subs[0]).ok
    sz = headroom(server, "--app", key, "--area", "0755")["0755"]
    assert (sz["bindings"], sz["free_capacity"], sz["unbinds_last_hour"], sz["net_per_hour"]) == (3, 3 * 5000 - 3, 1, 3)
    # the table says "never" where nothing is being used up
    table = server.cli("numbers", "headroom", "--app", key, "--area", "020").stdout
    assert "never" in table and "020" in table


def test_headroom_of_an_extension_pool(server: Server) -> None:
    client, key, _ = _app(server, "AXE", 2, "0571", "--extension-length", "1")
    for a in new_users(3):
        assert client.axe_bind(bindNum=a, areaCode="0571").ok
    row = headroom(server, "--app", key)["0571"]
    assert (row["bindings"], row["free_capacity"], row["binds_last_hour"]) == (3, 2 * 9 - 3, 3)
