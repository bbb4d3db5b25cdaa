"""Billing notifications (billing.md R-27) in the management API: operators set a tenant's low-balance threshold;
everyone with READ_BILLING lists the notifications they may see (operators: all, or one tenant's; a tenant user:
its own tenant's), newest first, with whether the operator's webhook has each yet."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from privnum.domain.access import Permission
from privnum.domain.billing.money import to_decimal_string
from privnum.entrypoints.mgmt.billing_routes import TENANT, amount_of
from privnum.entrypoints.mgmt.principal import ActorDep, ManagementDep
from privnum.entrypoints.mgmt.records_routes import MAX_ID
from privnum.service.billing.notice_ports import StoredNotice
from privnum.service.billing.notifications import MAX_LISTED

router = APIRouter(prefix="/mgmt/v1/billing", tags=["management: billing"])


class LowBalanceBody(BaseModel):
    low_balance: str | None = Field(max_length=24, description="a decimal, e.g. 50; null: no threshold")


class LowBalanceView(BaseModel):
    tenant_id: int
    low_balance: str | None  # null: no threshold


class NotificationView(BaseModel):
    id: int
    tenant_id: int
    tenant_name: str
    kind: str  # low_balance, arrears_started, recovered, package_used_80, package_used_100, package_expiring
    key: str
    body: dict[str, Any]  # what the webhook receives
    created_at_ms: int
    delivered_at_ms: int | None
    attempts: int
    next_attempt_at_ms: int | None  # None once delivered
    last_error: str | None


def notification_view(notice: StoredNotice) -> NotificationView:
    return NotificationView(id=notice.id, tenant_id=notice.tenant_id, tenant_name=notice.tenant_name,
                            kind=notice.kind, key=notice.key, body=json.loads(notice.body),
                            created_at_ms=notice.created_at_ms, delivered_at_ms=notice.delivered_at_ms,
                            attempts=notice.attempts,
                            next_attempt_at_ms=None if notice.delivered_at_ms else notice.next_attempt_at_ms,
                            last_error=notice.last_error)


@router.put("/accounts/{tenant_id}/low-balance", response_model=LowBalanceView)
async def set_low_balance(body: LowBalanceBody, actor: ActorDep, plane: ManagementDep,
                          tenant_id: int = TENANT) -> LowBalanceView:
    """Operators: raise ``low_balance`` when the balance falls below this (once per crossing); null: never."""
    actor.require(Permission.MANAGE_BILLING)  # before the body's checks: a tenant user learns 403, not 422
    text = (body.low_balance or "").strip()
    threshold = amount_of(text, "low_balance") if text else None
    await plane.billing.notifications.set_low_balance(actor, tenant_id, threshold)
    return LowBalanceView(tenant_id=tenant_id,
                          low_balance=None if threshold is None else to_decimal_string(threshold))


@router.get("/notifications", response_model=list[NotificationView])
async def notifications(actor: ActorDep, plane: ManagementDep,
                        tenant_id: int | None = Query(None, ge=1, le=MAX_ID, description="one tenant's only"),
                        undelivered: bool = Query(False, description="only those the webhook has not taken yet"),
                        limit: int = Query(100, ge=1, le=MAX_LISTED)) -> list[NotificationView]:
    """Billing notifications, newest first."""
    found = await plane.billing.notifications.list(actor, tenant_id, undelivered=undelivered, limit=limit)
    return [notification_view(notice) for notice in found]
