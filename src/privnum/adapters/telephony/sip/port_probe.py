"""``privnum doctor``: is the SIP port free for privnum, or held by a privnum already (it answers OPTIONS with its
User-Agent), or taken by something else? Plain sockets, no sippy."""

from __future__ import annotations

import asyncio
import socket
import uuid

from privnum.domain.health_checks import CheckResult, fail, ok

NAME = "SIP port"


def _options(host: str, port: int, local_port: int) -> bytes:
    tag, call_id = uuid.uuid4().hex[:8], uuid.uuid4().hex
    return (f"OPTIONS sip:{host}:{port} SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP 127.0.0.1:{local_port};branch=z9hG4bK{uuid.uuid4().hex[:12]}\r\n"
            f"From: <sip:doctor@127.0.0.1>;tag={tag}\r\nTo: <sip:{host}:{port}>\r\nCall-ID: {call_id}\r\n"
            "CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n").encode()


def _free(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as s:
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def _ask(host: str, port: int, timeout_s: float) -> str | None:
    """The answer's Server (or User-Agent) header, "" for an answer without one, None for no answer."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout_s)
        s.bind(("::1" if family == socket.AF_INET6 else "127.0.0.1", 0))
        try:
            s.sendto(_options(host, port, s.getsockname()[1]), (host, port))
            data = s.recv(65535)
        except OSError:
            return None
    for line in data.decode("utf-8", "replace").splitlines():
        field, _, value = line.partition(":")
        if field.strip().lower() in ("server", "user-agent"):
            return value.strip()
    return ""


async def check_sip_port(host: str, port: int, user_agent: str, timeout_s: float = 1.5) -> list[CheckResult]:
    where = f"udp {host}:{port}"
    if await asyncio.to_thread(_free, host, port):
        return [ok(NAME, f"{where} is free: privnum serve will listen there")]
    server = await asyncio.to_thread(_ask, host, port, timeout_s)
    if server is not None and server.startswith(user_agent):
        return [ok(NAME, f"{where} is privnum's (it answers OPTIONS as {server!r})")]
    holder = "a program that does not answer SIP OPTIONS" if server is None else \
        f"another SIP server ({server or 'no Server header'})"
    return [fail(NAME, f"{where} is taken by {holder}",
                 "stop it, or give privnum another port: PRIVNUM_SIP_LISTEN=HOST:PORT (serve --sip-listen)")]
