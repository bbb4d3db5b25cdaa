"""What the SMS relay needs from the outside: a gateway to send through, and its rows in the database."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol, TypeVar

from privnum.domain.apps import App
from privnum.domain.bindings import Binding
from privnum.domain.private_numbers import PrivateNumber
from privnum.domain.pushes import OutboundPush
from privnum.domain.sms.answers import BlockAnswer
from privnum.domain.sms.message import Delivery, SmsMessage, SmsState
from privnum.service.provisioning.ports import BindingFilter

T = TypeVar("T")


@dataclass(frozen=True)
class OutboundSms:
    sms_id: str  # privnum's id: the gateway's delivery reports name it
    from_number: str
    to: str
    text: str


class SendStatus(StrEnum):
    ACCEPTED = "accepted"  # the gateway took it
    REFUSED = "refused"  # for good (sendResult 10)
    UNAVAILABLE = "unavailable"  # not taken: try again later
    IN_DOUBT = "in_doubt"  # the request went out and no answer came back: the gateway may have taken it


@dataclass(frozen=True)
class SendOutcome:
    status: SendStatus
    detail: str = ""


class SmsGateway(Protocol):
    """Sends a text to a real number (Kannel's sendsms; the sandbox's carrier stand-in)."""

    name: str

    async def send(self, message: OutboundSms) -> SendOutcome: ...

    async def close(self) -> None: ...


class SmsSignals(Protocol):
    """What a gateway tells the relay: a text arrived; a delivery report arrived."""

    async def arrived(self, gateway: str, reference: str, sender: str, x_number: str, text: str) -> str:
        """Record the text (once per reference) and return its message id."""

    async def reported(self, sms_id: str, delivery: Delivery, detail: str) -> bool:
        """Record a delivery report; False when no such message."""


@dataclass(frozen=True)
class Arrival:
    sms_id: str
    new: bool


class SmsTx(Protocol):
    """The relay's reads and writes inside one transaction."""

    async def number(self, number: str) -> PrivateNumber | None: ...

    async def by_key(self, number: str, key: str, now_ms: int) -> Binding | None: ...

    async def find(self, where: BindingFilter, now_ms: int, offset: int = 0, limit: int | None = None,
                   ) -> list[Binding]: ...

    async def get(self, app_id: int, binding_id: str, now_ms: int) -> Binding | None: ...

    async def enqueue(self, pushes: Sequence[OutboundPush], now_ms: int) -> None: ...

    async def arrive(self, message: SmsMessage) -> Arrival:
        """Insert a received message, or find the one with its (gateway, reference)."""

    async def message(self, sms_id: str) -> SmsMessage | None: ...

    async def claim_messages(self, now_ms: int, limit: int, lease_ms: int) -> list[SmsMessage]:
        """Due messages (received, or sending and due again), leased until ``now_ms + lease_ms``."""

    async def save_message(self, message: SmsMessage, *, expect: SmsState, lease: int | None,
                           next_attempt_at_ms: int) -> bool:
        """Write the message's fields (its ``lease_until_ms`` included) if it is still in state ``expect`` under
        the claim ``lease``; False when another writer moved it."""

    async def report(self, sms_id: str, delivery: Delivery, detail: str, now_ms: int) -> SmsMessage | None:
        """Store a delivery report unless a final one is kept; the message, None when unknown."""


class SmsStore(Protocol):
    async def run(self, work: Callable[[SmsTx], Awaitable[T]], *, read_only: bool = False) -> T: ...

    async def any_due(self, now_ms: int) -> bool: ...


class SmsPushFormatter(Protocol):
    """The bodies pushed to the customer: a Notify once a text is settled, a Block event to ask."""

    def notify(self, app: App, message: SmsMessage, at_ms: int) -> dict[str, Any]: ...

    def block(self, app: App, message: SmsMessage, at_ms: int, segments: int, direction: int,
              user_data: str | None) -> dict[str, Any]: ...


class SmsBlockAsker(Protocol):
    """One synchronous Block SMS exchange with the customer's control URL; None when no valid answer came."""

    async def ask(self, app: App, url: str, body: dict[str, Any]) -> BlockAnswer | None: ...

    async def close(self) -> None: ...
