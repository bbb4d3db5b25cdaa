"""What the records, pushes and statistics use cases need from storage: CDR rows with their app and tenant,
the binding, pushes and recording of a call, per-day counts for statistics, and the push outbox seen by people.
Every listing takes a tenant scope (None: every tenant's, for operators)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from privnum.domain.calls.causes import Cause
from privnum.domain.records.results import CallResult
from privnum.domain.records.statistics import DayCount
from privnum.domain.records.windows import Window
from privnum.service.paging import Page, PageRequest
from privnum.service.ports import PushAttempt, PushRow


@dataclass(frozen=True)
class CdrFilter:
    window: Window
    tenant_id: int | None = None  # None: every tenant's (operators only)
    app_id: int | None = None
    x: str | None = None  # the privacy number dialled
    caller: str | None = None
    callee: str | None = None
    result: CallResult | Cause | None = None
    session_id: str | None = None


@dataclass(frozen=True)
class CdrRow:
    """One CDR as stored, with the app and tenant it belongs to."""

    session_id: str
    app_id: int
    app_key: str
    app_name: str
    tenant_id: int | None
    mode: str
    binding_id: str | None
    direction: int
    caller: str
    called: str
    callee: str | None
    display: str | None
    extension: str | None
    area_code: str | None
    started_at_ms: int
    forwarded_at_ms: int | None
    alerting_at_ms: int | None
    answered_at_ms: int | None
    ended_at_ms: int
    cause: int
    q850: int
    sip_status: int
    released_by: str | None
    talk_seconds: int
    recording_object_name: str | None
    user_data: str | None
    created_at_ms: int


@dataclass(frozen=True)
class BindingRow:
    id: str
    mode: str
    number: str
    party_a: str | None
    party_b: str | None
    extension: str | None
    created_at_ms: int
    expires_at_ms: int | None


@dataclass(frozen=True)
class PushFilter:
    tenant_id: int | None = None
    dead_only: bool = False
    app_id: int | None = None
    app_key: str | None = None
    kind: str | None = None


@dataclass(frozen=True)
class PushRecord:
    """A push as listed, with its app and tenant; ``body`` only when asked for one push."""

    row: PushRow
    app_id: int
    tenant_id: int | None
    body: str | None = None


@dataclass(frozen=True)
class StatsFilter:
    window: Window
    tenant_id: int | None = None
    app_id: int | None = None
    by: str | None = None  # None, "app" (app id) or "city" (the X's area code)


class RecordRows(Protocol):
    async def cdrs(self, where: CdrFilter, page: PageRequest) -> Page[CdrRow]:
        """Newest first (by call start)."""
        ...

    async def cdrs_after(self, where: CdrFilter, after: tuple[int, str] | None, limit: int) -> list[CdrRow]:
        """The next ``limit`` CDRs in the listing's order after (started_at_ms, session_id) ``after``: an export
        reads them batch by batch without skipping or repeating rows while new calls end."""
        ...

    async def cdr(self, session_id: str) -> CdrRow | None: ...

    async def binding_row(self, binding_id: str) -> BindingRow | None: ...

    async def pushes_of_call(self, cdr: CdrRow) -> list[PushRecord]:
        """The call's event pushes and its CDR push, oldest first, with their bodies."""
        ...

    async def call_days(self, where: StatsFilter) -> list[DayCount]:
        """Calls, answered calls and billed minutes per Beijing day (and group), counted by the database."""
        ...

    async def bind_days(self, where: StatsFilter) -> list[DayCount]:
        """Bindings made and ended (unbound, expired) per Beijing day (and group)."""
        ...


class PushRows(Protocol):
    async def pushes(self, where: PushFilter, page: PageRequest) -> Page[PushRecord]:
        """Newest first."""
        ...

    async def push(self, ref: str) -> PushRecord | None:
        """One push by row id or push id, with its body."""
        ...

    async def push_attempts(self, row_ids: list[int]) -> dict[int, list[PushAttempt]]:
        """Every delivery attempt of these pushes, oldest first, per push row id."""
        ...

    async def replay_push(self, row_id: int, now_ms: int) -> bool:
        """Make a dead push pending again (attempts 0, due now, same push id); False when it is not dead."""
        ...
