"""Call records (业务详单) as people see them: CDRs of the actor's tenant (operators: all) in a time window with
filters, newest first; one call drilled down (binding, timeline, every push with every delivery attempt, the
recording); the recording's audio; a CSV export. Real A/B numbers are masked unless the caller asks to reveal
them, which needs Permission.REVEAL_NUMBERS and writes one ``cdr.reveal`` audit event."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from typing import Any

from privnum.domain.access import Actor, Permission
from privnum.domain.audit import AuditEvent
from privnum.domain.management_errors import NotFound
from privnum.domain.records.masking import mask_number
from privnum.domain.records.results import CallResult, parse_result, result_of
from privnum.domain.records.timeline import Step, timeline
from privnum.domain.records.windows import export_window, parse_instant, records_window
from privnum.service.clock import now_ms
from privnum.service.management.ports import ManagementTx, ManagementUnit
from privnum.service.management.pushes import PushDetail, body_of, shown
from privnum.service.management.records_ports import BindingRow, CdrFilter, CdrRow
from privnum.service.paging import Page, PageRequest
from privnum.service.recordings import Recordings

EXPORT_BATCH = 500


@dataclass(frozen=True)
class CdrQuery:
    """The filters of a CDR listing or export as people send them (strings; the console's form, the API's query)."""

    from_: str | None = None
    to: str | None = None
    app_id: int | None = None
    x: str | None = None
    caller: str | None = None
    callee: str | None = None
    result: str | None = None
    session_id: str | None = None

    def where(self, *, export: bool) -> CdrFilter:
        """The filter, or Invalid (with its field) for a bad time, window or result."""
        start, end = parse_instant(self.from_, "from"), parse_instant(self.to, "to", end=True)
        window = (export_window if export else records_window)(start, end, now_ms())
        return CdrFilter(window, app_id=self.app_id, x=self.x or None, caller=self.caller or None,
                         callee=self.callee or None, result=parse_result(self.result) if self.result else None,
                         session_id=self.session_id or None)


@dataclass(frozen=True)
class RecordingInfo:
    file_name: str
    size_bytes: int
    kept_until_ms: int


@dataclass(frozen=True)
class CallDetail:
    cdr: CdrRow
    result: CallResult
    binding: BindingRow | None  # None when it is gone (unbound or expired): the CDR still says what it was
    binding_live: bool
    steps: list[Step]
    pushes: list[PushDetail]
    recording: RecordingInfo | None  # None without one, or after retention


def masked_cdr(row: CdrRow) -> CdrRow:
    return replace(row, caller=mask_number(row.caller) or "", callee=mask_number(row.callee),
                   display=mask_number(row.display))


def masked_binding(row: BindingRow) -> BindingRow:
    return replace(row, party_a=mask_number(row.party_a), party_b=mask_number(row.party_b))


def _filter_details(where: CdrFilter) -> dict[str, Any]:
    details: dict[str, Any] = {"from_ms": where.window.from_ms, "to_ms": where.window.to_ms}
    for name in ("app_id", "x", "caller", "callee", "session_id"):
        if getattr(where, name) is not None:
            details[name] = getattr(where, name)
    if where.result is not None:
        details["result"] = str(where.result.value)
    return details


class Records:
    def __init__(self, unit: ManagementUnit, recordings: Recordings) -> None:
        self.unit = unit
        self.recordings = recordings

    @staticmethod
    def _check(actor: Actor, reveal: bool) -> None:
        actor.require(Permission.READ)
        if reveal:
            actor.require(Permission.REVEAL_NUMBERS)

    async def list(self, actor: Actor, where: CdrFilter, page: PageRequest = PageRequest(), *,
                   reveal: bool = False) -> Page[CdrRow]:
        """Newest first (by call start) in ``where.window``; a tenant's own only."""
        self._check(actor, reveal)
        where = replace(where, tenant_id=actor.tenant_scope())

        async def work(tx: ManagementTx) -> Page[CdrRow]:
            found = await tx.cdrs(where, page)
            if reveal:
                await tx.audit(AuditEvent(actor, "cdr.reveal", "cdrs", actor.tenant_id,
                                          details=_filter_details(where)), now_ms())
            return found if reveal else replace(found, items=[masked_cdr(r) for r in found.items])

        return await self.unit.run(work, read_only=not reveal)

    async def _visible(self, tx: ManagementTx, actor: Actor, session_id: str) -> CdrRow:
        found = await tx.cdr(session_id)
        if found is None or not actor.sees(found.tenant_id):
            raise NotFound("call", f"no call record {session_id}; GET /mgmt/v1/cdrs lists the last 31 days")
        return found

    async def detail(self, actor: Actor, session_id: str, *, reveal: bool = False) -> CallDetail:
        """One call: its CDR, binding, timeline, pushes (each with every delivery attempt) and recording."""
        self._check(actor, reveal)

        async def work(tx: ManagementTx) -> CallDetail:
            cdr = await self._visible(tx, actor, session_id)
            now = now_ms()
            if reveal:
                await tx.audit(AuditEvent(actor, "cdr.reveal", f"cdr:{session_id}", cdr.tenant_id,
                                          details={"session_id": session_id}), now)
            binding = await tx.binding_row(cdr.binding_id) if cdr.binding_id else None
            records = await tx.pushes_of_call(cdr)
            attempts = await tx.push_attempts([r.row.id for r in records])
            pushes = [PushDetail(shown(r, now), body_of(r, reveal, frozenset({cdr.called})),
                                 attempts[r.row.id]) for r in records]
            return CallDetail(cdr if reveal else masked_cdr(cdr),
                              result_of(cdr.answered_at_ms, cdr.forwarded_at_ms),
                              binding if reveal or binding is None else masked_binding(binding),
                              binding is not None,
                              timeline(cdr.started_at_ms, cdr.forwarded_at_ms, cdr.alerting_at_ms, cdr.answered_at_ms,
                                       cdr.ended_at_ms),
                              pushes, await self._recording(cdr, now))

        return await self.unit.run(work, read_only=not reveal)

    async def _recording(self, cdr: CdrRow, now: int) -> RecordingInfo | None:
        if not cdr.recording_object_name:
            return None
        found = await self.recordings.get(cdr.recording_object_name, now)
        if found is None or found.session_id != cdr.session_id:
            return None
        return RecordingInfo(found.file_name, found.size_bytes, found.created_at_ms + self.recordings.retention_ms)

    async def recording(self, actor: Actor, session_id: str) -> tuple[str, bytes]:
        """The call's recording (file name, WAV bytes); audited as ``recording.play``."""
        actor.require(Permission.READ)

        async def work(tx: ManagementTx) -> tuple[str, bytes]:
            cdr = await self._visible(tx, actor, session_id)
            now = now_ms()
            info = await self._recording(cdr, now)
            stored = await self.recordings.get(info.file_name, now) if info else None
            audio = await self.recordings.read(stored) if stored else None
            if info is None or audio is None:
                raise NotFound("recording", "this call has no recording, or it is past retention (kept "
                               f"{self.recordings.retention_ms // 86_400_000} days)")
            await tx.audit(AuditEvent(actor, "recording.play", f"cdr:{session_id}", cdr.tenant_id,
                                      details={"file_name": info.file_name}), now)
            return info.file_name, audio

        return await self.unit.run(work)

    async def export(self, actor: Actor, where: CdrFilter, *, reveal: bool = False) -> AsyncIterator[CdrRow]:
        """Every CDR of ``where`` (newest first) for a CSV export: the permission and the reveal's audit event
        come before the first row (call ``export`` and await it: it returns the iterator)."""
        self._check(actor, reveal)
        where = replace(where, tenant_id=actor.tenant_scope())
        if reveal:
            await self.unit.run(lambda tx: tx.audit(AuditEvent(
                actor, "cdr.reveal", "cdrs.csv", actor.tenant_id, details=_filter_details(where)), now_ms()))
        return self._rows(where, reveal)

    async def _rows(self, where: CdrFilter, reveal: bool) -> AsyncIterator[CdrRow]:
        async def next_batch(cursor: tuple[int, str] | None) -> list[CdrRow]:
            return await self.unit.run(lambda tx: tx.cdrs_after(where, cursor, EXPORT_BATCH), read_only=True)

        after: tuple[int, str] | None = None
        while True:
            batch = await next_batch(after)
            for row in batch:
                yield row if reveal else masked_cdr(row)
            if len(batch) < EXPORT_BATCH:
                return
            after = (batch[-1].started_at_ms, batch[-1].session_id)
