"""Huawei's AKSK headers: what the builder sends, what the parser reads back, and the result code of
each malformed header (docs/contract/auth.md, "Order of checks")."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time
from datetime import UTC, datetime

import pytest

from privnum.domain.apps import App
from privnum.domain.modes import Mode
from privnum.domain.result_codes import Refused
from privnum.huawei.aksk import aksk_headers, push_headers, read_credentials
from privnum.service.authentication import AuthPolicy, Credentials, authenticate, wsse_digest

KEY, SECRET = "app-key-1", "app-secret-1"
AUTH = 'AKSK realm="SDP",profile="UsernameToken",type="Appkey"'
TOKEN = 'UsernameToken Username="k",PasswordDigest="d",Nonce="n",Created="2026-01-01T00:00:00Z"'


class Directory:
    def __init__(self, app: App) -> None:
        self.app = app

    async def by_key(self, app_key: str) -> App | None:
        return self.app if app_key == self.app.app_key else None

    async def by_id(self, app_id: int) -> App | None:
        return self.app if app_id == self.app.id else None


class Guard:
    def __init__(self) -> None:
        self.nonces: set[tuple[str, str]] = set()

    async def is_banned(self, ip: str, now_ms: int) -> bool:
        return False

    async def record_failure(self, ip: str, now_ms: int) -> None:
        pass

    async def first_use_of_nonce(self, app_key: str, nonce: str, now_ms: int, ttl_ms: int) -> bool:
        first = (app_key, nonce) not in self.nonces
        self.nonces.add((app_key, nonce))
        return first


APP = App(id=1, enterprise_id=1, name="shop", mode=Mode.AXB, app_key=KEY, app_secret=SECRET)


def received(headers: dict[str, str]) -> dict[str, str]:
    """Header names as an HTTP server hands them over (case-insensitive: lower case here)."""
    return {name.lower(): value for name, value in headers.items()}


def code_of(headers: dict[str, str]) -> str:
    with pytest.raises(Refused) as refused:
        read_credentials(headers)
    return refused.value.result.value.code


async def verify(creds: Credentials, guard: Guard | None = None, app: App = APP) -> App:
    return await authenticate(creds, "10.0.0.1", int(time.time() * 1000), Directory(app), guard or Guard(),
                              AuthPolicy())


# -- building ------------------------------------------------------------------------------------

def test_built_headers_have_huawei_form_and_a_correct_digest() -> None:
    headers = aksk_headers(KEY, SECRET)
    assert headers["Authorization"] == AUTH
    assert headers["Content-Type"] == "application/json;charset=UTF-8"
    match = re.fullmatch(r'UsernameToken Username="([^"]+)",PasswordDigest="([^"]+)",Nonce="([0-9a-f]{32})",'
                         r'Created="(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)"', headers["X-AKSK"])
    assert match is not None, headers["X-AKSK"]
    username, digest, nonce, created = match.groups()
    assert username == KEY
    mac = hmac.new(SECRET.encode(), (nonce + created).encode(), hashlib.sha256).digest()
    assert digest == base64.b64encode(mac).decode()
    stamp = datetime.strptime(created, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp()
    assert abs(stamp - time.time()) < 5  # UTC now


def test_every_request_gets_a_fresh_nonce() -> None:
    nonces = {read_credentials(received(aksk_headers(KEY, SECRET))).nonce for _ in range(20)}
    assert len(nonces) == 20


def test_push_headers_add_the_push_id() -> None:
    headers = push_headers(KEY, SECRET, "push-123")
    assert headers["X-Push-Id"] == "push-123"
    assert headers["Authorization"] == AUTH and headers["X-AKSK"].startswith('UsernameToken Username="app-key-1"')


# -- build → parse → verify ----------------------------------------------------------------------

async def test_built_headers_parse_and_authenticate_the_app() -> None:
    creds = read_credentials(received(aksk_headers(KEY, SECRET)))
    assert creds.scheme == "AKSK" and creds.app_key == KEY
    assert await verify(creds) == APP


async def test_the_same_headers_twice_are_a_replay() -> None:
    creds, guard = read_credentials(received(aksk_headers(KEY, SECRET))), Guard()
    await verify(creds, guard)
    with pytest.raises(Refused) as refused:
        await verify(creds, guard)
    assert refused.value.result.value.code == "1010010"


async def test_headers_signed_with_another_secret_are_refused() -> None:
    creds = read_credentials(received(aksk_headers(KEY, "not-the-secret")))
    with pytest.raises(Refused) as refused:
        await verify(creds)
    assert refused.value.result.value.code == "1010010"


async def test_legacy_wsse_headers_parse_and_authenticate() -> None:
    nonce, created = "abc123", datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    headers = {"authorization": 'WSSE realm="SDP", profile="UsernameToken", type="Appkey"',
               "x-wsse": f'UsernameToken UserName="{KEY}", PasswordDigest="{wsse_digest(SECRET, nonce, created)}", '
                         f'Nonce="{nonce}", Created="{created}"'}
    creds = read_credentials(headers)
    assert (creds.scheme, creds.app_key, creds.nonce, creds.created) == ("WSSE", KEY, nonce, created)
    assert await verify(creds) == APP


def test_parameter_names_are_case_insensitive_and_values_kept_as_written() -> None:
    creds = read_credentials({"authorization": 'AKSK REALM="SDP",Profile="UsernameToken",TYPE="app_key"',
                              "x-aksk": 'UsernameToken USERNAME="Key-A", passworddigest="D+/=", '
                                        'nonce="N1",created="2026-01-01T00:00:00Z"'})
    assert creds == Credentials(scheme="AKSK", app_key="Key-A", digest="D+/=", nonce="N1",
                                created="2026-01-01T00:00:00Z")


# -- malformed headers ---------------------------------------------------------------------------

MALFORMED: dict[str, tuple[dict[str, str], str]] = {
    "no Authorization": ({"x-aksk": TOKEN}, "1023006"),
    "empty Authorization": ({"authorization": "", "x-aksk": TOKEN}, "1023006"),
    "no realm": ({"authorization": 'AKSK profile="UsernameToken",type="Appkey"', "x-aksk": TOKEN}, "1023007"),
    "realm not SDP": ({"authorization": 'AKSK realm="sdp",profile="UsernameToken",type="Appkey"',
                       "x-aksk": TOKEN}, "1023009"),
    "no profile": ({"authorization": 'AKSK realm="SDP",type="Appkey"', "x-aksk": TOKEN}, "1023008"),
    "profile not UsernameToken": ({"authorization": 'AKSK realm="SDP",profile="Token",type="Appkey"',
                                   "x-aksk": TOKEN}, "1023010"),
    "no type": ({"authorization": 'AKSK realm="SDP",profile="UsernameToken"', "x-aksk": TOKEN}, "1023012"),
    "type not Appkey": ({"authorization": 'AKSK realm="SDP",profile="UsernameToken",type="secret"',
                         "x-aksk": TOKEN}, "1023011"),
    "unknown scheme read as AKSK": ({"authorization": 'Basic realm="SDP",profile="UsernameToken",type="Appkey"',
                                     "x-wsse": TOKEN}, "1023033"),
    "no X-AKSK": ({"authorization": AUTH}, "1023033"),
    "X-AKSK without UsernameToken": ({"authorization": AUTH, "x-aksk": TOKEN.removeprefix("UsernameToken ")},
                                     "1023034"),
    "X-AKSK without Username": ({"authorization": AUTH, "x-aksk": TOKEN.replace('Username="k",', "")}, "1023034"),
    "X-AKSK with an empty Username": ({"authorization": AUTH, "x-aksk": TOKEN.replace('"k"', '""')}, "1023034"),
    "X-AKSK without Nonce": ({"authorization": AUTH, "x-aksk": TOKEN.replace('Nonce="n",', "")}, "1023035"),
    "X-AKSK without Created": ({"authorization": AUTH, "x-aksk": TOKEN.replace(',Created="2026-01-01T00:00:00Z"',
                                                                               "")}, "1023036"),
    "X-AKSK without PasswordDigest": ({"authorization": AUTH, "x-aksk": TOKEN.replace('PasswordDigest="d",', "")},
                                      "1023037"),
    "no X-WSSE": ({"authorization": AUTH.replace("AKSK", "WSSE"), "x-aksk": TOKEN}, "1023026"),
    "X-WSSE without Username": ({"authorization": AUTH.replace("AKSK", "WSSE"),
                                 "x-wsse": TOKEN.replace('Username="k",', "")}, "1023027"),
    "X-WSSE without Nonce": ({"authorization": AUTH.replace("AKSK", "WSSE"),
                              "x-wsse": TOKEN.replace('Nonce="n",', "")}, "1023028"),
    "X-WSSE without Created": ({"authorization": AUTH.replace("AKSK", "WSSE"),
                                "x-wsse": TOKEN.replace(',Created="2026-01-01T00:00:00Z"', "")}, "1023029"),
    "X-WSSE without PasswordDigest": ({"authorization": AUTH.replace("AKSK", "WSSE"),
                                       "x-wsse": TOKEN.replace('PasswordDigest="d",', "")}, "1023030"),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_header_gives_its_result_code(case: str) -> None:
    headers, code = MALFORMED[case]
    assert code_of(headers) == code


def test_the_first_failing_check_wins() -> None:
    # realm wrong and X-AKSK missing: the realm is checked first
    assert code_of({"authorization": 'AKSK realm="X",profile="UsernameToken",type="Appkey"'}) == "1023009"


async def test_created_not_in_huawei_form_is_a_time_out() -> None:
    creds = read_credentials(received(aksk_headers(KEY, SECRET)))
    late = Credentials(creds.scheme, creds.app_key, creds.digest, creds.nonce, creds.created.replace("T", " "))
    with pytest.raises(Refused) as refused:
        await verify(late)
    assert refused.value.result.value.code == "1010013"
