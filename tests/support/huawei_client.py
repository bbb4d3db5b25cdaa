"""A Huawei PrivateNumber client for the tests: signs with X-AKSK and speaks real HTTP via httpx.

Written from Huawei's API description, independent of privnum's code, so the tests see what a
Huawei customer's code sees.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
import urllib.parse
from dataclasses import dataclass
from typing import Any

import httpx

# uvicorn closes an idle keep-alive connection after 5 s, httpx keeps one for 5 s: a request sent on it as the
# server closes it gets "connection reset by peer" (it failed CI once). Test clients let idle connections go first.
TEST_CLIENT_LIMITS = httpx.Limits(keepalive_expiry=2.0)

AXB_URI = "/rest/caas/relationnumber/partners/v1.0"
AX_URI = "/rest/provision/caas/privatenumber/v1.0"
AX_CALLEE_URI = "/rest/caas/privatenumber/calleenumber/v1.0"
AXE_URI = "/rest/caas/extendnumber/v1.0"
AXYB_URI = "/rest/omp/xyrelationnumber/v1.0"
AUTHORIZATION = 'AKSK realm="SDP",profile="UsernameToken",type="Appkey"'


def digest(secret: str, nonce: str, created: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), (nonce + created).encode(), hashlib.sha256).digest()).decode()


def utc_created(offset_s: float = 0) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + offset_s))


def signed_headers(app_key: str, secret: str, *, nonce: str | None = None, created: str | None = None,
                   sep: str = ",") -> dict[str, str]:
    nonce = nonce or secrets.token_hex(16)
    created = created or utc_created()
    token = sep.join([f'Username="{app_key}"', f'PasswordDigest="{digest(secret, nonce, created)}"',
                      f'Nonce="{nonce}"', f'Created="{created}"'])
    return {"Content-Type": "application/json;charset=UTF-8", "Authorization": AUTHORIZATION,
            "X-AKSK": f"UsernameToken {token}"}


@dataclass
class Reply:
    status: int
    body: Any
    headers: httpx.Headers

    @property
    def code(self) -> str | None:
        return self.body.get("resultcode") if isinstance(self.body, dict) else None

    @property
    def ok(self) -> bool:
        return self.status == 200 and self.code == "0"

    def __repr__(self) -> str:
        return f"Reply({self.status}, {self.body!r})"


class HuaweiClient:
    def __init__(self, base: str, app_key: str, app_secret: str, source_ip: str | None = None) -> None:
        self.base = base.rstrip("/")
        self.app_key = app_key
        self.app_secret = app_secret
        transport = (httpx.HTTPTransport(local_address=source_ip, limits=TEST_CLIENT_LIMITS) if source_ip
                     else None)
        self.http = httpx.Client(base_url=self.base, timeout=30, transport=transport, limits=TEST_CLIENT_LIMITS)

    def close(self) -> None:
        self.http.close()

    def request(self, method: str, uri: str, body: Any = None, query: dict | None = None,
                headers: dict | None = None, raw_body: bytes | None = None, raw_query: str | None = None) -> Reply:
        path = uri
        if raw_query is not None:
            path += "?" + raw_query
        elif query:
            path += "?" + urllib.parse.urlencode({k: v for k, v in query.items() if v is not None})
        content = raw_body if raw_body is not None else (json.dumps(body).encode() if body is not None else None)
        h = signed_headers(self.app_key, self.app_secret) if headers is None else headers
        r = self.http.request(method, path, content=content, headers=h)
        try:
            parsed: Any = r.json()
        except ValueError:
            parsed = r.text
        return Reply(r.status_code, parsed, r.headers)

    # AXB
    def axb_bind(self, **f: Any) -> Reply:
        return self.request("POST", AXB_URI, body=f)

    def axb_unbind(self, **q: Any) -> Reply:
        return self.request("DELETE", AXB_URI, query=q)

    def axb_modify(self, **f: Any) -> Reply:
        return self.request("PUT", AXB_URI, body=f)

    def axb_query(self, **q: Any) -> Reply:
        return self.request("GET", AXB_URI, query=q)

    # AX
    def ax_bind(self, **f: Any) -> Reply:
        return self.request("POST", AX_URI, body=f)

    def ax_unbind(self, **q: Any) -> Reply:
        return self.request("DELETE", AX_URI, query=q)

    def ax_modify(self, **f: Any) -> Reply:
        return self.request("PUT", AX_URI, body=f)

    def ax_query(self, **q: Any) -> Reply:
        return self.request("GET", AX_URI, query=q)

    def ax_set_callee(self, **f: Any) -> Reply:
        return self.request("PUT", AX_CALLEE_URI, body=f)

    # AXE
    def axe_bind(self, **f: Any) -> Reply:
        return self.request("POST", AXE_URI, body=f)

    def axe_unbind(self, **q: Any) -> Reply:
        return self.request("DELETE", AXE_URI, query=q)

    def axe_modify(self, **f: Any) -> Reply:
        return self.request("PUT", AXE_URI, body=f)

    def axe_query(self, **q: Any) -> Reply:
        return self.request("GET", AXE_URI, query=q)

    # AXYB: app_key rides in the query string of every call
    def axyb_bind(self, **f: Any) -> Reply:
        return self.request("POST", AXYB_URI, body=f, query={"app_key": self.app_key})

    def axyb_unbind(self, **q: Any) -> Reply:
        return self.request("DELETE", AXYB_URI, query={**q, "app_key": self.app_key})

    def axyb_query(self, **q: Any) -> Reply:
        return self.request("GET", AXYB_URI, query={**q, "app_key": self.app_key})
