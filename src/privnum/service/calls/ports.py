"""What the call core needs from the world, and what it offers to it, as protocols.

Drivers (sandbox, SIP) implement ``TelephonyDriver`` and report to ``CallSignals``; they never
import the engine. Storage implements ``CallStore``; Huawei's formats implement ``CallPushFormatter``
and ``BlockDecider``; the recording catalog implements ``RecordingSink``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol, TypeVar

from privnum.domain.apps import App
from privnum.domain.bindings import Binding
from privnum.domain.calls.causes import Cause
from privnum.domain.calls.cdr import Cdr
from privnum.domain.calls.routing import Rejection, Route
from privnum.domain.calls.session import CallEvent, CallSession, Party, Recording
from privnum.domain.private_numbers import PrivateNumber
from privnum.domain.pushes import OutboundPush
from privnum.service.provisioning.ports import BindingFilter

T = TypeVar("T")


# ---------------------------------------------------------------------------------------- drivers
@dataclass(frozen=True)
class RecordedAudio:
    """A finished recording, handed over by the driver: a WAV file it wrote (the sink takes the file)."""

    path: Path


class TelephonyDriver(Protocol):
    """Owns the real legs of calls (simulated ones in the sandbox, SIP legs next). Every command is keyed by
    privnum's session id; the driver keeps its own leg mapping and reports back through ``CallSignals``."""

    name: str

    async def collect_digits(self, session_id: str, max_digits: int, prompt: str | None) -> None:
        """Ask the caller for digits (AXE extension); answer with CallSignals.digits_collected."""

    async def dial(self, session_id: str, callee: str, display: str, caller_tone: str | None) -> None:
        """Start the forwarded leg to ``callee`` showing ``display``; report alerting/answer/failure."""

    async def play(self, session_id: str, prompt: str, to: Party | None) -> None:
        """Play a voice file to one party (None: both)."""

    async def start_recording(self, session_id: str) -> None: ...

    async def stop_recording(self, session_id: str) -> RecordedAudio | None:
        """End recording; the file recorded so far, or None."""

    async def release(self, session_id: str, tone: str | None = None, cause: Cause | None = None) -> None:
        """End every leg of the call (after ``tone`` when given) for ``cause``; no further signals are
        expected."""


class LegTeardown(Protocol):
    """Ends the legs of a call its process left behind (it died), from the state saved at answer. Needs no
    running driver: the recovering process may not run one."""

    async def tear_down(self, state: dict[str, Any]) -> None: ...


class CallSignals(Protocol):
    """What a driver reports to the call core."""

    async def call_arrived(self, caller: str, called: str, driver_name: str) -> str | None:
        """A call to ``called`` reached the platform; the session id, or None to refuse it (unknown X)."""

    async def digits_collected(self, session_id: str, digits: str | None) -> None: ...

    async def forward_alerting(self, session_id: str) -> None: ...

    async def forward_answered(self, session_id: str, teardown: dict[str, Any] | None = None) -> None:
        """The callee answered; ``teardown``: what the driver needs to end the legs should this process die
        (opaque to the core, kept with the call, handed to the driver's ``LegTeardown`` by recovery)."""

    async def forward_failed(self, session_id: str, sip_status: int) -> None: ...

    async def party_hung_up(self, session_id: str, party: Party) -> None: ...


CallObserver = Callable[[CallSession, CallEvent], None]


class CallControl(Protocol):
    """Commands to a live call from outside its driver (callStop), delivered to the process that owns it."""

    async def stop(self, session_id: str, app_id: int) -> bool:
        """End a live call of ``app_id``; False when there is no such call in progress."""


class CommandOutcome(StrEnum):
    DONE = "done"
    NO_SUCH_CALL = "no_such_call"


@dataclass(frozen=True)
class CallCommand:
    id: int
    session_id: str
    app_id: int
    command: str  # "stop"


class CallCommands(Protocol):
    """A mailbox per process: commands to the live calls it owns, sent by any process (the database's
    ``call_commands`` rows, so it works across the workers of one host and across hosts)."""

    async def owner_of(self, session_id: str, app_id: int) -> str | None:
        """The process that owns this live call of ``app_id``, or None when no such call is in progress."""

    async def send(self, owner: str, session_id: str, app_id: int, command: str, now_ms: int) -> int:
        """Leave a command for ``owner``; its id."""

    async def outcome_of(self, command_id: int) -> CommandOutcome | None:
        """None while the owner has not carried it out."""

    async def pending_for(self, owner: str) -> list[CallCommand]: ...

    async def complete(self, command_id: int, outcome: CommandOutcome, now_ms: int) -> None: ...


# ---------------------------------------------------------------------------------------- storage
class CallTx(Protocol):
    """One transaction of the call core: binding lookups, the call row, its pushes and its CDR."""

    async def number(self, number: str) -> PrivateNumber | None: ...

    async def by_key(self, number: str, key: str, now_ms: int) -> Binding | None: ...

    async def find(self, where: BindingFilter, now_ms: int, offset: int = 0, limit: int | None = None,
                   ) -> list[Binding]: ...

    async def get(self, app_id: int, binding_id: str, now_ms: int) -> Binding | None: ...

    async def save(self, binding: Binding) -> bool: ...

    async def save_call(self, session: CallSession, owner: str, now_ms: int, *, new: bool = False) -> bool:
        """Save the session; False when it was already released elsewhere (then push nothing)."""

    async def save_cdr(self, cdr: Cdr, now_ms: int) -> None:
        """Keep the record of a released call (once per call: a second save changes nothing)."""

    async def enqueue(self, pushes: Sequence[OutboundPush], now_ms: int) -> None: ...


class CallStore(Protocol):
    instance_id: str  # this process, as the owner of its calls

    async def run(self, work: Callable[[CallTx], Awaitable[T]], *, read_only: bool = False) -> T:
        """Run ``work`` in one transaction, again from the start if it lost a transient conflict."""

    async def heartbeat(self, now_ms: int) -> None:
        """This process is alive (and owns its calls)."""

    async def retire(self) -> None:
        """This process stops: it owns no calls any more."""

    async def orphaned_calls(self, now_ms: int, stale_ms: int) -> list[CallSession]:
        """Unreleased calls whose owning process is gone."""


# ---------------------------------------------------------------------------------------- pushes, Block, media
class CallPushFormatter(Protocol):
    """The customer's wire form of call events and CDRs."""

    def event_body(self, session: CallSession, event: CallEvent) -> dict[str, Any]: ...

    def cdr_body(self, record: Cdr, app: App) -> dict[str, Any]: ...


class BlockDecider(Protocol):
    """X mode: ask the customer's server what to do with a call (Block ``callin``); None = no valid answer."""

    async def decide(self, app: App, session: CallSession, body: dict[str, Any]) -> Route | Rejection | None: ...


class RecordingSink(Protocol):
    async def save(self, app_id: int, session_id: str, audio: RecordedAudio, started_at_ms: int) -> Recording: ...


class Apps(Protocol):
    async def by_id(self, app_id: int) -> App | None: ...


GiveY = Callable[[App, Binding, str], Awaitable[Binding]]
"""AXYB: give B (the str) a Y under this AX relation; raises Refused when none can be had."""
