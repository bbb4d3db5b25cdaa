"""What the SMS records use cases (短信详单) need from storage: relayed messages with their app and tenant, one
page at a time or batch by batch for an export, and per-day counts of sent messages for statistics. Every
listing takes a tenant scope (None: every tenant's, for operators)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from privnum.domain.records.statistics import DayCount
from privnum.domain.records.windows import Window
from privnum.domain.sms.results import SendResult
from privnum.service.management.records_ports import StatsFilter
from privnum.service.paging import Page, PageRequest


@dataclass(frozen=True)
class SmsFilter:
    window: Window  # on the message's arrival (received_at_ms)
    tenant_id: int | None = None  # None: every tenant's (operators only)
    app_id: int | None = None
    x: str | None = None  # the privacy number the text was sent to
    sender: str | None = None
    receiver: str | None = None
    send_result: SendResult | None = None
    sms_id: str | None = None


@dataclass(frozen=True)
class SmsRow:
    """One relayed message as stored (its text left out: records show what happened, not what was said), with
    the app and tenant it belongs to (None when X was nobody's number)."""

    sms_id: str
    app_id: int | None
    app_name: str | None
    tenant_id: int | None
    mode: str | None
    binding_id: str | None
    sender: str
    x: str
    receiver: str | None
    from_number: str | None
    segments: int
    direction: int | None
    state: str
    send_result: int | None
    notification_mode: str | None
    delivery: str | None
    delivery_at_ms: int | None
    received_at_ms: int
    finished_at_ms: int | None


class SmsRecordRows(Protocol):
    async def sms_records(self, where: SmsFilter, page: PageRequest) -> Page[SmsRow]:
        """Newest first (by arrival)."""
        ...

    async def sms_records_after(self, where: SmsFilter, after: tuple[int, str] | None, limit: int) -> list[SmsRow]:
        """The next ``limit`` messages in the listing's order after (received_at_ms, sms_id) ``after``."""
        ...

    async def sms_record(self, sms_id: str) -> SmsRow | None: ...

    async def sms_days(self, where: StatsFilter) -> list[DayCount]:
        """Messages sent (sendResult 0) and their segments per Beijing day of arrival (and group)."""
        ...
