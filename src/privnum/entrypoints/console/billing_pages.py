"""Billing in the console (issue 15 item 4): the accounts (operators) or one's own (tenant users), an account's
overview with the month's statement (opening + top-ups − charges ± adjustments = closing) and its journals, the
CSV of the month's rated lines, usage per app or X per day or month, the tenant's packages with the units left (and
a form to buy one, for account admins, billing users and platform admins), and for operators the top-up and
adjustment forms. Amounts are shown exactly (decimal strings from micros) with the account's currency."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, tzinfo
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path
from starlette.requests import Request
from starlette.responses import Response

from privnum.domain.access import Actor, Permission
from privnum.domain.billing.rent import next_month
from privnum.domain.management_errors import Conflict, Invalid
from privnum.entrypoints.console.form_refusals import FormErrors, sentence
from privnum.entrypoints.console.i18n import N_
from privnum.entrypoints.console.package_cards import packages_context, refusal_sentence
from privnum.entrypoints.console.rendering import redirect_with_notice, render
from privnum.entrypoints.console.session import requires
from privnum.entrypoints.mgmt.billing_routes import MAX_ID, amount_of
from privnum.entrypoints.mgmt.billing_views import account_view, statement_view, usage_view
from privnum.entrypoints.mgmt.principal import management_of

router = APIRouter()
Reader = Annotated[Actor, Depends(requires(Permission.READ_BILLING))]
Desk = Annotated[Actor, Depends(requires(Permission.MANAGE_BILLING))]
Buyer = Annotated[Actor, Depends(requires(Permission.BUY_PACKAGES))]
TenantId = Annotated[int, Path(ge=1, le=MAX_ID)]
FORM_FIELDS = frozenset({"amount", "note", "reason", "reference"})
KIND_LABELS = {"topup": N_("Top-up"), "settlement": N_("Usage charges"), "rent": N_("Number rent"),
               "package": N_("Package"), "adjustment": N_("Adjustment")}
METER_LABELS = {"call.forwarded": N_("Forwarded call minutes"), "call.inbound": N_("Inbound call minutes"),
                "call.recording": N_("Recorded minutes"), "sms.forwarded": N_("SMS segments"),
                "number.rent": N_("Number-months of rent"), "binding.created": N_("Bindings made")}
SENTENCES = {"invalid_month": N_("Enter a month as YYYY-MM, e.g. 2026-12."),
             "invalid_window": N_("Choose at most 12 months, the first one not after the last."),
             "invalid_amount": N_("Enter an amount such as 100, 12.5 or -5 (at most 6 decimals) within the limits."),
             "invalid_reason": N_("Say why, in 1 to 500 characters."),
             "invalid_reference": N_("The form is out of date. Reload the page and try again.")}


def _sentence(refused: Invalid) -> str:
    return SENTENCES.get(refused.code) or sentence(refused)


def _form_errors(refused: Invalid) -> FormErrors:
    if refused.field in FORM_FIELDS - {"reference"}:
        return FormErrors({str(refused.field): _sentence(refused)})
    return FormErrors(alert=_sentence(refused))


def _zone(request: Request) -> tzinfo:
    zone: tzinfo = management_of(request).billing.reports.zone
    return zone


def _local(request: Request, at_ms: int) -> str:
    return datetime.fromtimestamp(at_ms / 1000, UTC).astimezone(_zone(request)).strftime("%Y-%m-%d %H:%M:%S")


def _previous_month(month: str) -> str:
    year, number = int(month[:4]), int(month[5:7])
    return f"{year - 1:04d}-12" if number == 1 else f"{year:04d}-{number - 1:02d}"


@router.get("/billing")
async def billing_home(request: Request, actor: Reader) -> Response:
    """Operators: every billing account; a tenant user: its own account's page (or the word that there is none)."""
    accounts = await management_of(request).billing.reports.accounts(actor)
    if not actor.is_operator and accounts:
        return redirect_with_notice(f"/console/billing/{accounts[0].account.tenant_id}")
    return render(request, "billing/accounts.html", {"accounts": [account_view(a) for a in accounts]})


async def _account_page(request: Request, actor: Actor, tenant_id: int, month: str,
                        values: dict[str, str] | None = None, errors: FormErrors | None = None,
                        form: str | None = None, status: int = 200) -> Response:
    reports = management_of(request).billing.reports
    month_error = None
    try:
        found = await reports.statement(actor, tenant_id, month or None)
    except Invalid as refused:
        month_error = _sentence(refused)
        found = await reports.statement(actor, tenant_id, None)
    shown = statement_view(found, str(reports.zone))
    journals = [{"time": _local(request, j.at_ms), "kind": KIND_LABELS.get(j.kind, j.kind), "memo": j.memo or "",
                 "amount": j.amount, "key": j.key} for j in shown.journals]
    return render(request, "billing/account.html", {
        "account": shown.account, "statement": shown, "journals": journals, "month": shown.month,
        "month_value": month if month_error else shown.month, "month_error": month_error,
        "previous_month": _previous_month(shown.month), "next_month": next_month(shown.month),
        "csv_url": f"/mgmt/v1/billing/accounts/{tenant_id}/lines.csv?{urlencode({'month': shown.month})}",
        "may_move_money": actor.can(Permission.MANAGE_BILLING), "values": values or {},
        "errors": errors or FormErrors(), "form": form, "reference": uuid.uuid4().hex,
        **await packages_context(request, actor, tenant_id, METER_LABELS, _zone(request))},
        status=status if not month_error else 422)


@router.get("/billing/{tenant_id}")
async def account_page(request: Request, tenant_id: TenantId, actor: Reader) -> Response:
    return await _account_page(request, actor, tenant_id, request.query_params.get("month", "").strip())


async def _money_form(request: Request, actor: Actor, tenant_id: int, form_name: str) -> Response:
    form = await request.form()
    values = {name: str(form.get(name, "") or "").strip() for name in FORM_FIELDS}
    month = str(form.get("month", "") or "")
    desk = management_of(request).billing.desk
    try:
        amount = amount_of(values["amount"], "amount")
        if form_name == "topup":
            await desk.top_up(actor, tenant_id, amount, values["note"] or None, values["reference"] or None)
        else:
            await desk.adjust(actor, tenant_id, amount, values["reason"], values["reference"] or None)
    except Invalid as refused:
        return await _account_page(request, actor, tenant_id, month, values, _form_errors(refused),
                                   form_name, 422)
    notice = N_("Top-up recorded.") if form_name == "topup" else N_("Adjustment recorded.")
    query = f"?{urlencode({'month': month})}" if month else ""
    return redirect_with_notice(f"/console/billing/{tenant_id}{query}", notice)


@router.post("/billing/{tenant_id}/topup")
async def top_up(request: Request, tenant_id: TenantId, actor: Desk) -> Response:
    return await _money_form(request, actor, tenant_id, "topup")


@router.post("/billing/{tenant_id}/adjust")
async def adjust(request: Request, tenant_id: TenantId, actor: Desk) -> Response:
    return await _money_form(request, actor, tenant_id, "adjust")


@router.post("/billing/{tenant_id}/packages")
async def buy_package(request: Request, tenant_id: TenantId, actor: Buyer) -> Response:
    """Buy the chosen product from the wallet; the form's reference buys once however often it is posted."""
    form = await request.form()
    values = {name: str(form.get(name, "") or "").strip() for name in ("product", "reference")}
    month = str(form.get("month", "") or "")
    try:
        await management_of(request).billing.package_desk.buy(actor, tenant_id, values["product"],
                                                              values["reference"] or None)
    except (Invalid, Conflict) as refused:
        if refused.code in ("reference_used", "invalid_reference"):
            values["reference"] = ""  # the page's form gets a fresh one
        return await _account_page(request, actor, tenant_id, month, values,
                                   FormErrors(alert=refusal_sentence(refused)), "buy",
                                   422 if isinstance(refused, Invalid) else 409)
    query = f"?{urlencode({'month': month})}" if month else ""
    return redirect_with_notice(f"/console/billing/{tenant_id}{query}", N_("Package bought."))


@router.get("/billing/{tenant_id}/usage")
async def usage_page(request: Request, tenant_id: TenantId, actor: Reader) -> Response:
    values = {k: request.query_params.get(k, "").strip() for k in ("from", "to", "bucket", "by")}
    reports = management_of(request).billing.reports
    errors: dict[str, str] = {}
    try:
        found = await reports.usage(actor, tenant_id, values["from"] or None, values["to"] or None,
                                    bucket=values["bucket"] or None, by=values["by"] or None)
    except Invalid as refused:
        errors[refused.field if refused.field in ("from", "to") else "alert"] = _sentence(refused)
        found = await reports.usage(actor, tenant_id)
    shown = usage_view(found, str(reports.zone))

    def switched(**change: str) -> str:
        query: dict[str, Any] = {"from": shown.from_month, "to": shown.to_month, "bucket": shown.bucket,
                                 "by": shown.by, **change}
        return f"/console/billing/{tenant_id}/usage?{urlencode(query)}"

    rows = [{"bucket": r.bucket, "group": r.app_name or r.group, "meter": METER_LABELS.get(r.meter, r.meter),
             "units": r.units, "amount": r.amount, "unsettled": r.unsettled_units} for r in shown.rows]
    return render(request, "billing/usage.html", {
        "account": shown.account, "usage": shown, "rows": rows, "values": values, "errors": errors,
        "per_day": switched(bucket="day"), "per_month": switched(bucket="month"), "per_app": switched(by="app"),
        "per_x": switched(by="x")}, status=422 if errors else 200)
