"""Billing (issue 15 item 4): accounts, usage, a month's statement, the month's rated lines as CSV; for operators,
top-ups, adjustments and credit limits. A tenant user passes its own tenant id; another tenant's is 404."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, tzinfo
from typing import Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field
from starlette.responses import StreamingResponse

from privnum.domain.access import Permission
from privnum.domain.billing.money import InvalidAmount, from_decimal_string, to_decimal_string
from privnum.domain.management_errors import Invalid
from privnum.entrypoints.mgmt.billing_views import (
    AccountView,
    StatementView,
    UsageView,
    account_view,
    statement_view,
    usage_view,
)
from privnum.entrypoints.mgmt.principal import ActorDep, ManagementDep
from privnum.entrypoints.mgmt.records_routes import MAX_ID, csv_line
from privnum.service.billing.report_ports import LineToExport

router = APIRouter(prefix="/mgmt/v1/billing", tags=["management: billing"])
CSV_COLUMNS = ("line_id", "occurred_at", "source", "meter", "number_class", "app_id", "app_name", "x_number", "icid",
               "caller", "callee", "answered_at", "ended_at", "talk_seconds", "billed_minutes", "sms_id", "segments",
               "rent_number", "rent_month", "units", "unit_price", "amount", "currency", "journal")
TENANT = Path(ge=1, le=MAX_ID)
MONTH = Query(None, max_length=7, description="YYYY-MM in the billing time zone; the current month by default")


class TopUpBody(BaseModel):
    amount: str = Field(max_length=24, description="a positive decimal, e.g. 100 or 12.5")
    note: str | None = Field(None, max_length=200)
    reference: str | None = Field(None, max_length=64, description="a reference given twice tops up once")


class AdjustmentBody(BaseModel):
    amount: str = Field(max_length=24, description="signed: 5 credits the wallet, -5 debits it")
    reason: str = Field(max_length=500)
    reference: str | None = Field(None, max_length=64, description="a reference given twice adjusts once")


class CreditLimitBody(BaseModel):
    credit_limit: str = Field(max_length=24, description="how far below zero the balance may go; 0: prepaid")


def amount_of(text: str, field: str) -> int:
    try:
        return from_decimal_string(text.strip())
    except InvalidAmount as error:
        raise Invalid("invalid_amount", str(error), field=field) from None


def _zone_name(zone: tzinfo) -> str:
    return str(getattr(zone, "key", zone))


@router.get("/accounts", response_model=list[AccountView])
async def accounts(actor: ActorDep, plane: ManagementDep) -> list[AccountView]:
    """Every billing account (operators), or the caller's tenant's."""
    return [account_view(found) for found in await plane.billing.reports.accounts(actor)]


@router.get("/accounts/{tenant_id}", response_model=AccountView)
async def account(actor: ActorDep, plane: ManagementDep, tenant_id: int = TENANT) -> AccountView:
    """Currency, price plan, balance, credit limit and standing."""
    return account_view(await plane.billing.reports.account(actor, tenant_id))


@router.get("/accounts/{tenant_id}/usage", response_model=UsageView)
async def usage(actor: ActorDep, plane: ManagementDep, tenant_id: int = TENANT,
                from_: str | None = Query(None, alias="from", max_length=7, description="first month, YYYY-MM"),
                to: str | None = Query(None, max_length=7, description="last month, YYYY-MM (at most 12)"),
                bucket: str | None = Query(None, max_length=8, description="day (default) or month"),
                by: str | None = Query(None, max_length=8, description="app (default) or x")) -> UsageView:
    """Units and amount charged per day or month and per app or X number, per meter."""
    reports = plane.billing.reports
    found = await reports.usage(actor, tenant_id, from_ or None, to or None, bucket=bucket or None, by=by or None)
    return usage_view(found, _zone_name(reports.zone))


@router.get("/accounts/{tenant_id}/statement", response_model=StatementView)
async def statement(actor: ActorDep, plane: ManagementDep, tenant_id: int = TENANT,
                    month: str | None = MONTH) -> StatementView:
    """opening + topups − charges + adjustments = closing, and the month's journals."""
    reports = plane.billing.reports
    return statement_view(await reports.statement(actor, tenant_id, month or None), _zone_name(reports.zone))


def _local(at_ms: int | None, zone: tzinfo) -> str:
    if at_ms is None:
        return ""
    return datetime.fromtimestamp(at_ms / 1000, UTC).astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")


def _csv_row(line: LineToExport, currency: str, zone: tzinfo) -> list[Any]:
    call, text, rent = line.source == "cdr", line.source == "sms", line.source == "rent"
    number, _, month = line.key.rpartition(":") if rent else ("", "", "")
    minutes = line.units if call and line.meter.startswith("call.") else ""
    return [line.id, _local(line.occurred_at_ms, zone), line.source, line.meter, line.number_class, line.app_id,
            line.app_name or "", line.x_number, line.key if call else "", line.caller or "", line.callee or "",
            _local(line.answered_at_ms, zone), _local(line.ended_at_ms, zone),
            "" if line.talk_seconds is None else line.talk_seconds, minutes, line.key if text else "",
            "" if line.segments is None else line.segments, number, month, line.units,
            to_decimal_string(line.unit_price_micros), to_decimal_string(line.amount_micros), currency,
            line.settlement_key or ""]


async def _csv(lines: AsyncIterator[LineToExport], currency: str, zone: tzinfo) -> AsyncIterator[bytes]:
    yield ("\ufeff" + csv_line(list(CSV_COLUMNS))).encode()
    async for line in lines:
        yield csv_line(_csv_row(line, currency, zone)).encode()


@router.get("/accounts/{tenant_id}/lines.csv", response_class=StreamingResponse)
async def export_lines(actor: ActorDep, plane: ManagementDep, tenant_id: int = TENANT,
                       month: str | None = MONTH) -> StreamingResponse:
    """Every rated line of the month's usage with the call, text or rent behind it; UTF-8 with a BOM (Excel),
    times in the billing time zone, real numbers masked."""
    reports = plane.billing.reports
    found = await reports.export_lines(actor, tenant_id, month or None)
    name = f"billing-{tenant_id}-{found.month}.csv"
    return StreamingResponse(_csv(found.lines, found.summary.account.currency, reports.zone),
                             media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": f'attachment; filename="{name}"',
                                      "Cache-Control": "no-store"})


@router.post("/accounts/{tenant_id}/topups", response_model=AccountView)
async def top_up(body: TopUpBody, actor: ActorDep, plane: ManagementDep, tenant_id: int = TENANT) -> AccountView:
    """Operators: credit the wallet (journal ``topup:<tenant>:<reference>``); the account after it."""
    actor.require(Permission.MANAGE_BILLING)  # before the body's checks: a tenant user learns 403, not 422
    await plane.billing.desk.top_up(actor, tenant_id, amount_of(body.amount, "amount"), body.note, body.reference)
    return account_view(await plane.billing.reports.account(actor, tenant_id))


@router.post("/accounts/{tenant_id}/adjustments", response_model=AccountView)
async def adjust(body: AdjustmentBody, actor: ActorDep, plane: ManagementDep,
                 tenant_id: int = TENANT) -> AccountView:
    """Operators: a signed adjustment with a reason (journal ``adjust:<tenant>:<reference>``)."""
    actor.require(Permission.MANAGE_BILLING)
    await plane.billing.desk.adjust(actor, tenant_id, amount_of(body.amount, "amount"), body.reason, body.reference)
    return account_view(await plane.billing.reports.account(actor, tenant_id))


@router.put("/accounts/{tenant_id}/credit-limit", response_model=AccountView)
async def credit_limit(body: CreditLimitBody, actor: ActorDep, plane: ManagementDep,
                       tenant_id: int = TENANT) -> AccountView:
    """Operators: how far below zero the balance may go before arrears."""
    actor.require(Permission.MANAGE_BILLING)
    await plane.billing.desk.set_credit_limit(actor, tenant_id, amount_of(body.credit_limit, "credit_limit"))
    return account_view(await plane.billing.reports.account(actor, tenant_id))
