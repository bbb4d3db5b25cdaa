"""What the operator's use cases need from storage and from the wire format, as protocols.

One operator action is one transaction: ``ManagementUnit.run(work)`` hands ``work`` a
``ManagementTx``, which sees enterprises and apps (``TenancyStore``), the number pool
(``NumberPool``) and the push outbox (``PushQueue``) on the same connection, so a number-state
change and the numStatus push it causes commit together or not at all. Rules that must hold
across processes (an enterprise's app quota, a number in the pool at most once) are settled by
the database's atomic statements and constraints; the rows methods report the outcome.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from privnum.domain.apps import App, AppStatus, CallbackUrls
from privnum.domain.audit import AuditEvent, AuditRecord
from privnum.domain.enterprises import Enterprise
from privnum.domain.modes import Mode
from privnum.domain.number_status import NumberStatus
from privnum.domain.private_numbers import NumberState, PrivateNumber
from privnum.domain.pushes import OutboundPush
from privnum.domain.reviews import Review, ReviewKind, ReviewState
from privnum.service.access.ports import AccessRows
from privnum.service.management.a_number_ports import ANumberRows
from privnum.service.management.assignment_ports import BilledTx
from privnum.service.management.ent_ports import EnterpriseRows
from privnum.service.management.number_ports import NumberManagementRows
from privnum.service.management.records_ports import PushRows, RecordRows
from privnum.service.management.sms_records_ports import SmsRecordRows
from privnum.service.management.voice_ports import VoiceFileRowsTx
from privnum.service.paging import Page, PageRequest

T = TypeVar("T")


@dataclass(frozen=True)
class NewApp:
    """An app to insert; its keys are made by the use case."""

    enterprise_id: int
    name: str
    mode: Mode
    app_key: str
    app_secret: str
    callbacks: CallbackUrls
    recording_enabled: bool
    sms_enabled: bool
    ip_allowlist: tuple[str, ...]
    extension_length: int
    sms_content: bool = False


@dataclass(frozen=True)
class AppChanges:
    """What an app update may change; None leaves a field as it is (the mode is fixed)."""

    call_status_url: str | None = None
    cdr_url: str | None = None
    sms_url: str | None = None
    sms_control_url: str | None = None
    number_status_url: str | None = None
    push_number_status: bool | None = None
    recording_enabled: bool | None = None
    sms_enabled: bool | None = None
    sms_content: bool | None = None
    ip_allowlist: tuple[str, ...] | None = None
    status: AppStatus | None = None
    name: str | None = None
    extension_length: int | None = None
    tags: tuple[tuple[str, str], ...] | None = None


class TenancyStore(Protocol):
    """Enterprise and app rows, inside the caller's transaction."""

    async def enterprise(self, name: str) -> Enterprise | None: ...

    async def enterprise_by_id(self, enterprise_id: int) -> Enterprise | None: ...

    async def ensure_enterprise(self, name: str, app_quota: int, now_ms: int) -> Enterprise:
        """The enterprise called ``name``, inserted with ``app_quota`` if there is none (also when two
        operators create it at once)."""
        ...

    async def enterprises(self) -> list[Enterprise]: ...

    async def set_app_quota(self, name: str, app_quota: int) -> bool:
        """False, changing nothing, when the enterprise is missing or already has more apps than ``app_quota``."""
        ...

    async def take_app_slot(self, enterprise_id: int) -> bool:
        """Count one more app against the enterprise's quota in one atomic statement; False when it is full."""
        ...

    async def insert_app(self, app: NewApp, now_ms: int) -> App: ...

    async def update_app(self, app_key: str, changes: AppChanges, now_ms: int) -> App | None:
        """The app after the changes; None when there is no app with that key."""
        ...

    async def app_by_key(self, app_key: str) -> App | None: ...

    async def app_by_id(self, app_id: int) -> App | None: ...

    async def apps(self) -> list[App]: ...


class NumberPool(Protocol):
    """Number rows, inside the caller's transaction."""

    async def insert_numbers(self, numbers: Sequence[PrivateNumber], now_ms: int) -> bool:
        """Insert all of them, or none (returning False) when one is already in the pool."""
        ...

    async def number(self, number: str) -> PrivateNumber | None: ...

    async def set_number_state(self, number: str, state: NumberState, now_ms: int) -> None: ...

    async def numbers(self, app_key: str | None = None) -> list[PrivateNumber]:
        """Every number, or those of the app with this key, in number order."""
        ...


class PushQueue(Protocol):
    """Pushes written in the caller's transaction, delivered later by the push worker."""

    async def enqueue(self, pushes: Sequence[OutboundPush], now_ms: int) -> None: ...


@dataclass(frozen=True)
class AuditFilter:
    tenant_id: int | None = None  # None: every tenant's and the operators' own (operators only)
    action: str | None = None
    actor_login: str | None = None
    subject: str | None = None
    since_ms: int | None = None
    until_ms: int | None = None


class AuditLog(Protocol):
    async def audit(self, event: AuditEvent, now_ms: int) -> None:
        """Record one event, in the caller's transaction: it commits with the change it describes."""
        ...

    async def audit_events(self, where: AuditFilter, page: PageRequest) -> Page[AuditRecord]: ...


@dataclass(frozen=True)
class NewReview:
    kind: ReviewKind
    subject_id: int
    tenant_id: int | None
    subject_label: str
    submitted_by: str


class ReviewRows(Protocol):
    async def insert_review(self, review: NewReview, now_ms: int) -> Review:
        """A pending review, one revision after the subject's last one."""
        ...

    async def review(self, review_id: int) -> Review | None: ...

    async def latest_review(self, kind: ReviewKind, subject_id: int) -> Review | None: ...

    async def reviews_of(self, kind: ReviewKind, subject_id: int) -> list[Review]: ...

    async def reviews(self, state: ReviewState | None, kind: ReviewKind | None, tenant_id: int | None,
                      page: PageRequest) -> Page[Review]: ...

    async def decide_review(self, review_id: int, state: ReviewState, reason_code: str | None, message: str | None,
                            decided_by: str, now_ms: int) -> bool:
        """Move a pending review to ``state``; False (changing nothing) when it is no longer pending."""
        ...

    async def nudge_review(self, review_id: int, now_ms: int) -> None: ...


class SettingsRows(Protocol):
    async def setting(self, key: str) -> str | None: ...

    async def put_setting(self, key: str, value: str, now_ms: int) -> None: ...


class ManagementTx(TenancyStore, EnterpriseRows, NumberPool, PushQueue, AccessRows, AuditLog, ReviewRows, SettingsRows,
                   RecordRows, SmsRecordRows, PushRows, ANumberRows, NumberManagementRows, VoiceFileRowsTx, BilledTx,
                   Protocol):
    """One management transaction: whatever one action reads and changes commits together, its audit event
    included."""


class ManagementUnit(Protocol):
    async def run(self, work: Callable[[ManagementTx], Awaitable[T]], *, read_only: bool = False) -> T:
        """Run ``work`` in one transaction (committed when it returns, rolled back when it raises), again
        from the start if it lost a transient conflict."""
        ...


class NumberStatusFormatter(Protocol):
    """The wire body of an X-number status push (Huawei's numStatus)."""

    def number_status_body(self, change: NumberStatus) -> dict[str, Any]: ...

    def number_statuses_body(self, changes: Sequence[NumberStatus]) -> dict[str, Any]:
        """Several numbers of one app in one push (at most 100)."""
