"""Security headers on every response: no MIME sniffing, no framing, same-origin referrers, and on HTML
pages a content security policy that allows only this origin's scripts, styles and media (the console has no
inline script or style). Answers of the app's ``Exception`` handler leave through Starlette's outermost
middleware, past this one: that handler calls ``add_security_headers`` itself."""

from __future__ import annotations

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "media-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; "
                           "base-uri 'self'; object-src 'none'")
_ALWAYS = [(b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY"),
           (b"referrer-policy", b"same-origin")]


def _with_security_headers(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    present = {name.lower() for name, _ in headers}
    headers = headers + [(name, value) for name, value in _ALWAYS if name not in present]
    content_type = next((v for n, v in headers if n.lower() == b"content-type"), b"")
    if content_type.startswith(b"text/html") and b"content-security-policy" not in present:
        headers.append((b"content-security-policy", CONTENT_SECURITY_POLICY.encode()))
    return headers


def add_security_headers(response: Response) -> Response:
    response.raw_headers[:] = _with_security_headers(list(response.raw_headers))
    return response


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": _with_security_headers(list(message.get("headers", [])))}
            await send(message)

        await self.app(scope, receive, send_with_headers)
