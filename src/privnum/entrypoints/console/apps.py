"""Applications in the console: the list, the create form (then the secret, shown once), the detail page with
its settings form (URLs, switches, allow-list, tags) and secret rotation."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import Response

from privnum.domain.access import Actor, Permission
from privnum.domain.app_rules import ORDERABLE_MODES, check_mode
from privnum.domain.apps import App, CallbackUrls
from privnum.domain.management_errors import Invalid, ManagementError
from privnum.entrypoints.console.form_refusals import FormErrors, sentence
from privnum.entrypoints.console.i18n import N_
from privnum.entrypoints.console.paging import Page
from privnum.entrypoints.console.rendering import redirect_with_notice, render
from privnum.entrypoints.console.session import requires
from privnum.entrypoints.mgmt.principal import management_of
from privnum.service.clock import today_utc
from privnum.service.management.apps import AppForm
from privnum.service.management.ports import AppChanges
from privnum.service.paging import PageRequest

router = APIRouter()
Reader = Annotated[Actor, Depends(requires(Permission.READ))]
Manager = Annotated[Actor, Depends(requires(Permission.MANAGE_APPS))]
Rotator = Annotated[Actor, Depends(requires(Permission.ROTATE_SECRETS))]

URL_FIELDS = ("call_status_url", "cdr_url", "sms_url", "sms_control_url", "number_status_url")
SWITCHES = ("recording_enabled", "sms_enabled", "sms_content", "push_number_status")
FIELDS = frozenset({"enterprise_id", "name", "mode", *URL_FIELDS, *SWITCHES, "ip_allowlist", "extension_length",
                    "tags"})
LABELS = {"enterprise_id": N_("Enterprise"), "name": N_("Application name"), "mode": N_("Business mode"),
          "call_status_url": N_("Call status URL"), "cdr_url": N_("Call record URL"),
          "sms_url": N_("SMS notification URL"), "sms_control_url": N_("SMS control URL"),
          "number_status_url": N_("X number status URL"), "recording_enabled": N_("Recording"),
          "sms_enabled": N_("SMS"), "sms_content": N_("Notifications carry the SMS text"),
          "push_number_status": N_("Push X number status"), "ip_allowlist": N_("IP allow-list (one per line)"),
          "extension_length": N_("Extension length (AXE)"), "tags": N_("Tags (key=value, one per line)")}


def _lines(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def _tags(text: str) -> tuple[tuple[str, str], ...]:
    tags = []
    for line in _lines(text):
        key, _sep, value = line.partition("=")
        tags.append((key.strip(), value.strip()))
    return tuple(tags)


def _values(app: App) -> dict[str, str]:
    return {"name": app.name, "call_status_url": app.callbacks.call_status or "", "cdr_url": app.callbacks.cdr or "",
            "sms_url": app.callbacks.sms or "", "sms_control_url": app.callbacks.sms_control or "",
            "number_status_url": app.callbacks.number_status or "",
            "recording_enabled": "1" if app.recording_enabled else "", "sms_enabled": "1" if app.sms_enabled else "",
            "sms_content": "1" if app.sms_content else "",
            "push_number_status": "1" if app.callbacks.push_number_status else "",
            "ip_allowlist": "\n".join(app.ip_allowlist), "extension_length": str(app.extension_length),
            "tags": "\n".join(f"{k}={v}" for k, v in app.tags)}


def _form_values(form: Any) -> dict[str, str]:
    return {name: str(form.get(name, "") or "") for name in FIELDS}


def _int(value: str, field: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise Invalid("invalid_number", "Enter a whole number.", field=field) from None


async def _approved_enterprises(request: Request, actor: Actor) -> list[Any]:
    found = await management_of(request).enterprises.page(actor, PageRequest(1, 200))
    today = today_utc()
    return [e for e in found.items if e.may_order(today)]


async def _new_page(request: Request, actor: Actor, values: dict[str, str], errors: FormErrors,
                    status: int = 200) -> Response:
    return render(request, "apps/new.html", {"values": values, "errors": errors, "labels": LABELS,
                                             "modes": ORDERABLE_MODES, "url_fields": URL_FIELDS,
                                             "switches": SWITCHES,
                                             "enterprises": await _approved_enterprises(request, actor)},
                  status=status)


@router.get("/apps")
async def app_list(request: Request, actor: Reader) -> Response:
    plane = management_of(request)
    page = Page.of(request, (await plane.apps.page(actor, PageRequest(1, 1))).total)
    found = await plane.apps.page(actor, PageRequest(page.number, page.size))
    rows = [{"id": a.id, "name": a.name, "mode": a.mode.value, "enterprise": a.enterprise_name,
             "status": a.status.value, "app_key": a.app_key} for a in found.items]
    return render(request, "apps/list.html", {"rows": rows, "page": page,
                                              "may_add": actor.can(Permission.MANAGE_APPS)})


@router.get("/apps/new")
async def app_new(request: Request, actor: Manager) -> Response:
    return await _new_page(request, actor, {"mode": "AXB", "extension_length": "4"}, FormErrors())


@router.post("/apps/new")
async def app_create(request: Request, actor: Manager) -> Response:
    values = _form_values(await request.form())
    try:
        form = AppForm(
            enterprise_id=_int(values["enterprise_id"], "enterprise_id"), name=values["name"],
            mode=check_mode(values["mode"]),
            callbacks=CallbackUrls(call_status=values["call_status_url"] or None, cdr=values["cdr_url"] or None,
                                   sms=values["sms_url"] or None, sms_control=values["sms_control_url"] or None,
                                   number_status=values["number_status_url"] or None,
                                   push_number_status=bool(values["push_number_status"])),
            recording_enabled=bool(values["recording_enabled"]), sms_enabled=bool(values["sms_enabled"]),
            sms_content=bool(values["sms_content"]),
            ip_allowlist=_lines(values["ip_allowlist"]),
            extension_length=_int(values["extension_length"] or "4", "extension_length"), tags=_tags(values["tags"]))
        created = await management_of(request).apps.add(actor, form)
    except ManagementError as refused:
        if refused.kind.value not in ("invalid", "conflict", "not_found"):
            raise
        return await _new_page(request, actor, values, FormErrors.of(refused, FIELDS), 422)
    # the secret is on this answer only: reloading shows the app without it
    return render(request, "apps/secret.html", {"app": created, "created": True}, status=201)


async def _detail(request: Request, actor: Actor, app: App, values: dict[str, str] | None = None,
                  errors: FormErrors | None = None, status: int = 200) -> Response:
    return render(request, "apps/detail.html", {
        "app": app, "values": values or _values(app), "errors": errors or FormErrors(), "labels": LABELS,
        "url_fields": URL_FIELDS, "switches": SWITCHES, "may_manage": actor.can(Permission.MANAGE_APPS),
        "may_rotate": actor.can(Permission.ROTATE_SECRETS)}, status=status)


@router.get("/apps/{app_id}")
async def app_detail(request: Request, app_id: int, actor: Reader) -> Response:
    return await _detail(request, actor, await management_of(request).apps.get(actor, app_id))


@router.post("/apps/{app_id}")
async def app_update(request: Request, app_id: int, actor: Manager) -> Response:
    plane = management_of(request)
    values = _form_values(await request.form())
    try:
        changes = AppChanges(
            name=values["name"], call_status_url=values["call_status_url"], cdr_url=values["cdr_url"],
            sms_url=values["sms_url"], sms_control_url=values["sms_control_url"],
            number_status_url=values["number_status_url"], push_number_status=bool(values["push_number_status"]),
            recording_enabled=bool(values["recording_enabled"]), sms_enabled=bool(values["sms_enabled"]),
            sms_content=bool(values["sms_content"]),
            ip_allowlist=_lines(values["ip_allowlist"]),
            extension_length=_int(values["extension_length"] or "4", "extension_length"), tags=_tags(values["tags"]))
        await plane.apps.change(actor, app_id, changes)
    except ManagementError as refused:
        if refused.kind.value != "invalid":
            raise
        return await _detail(request, actor, await plane.apps.get(actor, app_id), values,
                             FormErrors.of(refused, FIELDS), 422)
    return redirect_with_notice(f"/console/apps/{app_id}", N_("Changes saved. They apply at once."))


@router.post("/apps/{app_id}/rotate")
async def app_rotate(request: Request, app_id: int, actor: Rotator) -> Response:
    form = await request.form()
    try:
        grace = int(str(form.get("grace_hours", "24")))
    except ValueError:
        grace = -1
    try:
        rotated = await management_of(request).apps.rotate_secret(actor, app_id, grace)
    except Invalid as refused:
        app = await management_of(request).apps.get(actor, app_id)
        return await _detail(request, actor, app, errors=FormErrors(alert=sentence(refused)), status=422)
    return render(request, "apps/secret.html", {"app": rotated, "created": False})
