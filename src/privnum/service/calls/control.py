"""``CallControl``: a command to a live call reaches the process that owns it.

A call is owned by the process whose engine took it (``calls.owner``). When that is this process, the
engine acts at once. Otherwise the command goes to the owner's mailbox (``CallCommands``), the owner's
``CommandListener`` carries it out within a poll interval, and the sender waits for the outcome. So
``callStop`` works whichever worker or host the customer's request lands on, and the same path serves
a SIP process that runs its own event loop beside the API.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Protocol

from privnum.service.calls.ports import CallCommands, CommandOutcome
from privnum.service.clock import now_ms

log = logging.getLogger("privnum.calls")

STOP = "stop"


class _Engine(Protocol):
    def owns(self, session_id: str) -> bool: ...

    async def stop_call(self, session_id: str, app_id: int) -> bool: ...


class LocalCallControl:
    """Only this process's calls (one process, or tests)."""

    def __init__(self, engine: _Engine) -> None:
        self.engine = engine

    async def stop(self, session_id: str, app_id: int) -> bool:
        return await self.engine.stop_call(session_id, app_id)


class OwnerCallControl:
    def __init__(self, engine: _Engine, commands: CallCommands, instance_id: str, *, wait_s: float = 3.0,
                 poll_s: float = 0.02) -> None:
        self.engine = engine
        self.commands = commands
        self.instance_id = instance_id
        self.wait_s = wait_s
        self.poll_s = poll_s

    async def stop(self, session_id: str, app_id: int) -> bool:
        if self.engine.owns(session_id):
            return await self.engine.stop_call(session_id, app_id)
        owner = await self.commands.owner_of(session_id, app_id)
        if owner is None or owner == self.instance_id:  # no such live call (or it just ended here)
            return False
        command_id = await self.commands.send(owner, session_id, app_id, STOP, now_ms())
        deadline = time.monotonic() + self.wait_s
        while time.monotonic() < deadline:
            outcome = await self.commands.outcome_of(command_id)
            if outcome is not None:
                return outcome is CommandOutcome.DONE
            await asyncio.sleep(self.poll_s)
        log.warning("call %s: its owner %s did not carry out %s in %.1f s", session_id, owner, STOP, self.wait_s)
        return False


class CommandListener:
    """This process's mailbox: carries out the commands other processes left for its calls."""

    def __init__(self, engine: _Engine, commands: CallCommands, instance_id: str, *, poll_s: float = 0.05) -> None:
        self.engine = engine
        self.commands = commands
        self.instance_id = instance_id
        self.poll_s = poll_s

    async def run(self) -> None:
        while True:
            try:
                await self.take_pending()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("reading call commands failed; retrying")
            await asyncio.sleep(self.poll_s)

    async def take_pending(self) -> int:
        pending = await self.commands.pending_for(self.instance_id)
        for command in pending:
            done = command.command == STOP and await self.engine.stop_call(command.session_id, command.app_id)
            outcome = CommandOutcome.DONE if done else CommandOutcome.NO_SUCH_CALL
            await self.commands.complete(command.id, outcome, now_ms())
        return len(pending)
