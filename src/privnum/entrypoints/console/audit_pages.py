"""The audit log in the console: every change (console, API, CLI), newest first, filtered by action prefix,
actor and subject, each with a compact before/after diff. Tenants see their own; operators all."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import HTMLResponse

from privnum.domain.access import Actor, Permission
from privnum.domain.audit import AuditRecord
from privnum.entrypoints.console.paging import DEFAULT_SIZE
from privnum.entrypoints.console.records import beijing_time, page_number, page_of
from privnum.entrypoints.console.rendering import render
from privnum.entrypoints.console.session import requires
from privnum.entrypoints.mgmt.principal import management_of
from privnum.service.management.ports import AuditFilter
from privnum.service.paging import PageRequest

router = APIRouter()
Auditor = Annotated[Actor, Depends(requires(Permission.READ_AUDIT))]


@dataclass(frozen=True)
class Change:
    key: str
    before: Any
    after: Any


def changes(record: AuditRecord) -> list[Change]:
    """The keys whose value differs between before and after (added and removed ones too), in key order."""
    before, after = record.before or {}, record.after or {}
    return [Change(k, before.get(k), after.get(k)) for k in sorted(set(before) | set(after))
            if before.get(k) != after.get(k)]


async def _page(request: Request, actor: Actor) -> HTMLResponse:
    values = {k: request.query_params.get(k, "").strip()[:128] for k in ("action", "actor", "subject")}
    where = AuditFilter(action=values["action"] or None, actor_login=values["actor"] or None,
                        subject=values["subject"] or None)
    found = await management_of(request).audit.list(actor, where, PageRequest(page_number(request), DEFAULT_SIZE))
    return render(request, "audit/list.html", {
        "values": values, "rows": [(r, changes(r)) for r in found.items],
        "page": page_of(request, found.page, found.per_page, found.total), "when": beijing_time})


@router.get("/audit")
async def audit_page(request: Request, actor: Auditor) -> HTMLResponse:
    return await _page(request, actor)


@router.get("/admin/audit")
async def operator_audit_page(request: Request, actor: Auditor) -> HTMLResponse:
    return await _page(request, actor)
