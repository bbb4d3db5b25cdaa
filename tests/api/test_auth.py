"""Authentication over real HTTP (docs/contract/auth.md): AKSK and legacy WSSE headers, clock, replay,
app status, IP allow-list and the per-IP lockout (database and Redis guards).

A request that passes authentication is recognised by the AXB query of an unknown subscriptionId
answering 403 1012007 (a business answer, reached only after authentication).
"""

from __future__ import annotations

import base64
import hashlib
import random
import secrets
import time
from collections.abc import Iterator
from typing import Any

import pytest

from huawei_client import AUTHORIZATION, AXB_URI, HuaweiClient, Reply, digest, utc_created
from servers import BACKENDS, Server, drop_database, new_users, start_server

UNKNOWN_ID = "0" * 32
WSSE_AUTHORIZATION = 'WSSE realm="SDP",profile="UsernameToken",type="Appkey"'


def wsse_digest(secret: str, nonce: str, created: str) -> str:
    return base64.b64encode(hashlib.sha256((nonce + created + secret).encode()).digest()).decode()


def token(parts: dict[str, str], sep: str = ",") -> str:
    return "UsernameToken " + sep.join(f'{k}="{v}"' for k, v in parts.items())


def parts(client: HuaweiClient, *, nonce: str | None = None, created: str | None = None, secret: str | None = None,
          wsse: bool = False) -> dict[str, str]:
    nonce = nonce or secrets.token_hex(16)
    created = created or utc_created()
    sign = wsse_digest if wsse else digest
    return {"Username": client.app_key, "PasswordDigest": sign(secret or client.app_secret, nonce, created),
            "Nonce": nonce, "Created": created}


def aksk(client: HuaweiClient, authorization: str | None = AUTHORIZATION, sep: str = ",", drop: str | None = None,
         **kw: Any) -> dict[str, str]:
    p = parts(client, **kw)
    if drop:
        del p[drop]
    h = {"Content-Type": "application/json;charset=UTF-8", "X-AKSK": token(p, sep)}
    if authorization is not None:
        h["Authorization"] = authorization
    return h


def wsse(client: HuaweiClient, drop: str | None = None, **kw: Any) -> dict[str, str]:
    p = parts(client, wsse=True, **kw)
    if drop:
        del p[drop]
    return {"Content-Type": "application/json;charset=UTF-8", "Authorization": WSSE_AUTHORIZATION,
            "X-WSSE": token(p)}


def probe(client: HuaweiClient, headers: dict[str, str] | None = None) -> Reply:
    return client.request("GET", AXB_URI, query={"subscriptionId": UNKNOWN_ID}, headers=headers)


def passed(reply: Reply) -> bool:
    return (reply.status, reply.code) == (403, "1012007")


def refused(reply: Reply, status: int, code: str, text: str | None = None) -> None:
    assert (reply.status, reply.code) == (status, code), reply
    assert set(reply.body) == {"resultcode", "resultdesc"}, reply
    if text is not None:
        assert reply.body["resultdesc"].startswith(text), reply


def random_ip() -> str:
    """A loopback source address of its own, so lockout state (also in a shared Redis) never leaks between runs."""
    return f"127.{random.randint(1, 254)}.{random.randint(1, 254)}.{random.randint(2, 254)}"


@pytest.fixture(scope="module")
def app(server: Server) -> tuple[HuaweiClient, str]:
    """An AXB app with one X, shared by the stateless header tests of this module."""
    client, pool = server.app("AXB", 1)
    return client, pool[0]


# --- header syntax (HTTP 400) ------------------------------------------------------------------------------------

A_OK = AUTHORIZATION
HEADER_CASES: list[tuple[str, dict[str, Any], str, str]] = [
    ("no Authorization", {"authorization": None}, "1023006", "Authorization not contained in the HTTP header."),
    ("empty Authorization", {"authorization": ""}, "1023006", "Authorization not contained in the HTTP header."),
    ("realm missing", {"authorization": 'AKSK profile="UsernameToken",type="Appkey"'}, "1023007",
     "realm not contained in Authorization."),
    ("profile missing", {"authorization": 'AKSK realm="SDP",type="Appkey"'}, "1023008",
     "profile not contained in Authorization."),
    ("realm wrong", {"authorization": 'AKSK realm="XYZ",profile="UsernameToken",type="Appkey"'}, "1023009",
     "The value of realm in Authorization must be SDP."),
    ("profile wrong", {"authorization": 'AKSK realm="SDP",profile="Token",type="Appkey"'}, "1023010",
     "The value of profile in Authorization must be UsernameToken."),
    ("type wrong", {"authorization": 'AKSK realm="SDP",profile="UsernameToken",type="Secret"'}, "1023011",
     "The value of type in Authorization must be app_key."),
    ("type missing", {"authorization": 'AKSK realm="SDP",profile="UsernameToken"'}, "1023012",
     "type not contained in Authorization."),
    ("Username missing", {"drop": "Username"}, "1023034", "UserName not contained in X-AKSK."),
    ("Nonce missing", {"drop": "Nonce"}, "1023035", "Nonce not contained in X-AKSK."),
    ("Created missing", {"drop": "Created"}, "1023036", "Created not contained in X-AKSK."),
    ("PasswordDigest missing", {"drop": "PasswordDigest"}, "1023037", "PasswordDigest not contained in X-AKSK."),
]


@pytest.mark.parametrize(("kw", "code", "text"), [(k, c, t) for _, k, c, t in HEADER_CASES],
                         ids=[n for n, _, _, _ in HEADER_CASES])
def test_header_problems_are_400(app: tuple[HuaweiClient, str], kw: dict[str, Any], code: str, text: str) -> None:
    client, _ = app
    refused(probe(client, aksk(client, **kw)), 400, code, text)


def test_missing_x_aksk_is_1023033(app: tuple[HuaweiClient, str]) -> None:
    client, _ = app
    h = aksk(client)
    del h["X-AKSK"]
    refused(probe(client, h), 400, "1023033", "HTTP header not found X-AKSK field.")
    refused(probe(client, {**h, "X-AKSK": ""}), 400, "1023033")


def test_empty_username_counts_as_missing(app: tuple[HuaweiClient, str]) -> None:
    client, _ = app
    p = parts(client)
    p["Username"] = ""
    refused(probe(client, {"Authorization": AUTHORIZATION, "X-AKSK": token(p)}), 400, "1023034")


def test_unknown_scheme_word_is_read_as_aksk(app: tuple[HuaweiClient, str]) -> None:
    client, _ = app
    h = aksk(client, authorization='Basic realm="SDP",profile="UsernameToken",type="Appkey"')
    del h["X-AKSK"]
    refused(probe(client, h), 400, "1023033")


WSSE_CASES = [("Username", "1023027", "Username not contained in X-WSSE."),
              ("Nonce", "1023028", "Nonce not contained in X-WSSE."),
              ("Created", "1023029", "Created not contained in X-WSSE."),
              ("PasswordDigest", "1023030", "PasswordDigest not contained in X-WSSE.")]


@pytest.mark.parametrize(("drop", "code", "text"), WSSE_CASES, ids=[c[0] for c in WSSE_CASES])
def test_wsse_parts_missing(app: tuple[HuaweiClient, str], drop: str, code: str, text: str) -> None:
    client, _ = app
    refused(probe(client, wsse(client, drop=drop)), 400, code, text)


def test_wsse_header_missing(app: tuple[HuaweiClient, str]) -> None:
    client, _ = app
    h = wsse(client)
    del h["X-WSSE"]
    refused(probe(client, h), 400, "1023026", "X-WSSE not contained in the HTTP header.")
    # an X-AKSK does not stand in for the missing X-WSSE
    refused(probe(client, {**h, "X-AKSK": aksk(client)["X-AKSK"]}), 400, "1023026")


def test_header_refusal_changes_nothing(app: tuple[HuaweiClient, str]) -> None:
    client, x = app
    a, b = new_users(2)
    for h in (aksk(client, drop="Nonce"), aksk(client, authorization=None), aksk(client, secret="wrong")):
        r = client.request("POST", AXB_URI, body={"relationNum": x, "callerNum": a, "calleeNum": b}, headers=h)
        assert r.status in (400, 401), r
    refused(client.axb_query(relationNum=x), 403, "1012007")


# --- accepted forms ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("sep", [",", ", ", " , ", ",  "])
def test_separators_with_or_without_space(app: tuple[HuaweiClient, str], sep: str) -> None:
    client, _ = app
    assert passed(probe(client, aksk(client, sep=sep)))


def test_authorization_with_spaces_and_lowercase_keys(app: tuple[HuaweiClient, str]) -> None:
    client, _ = app
    h = aksk(client, authorization='AKSK realm="SDP", profile="UsernameToken", type="Appkey"')
    assert passed(probe(client, h))
    p = parts(client)
    h = {"authorization": AUTHORIZATION,
         "x-aksk": 'UsernameToken UserName="{Username}", passworddigest="{PasswordDigest}", nonce="{Nonce}", '
                   'created="{Created}"'.format(**p)}
    assert passed(probe(client, h))
    assert passed(probe(client, aksk(client, authorization='AKSK realm="SDP",profile="UsernameToken",type="app_key"')))


def test_token_without_usernametoken_prefix_is_refused(app: tuple[HuaweiClient, str]) -> None:
    """auth.md: 'The leading UsernameToken token is required.'"""
    client, _ = app
    h = aksk(client)
    h["X-AKSK"] = h["X-AKSK"].removeprefix("UsernameToken ")
    r = probe(client, h)
    assert r.status in (400, 401) and not passed(r), r


def test_legacy_wsse_is_accepted(app: tuple[HuaweiClient, str]) -> None:
    client, x = app
    assert passed(probe(client, wsse(client)))
    a, b = new_users(2)
    r = client.request("POST", AXB_URI, body={"relationNum": x, "callerNum": a, "calleeNum": b}, headers=wsse(client))
    assert r.ok, r
    assert client.request("DELETE", AXB_URI, query={"subscriptionId": r.body["subscriptionId"]},
                          headers=wsse(client)).ok


def test_wsse_and_aksk_digests_are_not_interchangeable(app: tuple[HuaweiClient, str]) -> None:
    client, _ = app
    nonce, created = secrets.token_hex(8), utc_created()
    h = wsse(client, nonce=nonce, created=created)
    h["X-WSSE"] = token({"Username": client.app_key, "PasswordDigest": digest(client.app_secret, nonce, created),
                         "Nonce": nonce, "Created": created})
    refused(probe(client, h), 401, "1010010", "Invalid digest.")
    refused(probe(client, aksk(client, wsse=True)), 401, "1010010")


# --- digest, clock, nonce, APP_Key ---------------------------------------------------------------------------------


def test_bad_digest_is_401(app: tuple[HuaweiClient, str]) -> None:
    client, _ = app
    refused(probe(client, aksk(client, secret=client.app_secret + "x")), 401, "1010010", "Invalid digest.")
    h = aksk(client)
    h["X-AKSK"] = h["X-AKSK"].replace('PasswordDigest="', 'PasswordDigest="A')
    refused(probe(client, h), 401, "1010010")


@pytest.mark.parametrize("nonce", ["abc-def", "nonce with space", "n" * 129, "ab_cd"])
def test_malformed_nonce_is_invalid_digest(app: tuple[HuaweiClient, str], nonce: str) -> None:
    client, _ = app
    refused(probe(client, aksk(client, nonce=nonce)), 401, "1010010")


def test_nonce_of_128_letters_and_digits_is_fine(app: tuple[HuaweiClient, str]) -> None:
    client, _ = app
    assert passed(probe(client, aksk(client, nonce="aB3" * 42 + "xy")))


@pytest.mark.parametrize("offset_s", [-20 * 60, 20 * 60, -16 * 60, -24 * 3600])
def test_created_outside_the_window_is_time_out(app: tuple[HuaweiClient, str], offset_s: int) -> None:
    client, _ = app
    refused(probe(client, aksk(client, created=utc_created(offset_s))), 401, "1010013", "Time out limit.")


@pytest.mark.parametrize("offset_s", [-10 * 60, 10 * 60, -14 * 60])
def test_created_inside_the_window_is_fine(app: tuple[HuaweiClient, str], offset_s: int) -> None:
    client, _ = app
    assert passed(probe(client, aksk(client, created=utc_created(offset_s))))


@pytest.mark.parametrize("created", ["2024-01-01 00:00:00", "yesterday", time.strftime("%Y-%m-%dT%H:%M:%S"),
                                     time.strftime("%Y-%m-%dT%H:%M:%S+08:00")])
def test_malformed_created_is_time_out(app: tuple[HuaweiClient, str], created: str) -> None:
    client, _ = app
    refused(probe(client, aksk(client, created=created)), 401, "1010013")


def test_nonce_replay_is_refused_and_changes_nothing(server: Server, app: tuple[HuaweiClient, str]) -> None:
    client, x = app
    nonce, created = secrets.token_hex(16), utc_created()
    assert passed(probe(client, aksk(client, nonce=nonce, created=created)))
    a, b = new_users(2)
    r = client.request("POST", AXB_URI, body={"relationNum": x, "callerNum": a, "calleeNum": b},
                       headers=aksk(client, nonce=nonce, created=created))
    refused(r, 401, "1010010", "Invalid digest.")
    assert "nonce" in r.body["resultdesc"].lower(), r
    # a fresh Created does not make the nonce new again
    refused(probe(client, aksk(client, nonce=nonce)), 401, "1010010")
    refused(client.axb_query(relationNum=x), 403, "1012007")
    # another app may use the same nonce
    other, _ = server.app("AXB", 0)
    assert passed(probe(other, aksk(other, nonce=nonce, created=created)))


def test_nonce_replay_text(app: tuple[HuaweiClient, str]) -> None:
    client, _ = app
    nonce = secrets.token_hex(16)
    assert passed(probe(client, aksk(client, nonce=nonce)))
    r = probe(client, aksk(client, nonce=nonce))
    assert r.body == {"resultcode": "1010010", "resultdesc": "Invalid digest. The nonce has already been used."}, r


def test_refused_request_does_not_use_up_its_nonce(app: tuple[HuaweiClient, str]) -> None:
    """auth.md: only a request that passes steps 1-14 records its nonce."""
    client, _ = app
    nonce, created = secrets.token_hex(16), utc_created()
    refused(probe(client, aksk(client, nonce=nonce, created=created, secret="wrong")), 401, "1010010")
    assert passed(probe(client, aksk(client, nonce=nonce, created=created)))


def test_unknown_app_key_is_403(app: tuple[HuaweiClient, str]) -> None:
    client, _ = app
    stranger = HuaweiClient(client.base, "no-such-key-" + secrets.token_hex(4), "secret")
    try:
        refused(probe(stranger), 403, "1010003", "Invalid app_key.")
    finally:
        stranger.close()


# --- app status and IP allow-list ----------------------------------------------------------------------------------


def test_suspended_app_is_refused_until_resumed(server: Server) -> None:
    client, pool = server.app("AXB", 1)
    assert passed(probe(client))
    server.cli("app", "update", client.app_key, "--suspend")
    deadline = time.monotonic() + 4
    while passed(r := probe(client)) and time.monotonic() < deadline:
        time.sleep(0.2)
    refused(r, 403, "1010008", "The status of the app_key is unavailable.")
    a, b = new_users(2)
    refused(client.axb_bind(relationNum=pool[0], callerNum=a, calleeNum=b), 403, "1010008")
    server.cli("app", "update", client.app_key, "--resume")
    deadline = time.monotonic() + 4
    while not passed(r := probe(client)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert passed(r), r
    refused(client.axb_query(relationNum=pool[0]), 403, "1012007")  # the refused bind left nothing


def test_ip_allow_list(server: Server) -> None:
    key, secret = server.create_app("AXB", "--allow-ip", "127.0.0.3")
    outsider = server.client(key, secret, source_ip="127.0.0.2")
    insider = server.client(key, secret, source_ip="127.0.0.3")
    refused(probe(outsider), 403, "1020166", "The app client ip is not in ip white list.")
    assert passed(probe(insider))
    # an app without a list takes any address
    anyone, _ = server.app("AXB", 0, source_ip="127.0.0.2")
    assert passed(probe(anyone))


def test_ip_allow_list_takes_cidr_ranges(server: Server) -> None:
    key, secret = server.create_app("AXB", "--allow-ip", "127.0.9.0/24")
    assert passed(probe(server.client(key, secret, source_ip="127.0.9.7")))


# --- lockout -------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module", params=BACKENDS)
def lockout_server(request: pytest.FixtureRequest) -> Iterator[Server]:
    s = start_server(request.param, {"PRIVNUM_AUTH_LOCKOUT_FAILURES": "10"})
    yield s
    s.stop()
    drop_database(s.database_url)


@pytest.fixture(scope="module")
def redis_server(redis_url: str) -> Iterator[Server]:
    s = start_server("sqlite", {"PRIVNUM_REDIS_URL": redis_url, "PRIVNUM_AUTH_LOCKOUT_FAILURES": "10"})
    yield s
    s.stop()


def check_lockout(s: Server) -> None:
    key, secret = s.create_app("AXB")
    bad_ip, good_ip = random_ip(), random_ip()
    attacker = s.client(key, secret, source_ip=bad_ip)
    for i in range(10):
        refused(probe(attacker, aksk(attacker, secret="wrong")), 401, "1010010")
        if i == 8:
            assert passed(probe(attacker)), "banned before the 10th failure"
    r = probe(attacker)
    refused(r, 403, "1020176")
    assert r.body["resultdesc"].startswith("Authentication failed, try again later"), r
    # banned before any other check, and it stays banned
    refused(probe(attacker, {}), 403, "1020176")
    refused(probe(attacker, wsse(attacker)), 403, "1020176")
    assert passed(probe(s.client(key, secret, source_ip=good_ip)))


def test_lockout_after_ten_failures(lockout_server: Server) -> None:
    check_lockout(lockout_server)


def test_every_counted_failure_kind_adds_up(lockout_server: Server) -> None:
    key, secret = lockout_server.create_app("AXB")
    c = lockout_server.client(key, secret, source_ip=random_ip())
    unknown_key = parts(c)
    unknown_key["Username"] = "no-such-" + secrets.token_hex(4)
    bad = [aksk(c, authorization=None), aksk(c, drop="Nonce"), aksk(c, created=utc_created(-3600)),
           aksk(c, nonce="bad-nonce"), aksk(c, secret="wrong"),
           {"Authorization": AUTHORIZATION, "X-AKSK": token(unknown_key)}]
    for h in bad[:5] + bad[1:]:
        r = probe(c, h)
        assert r.status in (400, 401, 403) and r.code != "1020176", r
    refused(probe(c), 403, "1020176")


def test_refusals_after_authentication_do_not_count(lockout_server: Server) -> None:
    """1010040 (step 15) and business refusals do not count toward the lockout."""
    ip = random_ip()
    ax_key, ax_secret = lockout_server.create_app("AX")
    ax = lockout_server.client(ax_key, ax_secret, source_ip=ip)
    for _ in range(12):
        refused(ax.axb_query(subscriptionId=UNKNOWN_ID), 403, "1010040")
    key, secret = lockout_server.create_app("AXB")
    c = lockout_server.client(key, secret, source_ip=ip)
    for _ in range(12):
        assert passed(probe(c))


def test_suspension_and_allow_list_refusals_do_not_count(lockout_server: Server) -> None:
    ip = random_ip()
    key, secret = lockout_server.create_app("AXB", "--allow-ip", "127.0.0.1")
    fenced = lockout_server.client(key, secret, source_ip=ip)
    for _ in range(12):
        refused(probe(fenced), 403, "1020166")
    open_key, open_secret = lockout_server.create_app("AXB")
    assert passed(probe(lockout_server.client(open_key, open_secret, source_ip=ip)))


def test_redis_lockout_and_nonce_replay(redis_server: Server) -> None:
    check_lockout(redis_server)
    key, secret = redis_server.create_app("AXB")
    c = redis_server.client(key, secret, source_ip=random_ip())
    nonce = secrets.token_hex(16)
    assert passed(probe(c, aksk(c, nonce=nonce)))
    r = probe(c, aksk(c, nonce=nonce))
    refused(r, 401, "1010010")
    assert "nonce" in r.body["resultdesc"].lower(), r
