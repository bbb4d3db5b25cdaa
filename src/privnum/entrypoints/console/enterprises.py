"""Enterprises in the console: a tenant's list, the create/edit form, the detail page (materials upload per kind,
the review's status, reason and message, submit, nudge); the operators' enterprises with their app quotas."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from privnum.domain.access import Actor, Permission
from privnum.domain.enterprise_materials import MaterialKind, parse_kind, rule_for
from privnum.domain.enterprises import EDITABLE, CarrierKind, Enterprise, EnterpriseProfile, Nature
from privnum.domain.management_errors import Invalid, ManagementError
from privnum.entrypoints.console import labels
from privnum.entrypoints.console.form_refusals import FormErrors, sentence
from privnum.entrypoints.console.i18n import N_
from privnum.entrypoints.console.paging import Page
from privnum.entrypoints.console.rendering import redirect_with_notice, render
from privnum.entrypoints.console.session import requires
from privnum.entrypoints.mgmt.principal import management_of
from privnum.service.clock import today_utc
from privnum.service.paging import Page as ServicePage
from privnum.service.paging import PageRequest

router = APIRouter()
Reader = Annotated[Actor, Depends(requires(Permission.READ))]
Manager = Annotated[Actor, Depends(requires(Permission.MANAGE_ENTERPRISES))]
QuotaManager = Annotated[Actor, Depends(requires(Permission.MANAGE_QUOTAS))]

labels.STATUS_LABELS.setdefault("draft", N_("Draft"))
labels.STATUS_TONES.setdefault("draft", "muted")

TEXT_FIELDS = ("name", "credit_code", "industry", "scenario_call", "scenario_sms", "call_script", "carrier_name",
               "legal_name", "handler_name", "handler_phone")
ALL_FIELDS = frozenset({*TEXT_FIELDS, "nature", "carrier_kind", "carrier_is_third_party", "auth_letter_valid_until"})
NATURES = {Nature.CHANNEL: N_("Channel"), Nature.SAAS: N_("SaaS"), Nature.DIRECT: N_("Direct customer")}
CARRIERS = {CarrierKind.APP: N_("Mobile app"), CarrierKind.MINI_PROGRAM: N_("Mini program"),
            CarrierKind.WEBSITE: N_("Website"), CarrierKind.OFFICIAL_ACCOUNT: N_("Official account"),
            CarrierKind.H5: N_("H5 page"), CarrierKind.OTHER: N_("Other")}
MATERIALS = {MaterialKind.LICENCE: N_("Business licence"), MaterialKind.LEGAL_ID_FRONT: N_("Legal person's ID (front)"),
             MaterialKind.LEGAL_ID_BACK: N_("Legal person's ID (back)"),
             MaterialKind.HANDLER_HOLDING_ID: N_("Handler holding their ID"),
             MaterialKind.CARRIER_AUTHORIZATION: N_("Carrier's authorisation"),
             MaterialKind.BUSINESS_AUTHORIZATION: N_("Business authorisation letter"),
             MaterialKind.APPLICATION_LETTER: N_("Application letter"), MaterialKind.OTHER: N_("Other materials")}
FIELD_LABELS = {"name": N_("Name (as on the business licence)"), "credit_code": N_("Unified social credit code"),
                "nature": N_("Nature"), "industry": N_("Industry"), "scenario_call": N_("Call scenario"),
                "scenario_sms": N_("SMS scenario (optional)"), "call_script": N_("Call script"),
                "carrier_kind": N_("Carrier kind"), "carrier_name": N_("Carrier name"),
                "carrier_is_third_party": N_("The carrier belongs to a third party"),
                "legal_name": N_("Legal person"), "handler_name": N_("Handler"),
                "handler_phone": N_("Handler's mobile number"),
                "auth_letter_valid_until": N_("Authorisation letter valid until")}


def _profile_from(form: Any) -> tuple[EnterpriseProfile | None, dict[str, str], FormErrors]:
    values = {name: str(form.get(name, "") or "") for name in ALL_FIELDS}
    values["carrier_is_third_party"] = "1" if form.get("carrier_is_third_party") else ""
    errors = FormErrors()
    try:
        nature = Nature(values["nature"])
    except ValueError:
        errors.fields["nature"] = N_("Choose one.")
    try:
        carrier = CarrierKind(values["carrier_kind"])
    except ValueError:
        errors.fields["carrier_kind"] = N_("Choose one.")
    try:
        until = date.fromisoformat(values["auth_letter_valid_until"])
    except ValueError:
        errors.fields["auth_letter_valid_until"] = N_("Enter a date.")
    if errors:
        return None, values, errors
    profile = EnterpriseProfile(
        name=values["name"], credit_code=values["credit_code"], nature=nature, industry=values["industry"],
        scenario_call=values["scenario_call"], scenario_sms=values["scenario_sms"] or None,
        call_script=values["call_script"], carrier_kind=carrier, carrier_name=values["carrier_name"],
        carrier_is_third_party=bool(values["carrier_is_third_party"]), legal_name=values["legal_name"],
        handler_name=values["handler_name"], handler_phone=values["handler_phone"], auth_letter_valid_until=until)
    return profile, values, errors


def _form_page(request: Request, action: str, values: dict[str, str], errors: FormErrors, status: int = 200,
               enterprise_id: int | None = None) -> Response:
    return render(request, "enterprises/form.html", {
        "action": action, "values": values, "errors": errors, "natures": NATURES, "carriers": CARRIERS,
        "labels": FIELD_LABELS, "text_fields": TEXT_FIELDS, "enterprise_id": enterprise_id}, status=status)


async def _paged(request: Request, fetch: Callable[[PageRequest], Awaitable[ServicePage[Enterprise]]]
                 ) -> tuple[Page, list[Enterprise]]:
    """The page ``?page=`` asks for (clamped to those that exist) and its enterprises."""
    page = Page.of(request, (await fetch(PageRequest(1, 1))).total)
    return page, (await fetch(PageRequest(page.number, page.size))).items


@router.get("/enterprises")
async def enterprise_list(request: Request, actor: Reader) -> Response:
    page, found = await _paged(request, lambda p: management_of(request).enterprises.page(actor, p))
    today = today_utc()
    rows = [{"id": e.id, "name": e.name, "status": e.status_on(today).value, "apps": f"{e.app_count}/{e.app_quota}",
             "letter": e.profile.auth_letter_valid_until.isoformat() if e.profile else ""} for e in found]
    return render(request, "enterprises/list.html", {"rows": rows, "page": page,
                                                     "may_add": actor.can(Permission.MANAGE_ENTERPRISES)})


@router.get("/enterprises/new")
async def enterprise_new(request: Request, actor: Manager) -> Response:
    return _form_page(request, "/console/enterprises/new", {"nature": "direct", "carrier_kind": "app"}, FormErrors())


@router.post("/enterprises/new")
async def enterprise_create(request: Request, actor: Manager) -> Response:
    profile, values, errors = _profile_from(await request.form())
    if profile is None:
        return _form_page(request, "/console/enterprises/new", values, errors, 422)
    try:
        created = await management_of(request).enterprises.add(actor, profile)
    except ManagementError as refused:
        if refused.kind.value not in ("invalid", "conflict"):
            raise
        return _form_page(request, "/console/enterprises/new", values, FormErrors.of(refused, ALL_FIELDS), 422)
    return redirect_with_notice(f"/console/enterprises/{created.id}", N_("Enterprise saved as a draft."))


async def _detail(request: Request, actor: Actor, enterprise_id: int, status: int = 200,
                  upload_error: str | None = None, alert: str | None = None) -> Response:
    detail = await management_of(request).enterprises.detail(actor, enterprise_id)
    today = today_utc()
    state = detail.enterprise.status_on(today)
    return render(request, "enterprises/detail.html", {
        "detail": detail, "e": detail.enterprise, "p": detail.enterprise.profile, "status": state.value,
        "editable": state in EDITABLE and detail.enterprise.profile is not None,
        "pending": state.value == "pending", "may_manage": actor.can(Permission.MANAGE_ENTERPRISES),
        "materials": MATERIALS, "have": {m.kind: m for m in detail.materials}, "natures": NATURES,
        "carriers": CARRIERS, "labels": FIELD_LABELS, "upload_error": upload_error, "alert": alert}, status=status)


@router.get("/enterprises/{enterprise_id}")
async def enterprise_detail(request: Request, enterprise_id: int, actor: Reader) -> Response:
    return await _detail(request, actor, enterprise_id)


@router.get("/enterprises/{enterprise_id}/edit")
async def enterprise_edit(request: Request, enterprise_id: int, actor: Manager) -> Response:
    detail = await management_of(request).enterprises.detail(actor, enterprise_id)
    profile = detail.enterprise.profile
    values = {k: ("" if v is None else "1" if v is True else "" if v is False else getattr(v, "value", str(v)))
              for k, v in vars(profile).items()} if profile else {}
    return _form_page(request, f"/console/enterprises/{enterprise_id}/edit", values, FormErrors(),
                      enterprise_id=enterprise_id)


@router.post("/enterprises/{enterprise_id}/edit")
async def enterprise_update(request: Request, enterprise_id: int, actor: Manager) -> Response:
    action = f"/console/enterprises/{enterprise_id}/edit"
    profile, values, errors = _profile_from(await request.form())
    if profile is None:
        return _form_page(request, action, values, errors, 422, enterprise_id)
    try:
        await management_of(request).enterprises.change(actor, enterprise_id, vars(profile))
    except ManagementError as refused:
        if refused.kind.value not in ("invalid", "conflict"):
            raise
        return _form_page(request, action, values, FormErrors.of(refused, ALL_FIELDS), 422, enterprise_id)
    return redirect_with_notice(f"/console/enterprises/{enterprise_id}", N_("Changes saved."))


@router.post("/enterprises/{enterprise_id}/files")
async def enterprise_upload(request: Request, enterprise_id: int, actor: Manager) -> Response:
    form = await request.form()
    file = form.get("file")
    try:
        kind = parse_kind(str(form.get("kind", "")))
        if not isinstance(file, UploadFile) or not file.filename:
            raise Invalid("file_required", "Choose a file to upload.", field="file")
        data = await file.read(rule_for(kind).max_bytes + 1)
        await management_of(request).enterprises.upload(actor, enterprise_id, kind, file.filename or "", data)
    except ManagementError as refused:
        if refused.kind.value not in ("invalid", "conflict"):
            raise
        return await _detail(request, actor, enterprise_id, 422, upload_error=sentence(refused))
    return redirect_with_notice(f"/console/enterprises/{enterprise_id}", N_("File uploaded."))


async def _review_step(request: Request, actor: Actor, enterprise_id: int, step: str, notice: str) -> Response:
    enterprises = management_of(request).enterprises
    try:
        await (enterprises.submit if step == "submit" else enterprises.nudge)(actor, enterprise_id)
    except ManagementError as refused:
        if refused.kind.value not in ("invalid", "conflict"):
            raise
        return await _detail(request, actor, enterprise_id, 422, alert=sentence(refused))
    return redirect_with_notice(f"/console/enterprises/{enterprise_id}", notice)


@router.post("/enterprises/{enterprise_id}/submit")
async def enterprise_submit(request: Request, enterprise_id: int, actor: Manager) -> Response:
    return await _review_step(request, actor, enterprise_id, "submit", N_("Submitted for review."))


@router.post("/enterprises/{enterprise_id}/nudge")
async def enterprise_nudge(request: Request, enterprise_id: int, actor: Manager) -> Response:
    return await _review_step(request, actor, enterprise_id, "nudge", N_("The reviewers were reminded."))


# operators: every enterprise and its app quota

@router.get("/admin/enterprises")
async def quota_list(request: Request, actor: Reader) -> Response:
    page, found = await _paged(request, lambda p: management_of(request).enterprises.everyone(actor, p))
    today = today_utc()
    rows = [{"e": e, "status": e.status_on(today).value, "error": None} for e in found]
    return render(request, "enterprises/quotas.html", {"rows": rows, "page": page,
                                                       "may_edit": actor.can(Permission.MANAGE_QUOTAS)})


@router.post("/admin/enterprises/{enterprise_id}/quota")
async def quota_update(request: Request, enterprise_id: int, actor: QuotaManager) -> Response:
    """The row again (htmx swaps it in place): the new quota, or the refusal next to the field."""
    plane = management_of(request)
    form = await request.form()
    error = None
    try:
        quota = int(str(form.get("app_quota", "")))
        changed = await plane.enterprises.set_quota(actor, enterprise_id, quota)
    except ValueError:
        error = N_("Enter a whole number.")
    except ManagementError as refused:
        if refused.kind.value not in ("invalid", "conflict"):
            raise
        error = sentence(refused)
    if error is not None:
        changed = (await plane.enterprises.detail(actor, enterprise_id)).enterprise
    row = {"e": changed, "status": changed.status_on(today_utc()).value, "error": error}
    return render(request, "enterprises/_quota_row.html", {"row": row, "may_edit": True},
                  status=422 if error else 200)
