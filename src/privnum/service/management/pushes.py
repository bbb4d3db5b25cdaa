"""Pushes as people see them (management API, console, ``privnum pushes``): list them (dead letters too), look at
one with its body as sent and every delivery attempt, replay a dead one with the same push id. A tenant sees its
own apps' pushes only; real numbers in bodies are masked unless revealed (audited)."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

from privnum.domain.access import Actor, Permission
from privnum.domain.audit import AuditEvent
from privnum.domain.management_errors import Conflict, NotFound
from privnum.domain.pushes import PushState
from privnum.domain.records.masking import mask_fields
from privnum.service.clock import now_ms
from privnum.service.management.ports import ManagementTx, ManagementUnit
from privnum.service.management.records_ports import PushFilter, PushRecord
from privnum.service.paging import Page, PageRequest
from privnum.service.ports import PushAttempt


@dataclass(frozen=True)
class PushDetail:
    push: PushRecord
    body: Any  # the JSON body as sent (real numbers masked unless revealed)
    attempts: list[PushAttempt]


def shown(record: PushRecord, now: int) -> PushRecord:
    """``state`` as shown: ``leased`` while a worker holds a pending push."""
    return replace(record, row=replace(record.row, state=record.row.shown_state(now)))


def body_of(record: PushRecord, reveal: bool, keep: frozenset[str] = frozenset()) -> Any:
    """The body as sent, its real numbers masked unless ``reveal`` (the numbers in ``keep`` stay)."""
    try:
        body = json.loads(record.body or "null")
    except ValueError:
        return record.body
    return body if reveal else mask_fields(body, keep)


class Pushes:
    def __init__(self, unit: ManagementUnit) -> None:
        self.unit = unit

    async def list(self, actor: Actor, where: PushFilter = PushFilter(),
                   page: PageRequest = PageRequest()) -> Page[PushRecord]:
        """Newest first; a tenant's own apps' pushes only."""
        actor.require(Permission.READ)
        where = replace(where, tenant_id=actor.tenant_scope())
        found = await self.unit.run(lambda tx: tx.pushes(where, page), read_only=True)
        now = now_ms()
        return replace(found, items=[shown(r, now) for r in found.items])

    async def _visible(self, tx: ManagementTx, actor: Actor, ref: str) -> PushRecord:
        found = await tx.push(ref)
        if found is None or not actor.sees(found.tenant_id):
            raise NotFound("push", f"no push {ref}; GET /mgmt/v1/pushes lists the newest ones")
        return found

    async def show(self, actor: Actor, ref: str, *, reveal: bool = False) -> PushDetail:
        """One push (row id or push id): as listed, its body as sent, and every delivery attempt."""
        actor.require(Permission.READ)
        if reveal:
            actor.require(Permission.REVEAL_NUMBERS)

        async def work(tx: ManagementTx) -> PushDetail:
            found = await self._visible(tx, actor, ref)
            if reveal:
                await tx.audit(AuditEvent(actor, "push.reveal", f"push:{found.row.id}", found.tenant_id), now_ms())
            attempts = await tx.push_attempts([found.row.id])
            return PushDetail(shown(found, now_ms()), body_of(found, reveal), attempts[found.row.id])

        return await self.unit.run(work, read_only=not reveal)

    async def replay(self, actor: Actor, ref: str) -> PushRecord:
        """Send a dead-lettered push again from the start of the retry ladder, with the same push id."""
        actor.require(Permission.REPLAY_PUSHES)

        async def work(tx: ManagementTx) -> PushRecord:
            found = await self._visible(tx, actor, ref)
            now = now_ms()
            if found.row.state != PushState.DEAD or not await tx.replay_push(found.row.id, now):
                raise Conflict("not_dead", f"push {found.row.id} is {found.row.state}; only dead-lettered pushes "
                               "are replayed (a pending one is still being retried)")
            await tx.audit(AuditEvent(actor, "push.replay", f"push:{found.row.id}", found.tenant_id,
                                      before={"state": found.row.state, "attempts": found.row.attempts},
                                      after={"state": PushState.PENDING.value, "attempts": 0}), now)
            replayed = await tx.push(str(found.row.id))
            assert replayed is not None
            return replayed

        return await self.unit.run(work)
