"""Kannel as the SMS gateway: texts go out through smsbox's ``sendsms`` (research/sms-gateway.md §9).

``from`` is the sending privacy number, ``text`` UTF-8 with ``charset=UTF-8``, ``coding=2`` (UCS-2) unless
the text is GSM-safe, ``dlr-mask=31`` and a ``dlr-url`` naming privnum's message id (Kannel's DLRs carry
no id of their own that privnum knows). 202 is taken ("0: Accepted" or "3: Queued for later delivery"),
any other 4xx refused for good, 5xx or no answer: try again later.
"""

from __future__ import annotations

import urllib.parse

import aiohttp
from yarl import URL

from privnum.domain.sms.segments import is_gsm
from privnum.service.sms.ports import OutboundSms, SendOutcome, SendStatus

DLR_MASK = 19  # final reports only: delivered 1, undelivered 2, rejected by the carrier 16 (not 4 buffered, 8 accepted:
# each report is an HTTP call and a write; the final one settles a send in doubt just as well)
DLR_QUERY = "&type=%d&answer=%A&smsc=%i&ts=%T"  # Kannel fills these in


class KannelGateway:
    name = "kannel"

    def __init__(self, sendsms_url: str, username: str, password: str, dlr_url: str, *, timeout_s: float = 10.0,
                 connections: int = 32) -> None:
        self.sendsms_url = sendsms_url
        self.username = username
        self.password = password
        self.dlr_url = dlr_url  # privnum's /internal/kannel/dlr?token=…, without msg=
        self.timeout = aiohttp.ClientTimeout(total=timeout_s)
        self.connections = connections
        self._http: aiohttp.ClientSession | None = None

    def _session(self) -> aiohttp.ClientSession:
        if self._http is None:
            # a connection per request: on a kept-alive connection that smsbox closed, aiohttp resends a GET by
            # itself, and a text smsbox had already taken went out twice (seen in the Kannel restart test)
            self._http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=self.connections,
                                                                              force_close=True))
        return self._http

    def params(self, message: OutboundSms) -> dict[str, str]:
        joiner = "&" if "?" in self.dlr_url else "?"
        return {
            "username": self.username, "password": self.password, "from": message.from_number, "to": message.to,
            "text": message.text, "charset": "UTF-8", "coding": "0" if is_gsm(message.text) else "2",
            "dlr-mask": str(DLR_MASK), "dlr-url": f"{self.dlr_url}{joiner}msg={message.sms_id}{DLR_QUERY}",
        }

    async def send(self, message: OutboundSms) -> SendOutcome:
        try:
            # encoded here, spaces as %20: yarl writes them as "+", which smsbox passes on as a literal "+"
            query = urllib.parse.urlencode(self.params(message), quote_via=urllib.parse.quote)
            url = URL(f"{self.sendsms_url}?{query}", encoded=True)
            async with self._session().get(url, timeout=self.timeout) as response:
                answer = (await response.text(errors="replace")).strip()[:300]
                status = response.status
        except aiohttp.ClientConnectorError as error:  # nothing was sent
            return SendOutcome(SendStatus.UNAVAILABLE, f"Kannel sendsms unreachable: {error}")
        except TimeoutError:
            return SendOutcome(SendStatus.IN_DOUBT, "Kannel sendsms: no answer in time")
        except aiohttp.ClientError as error:  # the request went out, the answer did not come back (smsbox stopping)
            return SendOutcome(SendStatus.IN_DOUBT, f"Kannel sendsms: {type(error).__name__}: {error}")
        if 200 <= status < 300:
            return SendOutcome(SendStatus.ACCEPTED, answer)
        if 400 <= status < 500:
            return SendOutcome(SendStatus.REFUSED, f"Kannel sendsms {status}: {answer}")
        return SendOutcome(SendStatus.UNAVAILABLE, f"Kannel sendsms {status}: {answer}")

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()
            self._http = None
