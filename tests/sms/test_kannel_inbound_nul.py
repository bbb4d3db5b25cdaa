"""Kannel's inbound endpoints and U+0000: a NUL in the MO text (an 8-bit or UTF-16 message can carry one),
id, from or to is a 400 with the reason, and a DLR naming a message id with a NUL is an unknown message
(200) — on PostgreSQL, which cannot store or look up a NUL, as on SQLite (docs/contract/sms.md, "Kannel")."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from servers import BACKENDS, Server, drop_database, start_server

TOKEN = "kannel-test-token"
SENDER, X = "+8613800000001", "+8617000000001"


@pytest.fixture(scope="module", params=BACKENDS)
def kannel_server(request: pytest.FixtureRequest) -> Iterator[Server]:
    server = start_server(request.param, {"PRIVNUM_KANNEL_TOKEN": TOKEN})
    yield server
    server.stop()
    drop_database(server.database_url)


@pytest.mark.parametrize(("params", "body"), [
    ({"id": "k1", "from": SENDER, "to": X}, b"a\x00b"),
    ({"id": "k2", "from": SENDER, "to": X, "charset": "UTF-16BE"}, "a\x00".encode("utf-16-be")),
    ({"id": "k\x003", "from": SENDER, "to": X}, b"ok"),
    ({"id": "k4", "from": SENDER + "\x00", "to": X}, b"ok"),
    ({"id": "k5", "from": SENDER, "to": X + "\x00"}, b"ok"),
], ids=["text", "utf16-text", "id", "from", "to"])
def test_a_nul_in_an_mo_is_400(kannel_server: Server, params: dict[str, str], body: bytes) -> None:
    r = httpx.post(f"{kannel_server.base}/internal/kannel/mo", params={"token": TOKEN, **params}, content=body,
                   timeout=10)
    assert r.status_code == 400, (r.status_code, r.text)
    assert "U+0000" in r.text


def test_an_mo_without_nul_is_taken(kannel_server: Server) -> None:
    r = httpx.post(f"{kannel_server.base}/internal/kannel/mo", params={"token": TOKEN, "id": "k6", "from": SENDER,
                                                                       "to": X}, content=b"fine", timeout=10)
    assert r.status_code == 200, r.text


def test_a_dlr_naming_a_nul_id_is_an_unknown_message(kannel_server: Server) -> None:
    r = httpx.get(f"{kannel_server.base}/internal/kannel/dlr", params={"token": TOKEN, "msg": "m\x00", "type": "1"},
                  timeout=10)
    assert r.status_code == 200, r.text
