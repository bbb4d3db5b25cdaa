"""Huawei's authentication headers: ``Authorization`` plus ``X-AKSK`` (or legacy ``X-WSSE``), both ways.

Building (platform → customer pushes, and ``privnum api``): signed with the app's own
APP_Key/APP_Secret (huawei-wire.md §2.3), digest = Base64(HMAC-SHA256(APP_Secret, Nonce + Created)).
``X-Push-Id`` is privnum's extension: one id per logical push, the same on every retry, so a
receiver can drop duplicates.

Reading (customer → platform): parameters are ``key="value"`` pairs separated by ``,`` or ``, ``;
keys are matched case-insensitively (Huawei's own texts write both ``Username`` and ``UserName``).
The digests themselves live in ``service/authentication.py``, which verifies them.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Mapping

from privnum.domain.result_codes import Refused
from privnum.domain.result_codes import ResultCode as R
from privnum.service.authentication import Credentials, aksk_digest

AUTHORIZATION = 'AKSK realm="SDP",profile="UsernameToken",type="Appkey"'
CONTENT_TYPE = "application/json;charset=UTF-8"

# -- building ------------------------------------------------------------------------------------

_created_cache: tuple[int, str] = (0, "")


def _created() -> str:
    """UTC now as ``YYYY-MM-DDTHH:MM:SSZ`` (formatted once per second)."""
    global _created_cache
    second = int(time.time())
    if _created_cache[0] != second:
        _created_cache = (second, time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(second)))
    return _created_cache[1]


def aksk_headers(app_key: str, app_secret: str) -> dict[str, str]:
    """Huawei's AKSK headers for one request, signed with the app's own key pair and a fresh nonce."""
    nonce = secrets.token_hex(16)
    created = _created()
    digest = aksk_digest(app_secret, nonce, created)
    return {
        "Content-Type": CONTENT_TYPE,
        "Authorization": AUTHORIZATION,
        "X-AKSK": f'UsernameToken Username="{app_key}",PasswordDigest="{digest}",Nonce="{nonce}",Created="{created}"',
    }


def push_headers(app_key: str, app_secret: str, push_id: str) -> dict[str, str]:
    return {**aksk_headers(app_key, app_secret), "X-Push-Id": push_id}


# -- reading -------------------------------------------------------------------------------------

_PAIR = re.compile(r'([A-Za-z_]+)\s*=\s*"([^"]*)"')


def _params(text: str) -> dict[str, str]:
    return {key.lower(): value for key, value in _PAIR.findall(text)}


def read_credentials(headers: Mapping[str, str]) -> Credentials:
    authorization = headers.get("authorization")
    if not authorization:
        raise Refused(R.AUTHORIZATION_MISSING)
    word, _, rest = authorization.strip().partition(" ")
    scheme = "WSSE" if word.upper() == "WSSE" else "AKSK"  # an unknown scheme word is read as AKSK
    auth = _params(rest)
    if "realm" not in auth:
        raise Refused(R.REALM_MISSING)
    if auth["realm"] != "SDP":
        raise Refused(R.REALM_INVALID)
    if "profile" not in auth:
        raise Refused(R.PROFILE_MISSING)
    if auth["profile"] != "UsernameToken":
        raise Refused(R.PROFILE_INVALID)
    if "type" not in auth:
        raise Refused(R.TYPE_MISSING)
    if auth["type"].lower() not in ("appkey", "app_key"):
        raise Refused(R.TYPE_INVALID)
    if scheme == "AKSK":
        token = headers.get("x-aksk")
        codes = (R.X_AKSK_MISSING, R.AKSK_USERNAME_MISSING, R.AKSK_NONCE_MISSING, R.AKSK_CREATED_MISSING,
                 R.AKSK_DIGEST_MISSING)
    else:
        token = headers.get("x-wsse")
        codes = (R.X_WSSE_MISSING, R.WSSE_USERNAME_MISSING, R.WSSE_NONCE_MISSING, R.WSSE_CREATED_MISSING,
                 R.WSSE_DIGEST_MISSING)
    if not token:
        raise Refused(codes[0])
    token = token.strip()
    if not token.startswith("UsernameToken"):
        raise Refused(codes[1], "the header must start with UsernameToken")
    token_params = _params(token.removeprefix("UsernameToken"))
    values = []
    for name, code in zip(("username", "nonce", "created", "passworddigest"), codes[1:], strict=True):
        if not token_params.get(name):
            raise Refused(code)
        values.append(token_params[name])
    app_key, nonce, created, digest = values
    return Credentials(scheme=scheme, app_key=app_key, digest=digest, nonce=nonce, created=created)
