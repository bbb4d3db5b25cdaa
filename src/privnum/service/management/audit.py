"""The audit trail as people read it: every mutation from the console, the management API and the CLI, newest
first; a tenant sees its own tenant's events, operators see all."""

from __future__ import annotations

from dataclasses import replace

from privnum.domain.access import Actor, Permission
from privnum.domain.audit import AuditRecord
from privnum.service.management.ports import AuditFilter, ManagementUnit
from privnum.service.paging import Page, PageRequest


class AuditTrail:
    def __init__(self, unit: ManagementUnit) -> None:
        self.unit = unit

    async def list(self, actor: Actor, where: AuditFilter = AuditFilter(),
                   page: PageRequest = PageRequest()) -> Page[AuditRecord]:
        actor.require(Permission.READ_AUDIT)
        if not actor.is_operator:
            where = replace(where, tenant_id=actor.tenant_id)
        return await self.unit.run(lambda tx: tx.audit_events(where, page), read_only=True)
