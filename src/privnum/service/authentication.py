"""Who is calling: the app behind an APP_Key, proven by the digest, fresh, not replayed, from an allowed IP.

- AKSK digest: Base64(HMAC-SHA256(APP_Secret, Nonce + Created)); legacy WSSE digest:
  Base64(SHA-256(Nonce + Created + APP_Secret)).
- ``Created`` (UTC, ``YYYY-MM-DDTHH:MM:SSZ``) within the clock-skew window, else 1010013;
  optional tolerated offsets let clients that stamp local time with a ``Z`` in.
- A (APP_Key, Nonce) pair is accepted once within the window.
- Repeated failures from one IP ban it (1020176), other IPs are unaffected.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from privnum.domain.apps import App
from privnum.domain.result_codes import Refused, ResultCode
from privnum.service.ports import AppDirectory, AuthGuard

_CREATED = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?Z")
_NONCE = re.compile(r"[0-9A-Za-z]{1,128}")


NOT_COUNTED = frozenset({ResultCode.APP_KEY_UNAVAILABLE, ResultCode.APP_CLIENT_IP_NOT_ALLOWED})


def counts_toward_lockout(refusal: Refused) -> bool:
    """Whether a refused authentication counts toward banning the client IP (suspended apps and
    allow-list refusals do not: they are not guesses at a secret)."""
    return refusal.result not in NOT_COUNTED


@dataclass(frozen=True)
class AuthPolicy:
    clock_skew_s: int = 900
    local_time_offsets_s: tuple[int, ...] = ()


def aksk_digest(secret: str, nonce: str, created: str) -> str:
    mac = hmac.new(secret.encode(), (nonce + created).encode(), hashlib.sha256).digest()
    return base64.b64encode(mac).decode()


def wsse_digest(secret: str, nonce: str, created: str) -> str:
    return base64.b64encode(hashlib.sha256((nonce + created + secret).encode()).digest()).decode()


def created_ms(created: str) -> int:
    if not _CREATED.fullmatch(created):
        raise Refused(ResultCode.TIME_OUT_LIMIT, "Created must be UTC in the form YYYY-MM-DDTHH:MM:SSZ")
    stamp = datetime.strptime(created[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)
    return int(stamp.timestamp() * 1000)


def check_fresh(created: str, now_ms: int, policy: AuthPolicy) -> None:
    stamp = created_ms(created)
    window = policy.clock_skew_s * 1000
    for offset in (0, *policy.local_time_offsets_s):
        if abs(stamp - offset * 1000 - now_ms) <= window:
            return
    raise Refused(ResultCode.TIME_OUT_LIMIT,
                  f"Created {created} differs from the server's UTC clock by more than {policy.clock_skew_s} s")


@dataclass(frozen=True)
class Credentials:
    """What a request claims: its scheme, APP_Key, digest, nonce and creation time (read by huawei/aksk.py)."""

    scheme: str  # "AKSK" or "WSSE"
    app_key: str
    digest: str
    nonce: str
    created: str


async def authenticate(creds: Credentials, ip: str, now_ms: int, directory: AppDirectory, guard: AuthGuard,
                       policy: AuthPolicy) -> App:
    scheme, app_key, digest, nonce, created = creds.scheme, creds.app_key, creds.digest, creds.nonce, creds.created
    if not _NONCE.fullmatch(nonce):
        raise Refused(ResultCode.INVALID_DIGEST, "Nonce must be 1-128 letters and digits")
    app = await directory.by_key(app_key)
    if app is None:
        raise Refused(ResultCode.INVALID_APP_KEY, "no app has this APP_Key")
    if not app.is_active:
        raise Refused(ResultCode.APP_KEY_UNAVAILABLE, f"the app is {app.status.value}")
    if not app.allows_ip(ip):
        raise Refused(ResultCode.APP_CLIENT_IP_NOT_ALLOWED, f"{ip} is not on the app's IP allow-list")
    check_fresh(created, now_ms, policy)
    sign = aksk_digest if scheme == "AKSK" else wsse_digest
    # after a rotation the previous secret works too, until its grace period ends
    if not any(hmac.compare_digest(sign(secret, nonce, created).encode(), digest.encode())
               for secret in app.secrets_at(now_ms)):
        raise Refused(ResultCode.INVALID_DIGEST, "PasswordDigest does not match APP_Secret, Nonce and Created")
    ttl_ms = 2 * (policy.clock_skew_s + max((abs(o) for o in policy.local_time_offsets_s), default=0)) * 1000
    if not await guard.first_use_of_nonce(app.app_key, nonce, now_ms, ttl_ms):
        raise Refused(ResultCode.INVALID_DIGEST, "The nonce has already been used.")
    return app
