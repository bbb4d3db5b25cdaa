"""The audit trail: every mutation from the console, the management API and the CLI."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from privnum.entrypoints.mgmt.principal import ActorDep, ManagementDep
from privnum.entrypoints.mgmt.views import AuditView, PageView, audit_view, page_view
from privnum.service.management.ports import AuditFilter
from privnum.service.paging import PageRequest

router = APIRouter(prefix="/mgmt/v1", tags=["management: audit"])


@router.get("/audit-events", response_model=PageView[AuditView])
async def audit_events(actor: ActorDep, plane: ManagementDep, action: str | None = Query(None, max_length=64),
                       actor_login: str | None = Query(None, max_length=64),
                       subject: str | None = Query(None, max_length=128), tenant_id: int | None = Query(None),
                       since_ms: int | None = Query(None), until_ms: int | None = Query(None),
                       page: int = Query(1), per_page: int = Query(50)) -> dict[str, Any]:
    """Newest first. ``action`` matches a prefix (``app.`` = every app action)."""
    where = AuditFilter(tenant_id=tenant_id, action=action, actor_login=actor_login, subject=subject,
                        since_ms=since_ms, until_ms=until_ms)
    return page_view(await plane.audit.list(actor, where, PageRequest(page, per_page)), audit_view)
