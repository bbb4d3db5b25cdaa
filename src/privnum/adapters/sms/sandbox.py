"""The sandbox SMS gateway: a carrier stand-in that takes every text at once and remembers, per message
id, what it was asked to send (``delivered``), for ``GET /sandbox/v1/sms/{id}`` and the tests. It lives in
the server process; with several workers, ask the one that relayed the text."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from privnum.service.sms.ports import OutboundSms, SendOutcome, SendStatus

KEPT = 10_000  # messages remembered


@dataclass(frozen=True)
class SandboxDelivery:
    from_number: str
    to: str
    text: str


class SandboxSmsGateway:
    name = "sandbox"

    def __init__(self) -> None:
        self._sent: OrderedDict[str, list[SandboxDelivery]] = OrderedDict()

    async def send(self, message: OutboundSms) -> SendOutcome:
        self._sent.setdefault(message.sms_id, []).append(SandboxDelivery(message.from_number, message.to,
                                                                         message.text))
        while len(self._sent) > KEPT:
            self._sent.popitem(last=False)
        return SendOutcome(SendStatus.ACCEPTED, "taken by the sandbox carrier")

    def delivered(self, sms_id: str) -> list[SandboxDelivery]:
        return list(self._sent.get(sms_id, []))

    async def close(self) -> None:
        return None
