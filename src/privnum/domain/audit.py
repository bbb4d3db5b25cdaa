"""An audit event: who did what to which thing, the thing before and after, and from where."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from privnum.domain.access import Actor


@dataclass(frozen=True)
class AuditEvent:
    actor: Actor
    action: str  # "app.create", "review.approve", "session.login", ...
    subject: str  # "app:12", "enterprise:3", "user:alice"
    tenant_id: int | None = None
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AuditRecord:
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
