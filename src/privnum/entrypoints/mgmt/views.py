"""JSON shapes shared by the management API's routes: a page of rows, users, tenants, reviews, audit events."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from privnum.domain.access import Actor, Permission
from privnum.domain.audit import AuditRecord
from privnum.domain.reviews import Review
from privnum.service.access.ports import Tenant, User
from privnum.service.paging import Page

T = TypeVar("T")


class PageView(BaseModel, Generic[T]):
    items: list[T]
    total: int
    page: int
    per_page: int
    pages: int


def page_view(page: Page[Any], convert: Any) -> dict[str, Any]:
    return {"items": [convert(i) for i in page.items], "total": page.total, "page": page.page,
            "per_page": page.per_page, "pages": page.pages}


class UserView(BaseModel):
    id: int
    login: str
    display_name: str
    role: str
    status: str
    locale: str
    tenant_id: int | None
    tenant_name: str | None = None
    last_login_at_ms: int | None = None


def user_view(user: User) -> UserView:
    return UserView(id=user.id, login=user.login, display_name=user.display_name, role=user.role.value,
                    status=user.status, locale=user.locale, tenant_id=user.tenant_id, tenant_name=user.tenant_name,
                    last_login_at_ms=user.last_login_at_ms)


class MeView(BaseModel):
    login: str
    display_name: str
    role: str
    operator: bool
    tenant_id: int | None
    locale: str
    permissions: list[str]
    via: str


def me_view(actor: Actor) -> MeView:
    return MeView(login=actor.login, display_name=actor.display_name, role=actor.role.value,
                  operator=actor.is_operator, tenant_id=actor.tenant_id, locale=actor.locale,
                  permissions=sorted(p.value for p in Permission if actor.can(p)), via=actor.kind.value)


class TenantView(BaseModel):
    id: int
    name: str
    status: str
    created_at_ms: int


def tenant_view(tenant: Tenant) -> TenantView:
    return TenantView(id=tenant.id, name=tenant.name, status=tenant.status, created_at_ms=tenant.created_at_ms)


class ReviewView(BaseModel):
    id: int
    kind: str
    subject_id: int
    subject_label: str
    tenant_id: int | None
    revision: int
    state: str
    submitted_at_ms: int
    submitted_by: str
    reason_code: str | None
    reason: str | None
    message: str | None
    decided_at_ms: int | None
    decided_by: str | None
    nudges: int


def review_view(review: Review) -> ReviewView:
    return ReviewView(id=review.id, kind=review.kind.value, subject_id=review.subject_id,
                      subject_label=review.subject_label, tenant_id=review.tenant_id, revision=review.revision,
                      state=review.state.value, submitted_at_ms=review.submitted_at_ms,
                      submitted_by=review.submitted_by, reason_code=review.reason_code, reason=review.reason_text,
                      message=review.message, decided_at_ms=review.decided_at_ms, decided_by=review.decided_by,
                      nudges=review.nudges)


class AuditView(BaseModel):
    id: int
    at_ms: int
    actor_kind: str
    actor_login: str
    tenant_id: int | None
    action: str
    subject: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    ip: str | None


def audit_view(record: AuditRecord) -> AuditView:
    return AuditView(id=record.id, at_ms=record.at_ms, actor_kind=record.actor_kind, actor_login=record.actor_login,
                     tenant_id=record.tenant_id, action=record.action, subject=record.subject, before=record.before,
                     after=record.after, ip=record.ip)
