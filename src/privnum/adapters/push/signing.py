"""Headers of a platform → customer push, signed with the app's own APP_Key/APP_Secret (huawei-wire.md §2.3).

The same AKSK scheme customers use towards the platform: digest = Base64(HMAC-SHA256(APP_Secret,
Nonce + Created)). ``X-Push-Id`` is privnum's extension: one id per logical push, the same on
every retry, so a receiver can drop duplicates.
"""

from __future__ import annotations

import secrets
import time

from privnum.service.authentication import aksk_digest

AUTHORIZATION = 'AKSK realm="SDP",profile="UsernameToken",type="Appkey"'
CONTENT_TYPE = "application/json;charset=UTF-8"

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
