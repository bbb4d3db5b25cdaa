"""SMS records (短信详单) as people see them: the messages the relay handled for the actor's tenant (operators:
all, also texts to nobody's number) in a time window with filters, newest first; one message; a CSV export.
Real numbers (sender, receiver) are masked unless the caller asks to reveal them, which needs
Permission.REVEAL_NUMBERS and writes one ``sms.reveal`` audit event. The privacy numbers (X, and the number a
text was sent from) are no secret. Texts are not shown."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from typing import Any

from privnum.domain.access import Actor, Permission
from privnum.domain.audit import AuditEvent
from privnum.domain.management_errors import NotFound
from privnum.domain.records.masking import mask_number
from privnum.domain.records.sms_results import parse_send_result
from privnum.domain.records.windows import export_window, parse_instant, records_window
from privnum.service.clock import now_ms
from privnum.service.management.ports import ManagementTx, ManagementUnit
from privnum.service.management.sms_records_ports import SmsFilter, SmsRow
from privnum.service.paging import Page, PageRequest

EXPORT_BATCH = 500


@dataclass(frozen=True)
class SmsQuery:
    """The filters of an SMS listing or export as people send them (strings; the console's form, the API's query)."""

    from_: str | None = None
    to: str | None = None
    app_id: int | None = None
    x: str | None = None
    sender: str | None = None
    receiver: str | None = None
    send_result: str | None = None
    sms_id: str | None = None

    def where(self, *, export: bool) -> SmsFilter:
        """The filter, or Invalid (with its field) for a bad time, window or result."""
        start, end = parse_instant(self.from_, "from"), parse_instant(self.to, "to", end=True)
        window = (export_window if export else records_window)(start, end, now_ms())
        result = parse_send_result(self.send_result) if self.send_result not in (None, "") else None
        return SmsFilter(window, app_id=self.app_id, x=self.x or None, sender=self.sender or None,
                         receiver=self.receiver or None, send_result=result, sms_id=self.sms_id or None)


def masked_sms(row: SmsRow) -> SmsRow:
    return replace(row, sender=mask_number(row.sender) or "", receiver=mask_number(row.receiver))


def _filter_details(where: SmsFilter) -> dict[str, Any]:
    details: dict[str, Any] = {"from_ms": where.window.from_ms, "to_ms": where.window.to_ms}
    for name in ("app_id", "x", "sender", "receiver", "sms_id"):
        if getattr(where, name) is not None:
            details[name] = getattr(where, name)
    if where.send_result is not None:
        details["send_result"] = int(where.send_result)
    return details


class SmsRecords:
    def __init__(self, unit: ManagementUnit) -> None:
        self.unit = unit

    @staticmethod
    def _check(actor: Actor, reveal: bool) -> None:
        actor.require(Permission.READ)
        if reveal:
            actor.require(Permission.REVEAL_NUMBERS)

    async def list(self, actor: Actor, where: SmsFilter, page: PageRequest = PageRequest(), *,
                   reveal: bool = False) -> Page[SmsRow]:
        """Newest first (by arrival) in ``where.window``; a tenant's own only."""
        self._check(actor, reveal)
        where = replace(where, tenant_id=actor.tenant_scope())

        async def work(tx: ManagementTx) -> Page[SmsRow]:
            found = await tx.sms_records(where, page)
            if reveal:
                await tx.audit(AuditEvent(actor, "sms.reveal", "sms", actor.tenant_id,
                                          details=_filter_details(where)), now_ms())
            return found if reveal else replace(found, items=[masked_sms(r) for r in found.items])

        return await self.unit.run(work, read_only=not reveal)

    async def detail(self, actor: Actor, sms_id: str, *, reveal: bool = False) -> SmsRow:
        """One message; another tenant's (or one to nobody's number, for a tenant) is NotFound."""
        self._check(actor, reveal)

        async def work(tx: ManagementTx) -> SmsRow:
            found = await tx.sms_record(sms_id)
            if found is None or not actor.sees(found.tenant_id):
                raise NotFound("sms", f"no SMS record {sms_id}; GET /mgmt/v1/records/sms lists the last 31 days")
            if reveal:
                await tx.audit(AuditEvent(actor, "sms.reveal", f"sms:{sms_id}", found.tenant_id,
                                          details={"sms_id": sms_id}), now_ms())
            return found if reveal else masked_sms(found)

        return await self.unit.run(work, read_only=not reveal)

    async def export(self, actor: Actor, where: SmsFilter, *, reveal: bool = False) -> AsyncIterator[SmsRow]:
        """Every message of ``where`` (newest first) for a CSV export: the permission and the reveal's audit
        event come before the first row (call ``export`` and await it: it returns the iterator)."""
        self._check(actor, reveal)
        where = replace(where, tenant_id=actor.tenant_scope())
        if reveal:
            await self.unit.run(lambda tx: tx.audit(AuditEvent(
                actor, "sms.reveal", "sms.csv", actor.tenant_id, details=_filter_details(where)), now_ms()))
        return self._rows(where, reveal)

    async def _rows(self, where: SmsFilter, reveal: bool) -> AsyncIterator[SmsRow]:
        async def next_batch(cursor: tuple[int, str] | None) -> list[SmsRow]:
            return await self.unit.run(lambda tx: tx.sms_records_after(where, cursor, EXPORT_BATCH), read_only=True)

        after: tuple[int, str] | None = None
        while True:
            batch = await next_batch(after)
            for row in batch:
                yield row if reveal else masked_sms(row)
            if len(batch) < EXPORT_BATCH:
                return
            after = (batch[-1].received_at_ms, batch[-1].sms_id)
