"""Ending the legs of a call whose process died: a BYE to each phone, built from the dialog state the B2BUA
saved at answer (``b2bua._dialog_of``). Plain UDP, no sippy: the recovering process may not run SIP."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from typing import Any

log = logging.getLogger("privnum.sip")

RETRANSMIT_S = (0.0, 0.5, 1.5)  # RFC 3261 timer E spacing, cut short: a dead call needs no 32 s of retries


def bye_request(leg: dict[str, Any], via: tuple[str, int], user_agent: str = "privnum") -> bytes:
    """The in-dialog BYE that ends ``leg`` (its saved dialog), sent from ``via``."""
    host, port = via
    lines = [
        f"BYE {leg['target']} SIP/2.0",
        f"Via: SIP/2.0/UDP {host}:{port};rport;branch=z9hG4bK{os.urandom(8).hex()}",
        "Max-Forwards: 70",
        f"From: {leg['from']}",
        f"To: {leg['to']}",
        f"Call-ID: {leg['call_id']}",
        f"CSeq: {int(leg['cseq'])} BYE",
        *[f"Route: {route}" for route in leg.get("routes", [])],
        "Reason: Q.850;cause=41;text=\"privnum restarted\"",
        f"User-Agent: {user_agent}",
        "Content-Length: 0",
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


class SipTeardown:
    """``LegTeardown`` for the SIP driver."""

    def __init__(self, user_agent: str = "privnum") -> None:
        self.user_agent = user_agent

    async def tear_down(self, state: dict[str, Any]) -> None:
        via_host, via_port = state.get("via", ["127.0.0.1", 5060])
        await asyncio.gather(*(self._bye(leg, (str(via_host), int(via_port))) for leg in state.get("legs", [])))

    async def _bye(self, leg: dict[str, Any], via: tuple[str, int]) -> None:
        address = (str(leg["address"][0]), int(leg["address"][1]))
        request = bye_request(leg, via, self.user_agent)
        family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        loop = asyncio.get_running_loop()
        with socket.socket(family, socket.SOCK_DGRAM) as sock:
            sock.setblocking(False)
            with contextlib.suppress(OSError):
                sock.bind((via[0], 0))
            for delay in RETRANSMIT_S:
                await asyncio.sleep(delay)
                try:
                    sock.sendto(request, address)
                    reply = await asyncio.wait_for(loop.sock_recv(sock, 65535), 0.5)
                except (TimeoutError, OSError):
                    continue
                status = reply.split(b" ", 2)[1:2]
                if status and status[0][:1] in (b"2", b"4"):  # 200, or 481: the leg is gone either way
                    log.info("ended the %s leg of a dead call (%s)", leg.get("leg"), status[0].decode())
                    return
        log.warning("no answer to the BYE for the %s leg at %s:%d", leg.get("leg"), *address)
