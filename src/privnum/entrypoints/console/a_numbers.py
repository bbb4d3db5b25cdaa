"""A numbers on file (A号码报备) in the console: ``GET /console/a-numbers`` (the tenant's numbers, masked, paged,
with the form that registers one with its live photo), ``POST /console/a-numbers`` and
``POST /console/a-numbers/{id}/withdraw``. The same use cases as Huawei's wire API and ``/mgmt/v1/a-numbers``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from privnum.domain.a_numbers import MAX_PHOTO_BYTES, ANumber, mask_name, mask_number
from privnum.domain.access import Actor, Permission
from privnum.domain.management_errors import ManagementError
from privnum.entrypoints.console.i18n import N_
from privnum.entrypoints.console.paging import Page
from privnum.entrypoints.console.rendering import redirect_with_notice, render
from privnum.entrypoints.console.session import requires
from privnum.entrypoints.mgmt.principal import management_of
from privnum.service.management.a_numbers import Submitted
from privnum.service.paging import PageRequest

router = APIRouter()
LIST = "/console/a-numbers"
FORM_FIELDS = ("number", "number_type", "name", "identity_card", "operator_number")
MAX_FORM_BYTES = MAX_PHOTO_BYTES + 16 * 1024

TYPE_LABELS = {1: N_("Mobile number"), 2: N_("Fixed-line number")}
STATUS_LABELS = {0: N_("Reported"), 1: N_("Report failed"), 2: N_("Reporting")}
STATUS_TONES = {0: "ok", 1: "bad", 2: "info"}
# a refusal's code -> what the form says next to the field
ERRORS = {
    "consent_required": N_("Tick the box: the owner agreed that their data is reported."),
    "invalid_number_type": N_("Choose mobile or fixed line."),
    "invalid_number": N_("Enter the number in global format: +86 and the mobile number, or +86, the area code "
                         "without 0 and the fixed-line number."),
    "invalid_name": N_("Enter the name, at most 50 characters."),
    "invalid_identity_card": N_("Enter the 18-character ID card number; its last character does not match."),
    "invalid_photo": N_("Choose a JPEG or PNG photo under 32 KB whose name ends in .jpg or .png."),
    "invalid_live_face_image": N_("Choose a JPEG or PNG photo under 32 KB whose name ends in .jpg or .png."),
    "operator_number_required": N_("A fixed line needs the mobile number of the person who handles it."),
    "invalid_operator_number": N_("Enter a mobile number in global format, +86 and 11 digits."),
    "already_registered": N_("This number is already on file. Withdraw it first to register it again."),
}
FIELD_OF = {"live_face_image": "photo", "numbers": "number", "agree_authorization_statement": "agree"}

Reader = Annotated[Actor, Depends(requires(Permission.READ))]
Manager = Annotated[Actor, Depends(requires(Permission.MANAGE_ENTERPRISES))]


def _row(a_number: ANumber, actor: Actor) -> dict[str, Any]:
    reveal = actor.can(Permission.REVEAL_NUMBERS)
    return {"id": a_number.id, "number": a_number.number if reveal else mask_number(a_number.number),
            "type": TYPE_LABELS[a_number.number_type.value], "name": mask_name(a_number.name),
            "identity_card": a_number.identity_card_masked, "photo": a_number.live_face_image,
            "status": a_number.report_status.value, "created_at_ms": a_number.created_at_ms}


async def _list_page(request: Request, actor: Actor, form: dict[str, str] | None = None,
                     errors: dict[str, str] | None = None, status: int = 200) -> Response:
    a_numbers = management_of(request).a_numbers
    total = (await a_numbers.list(actor, PageRequest(1, 1))).total
    page = Page.of(request, total)
    rows = (await a_numbers.list(actor, PageRequest(page.number, page.size))).items
    return render(request, "a_numbers/list.html", {
        "rows": [_row(a, actor) for a in rows], "page": page, "form": form or {"number_type": "1"},
        "errors": errors or {}, "may_manage": actor.can(Permission.MANAGE_ENTERPRISES) and not actor.is_operator,
        "status_labels": STATUS_LABELS, "status_tones": STATUS_TONES}, status=status)


@router.get("/a-numbers")
async def list_a_numbers(request: Request, actor: Reader) -> Response:
    return await _list_page(request, actor)


@router.post("/a-numbers")
async def register_a_number(request: Request, actor: Manager) -> Response:
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > MAX_FORM_BYTES:
        return await _list_page(request, actor, errors={"photo": ERRORS["invalid_photo"]}, status=422)
    data = await request.form(max_files=1, max_fields=10, max_part_size=MAX_FORM_BYTES)
    form = {name: str(data.get(name) or "").strip()[:64] for name in FORM_FIELDS}
    upload = data.get("photo")
    photo = (upload.filename or "", await upload.read()) if isinstance(upload, UploadFile) else ("", b"")
    number_type = int(form["number_type"]) if form["number_type"].isdigit() else 0
    submitted = Submitted(form["number"], number_type, form["name"], form["identity_card"], photo[0],
                          form["operator_number"] or None)
    try:
        await management_of(request).a_numbers.register_with_photo(actor, submitted, photo,
                                                                   consent=data.get("agree") == "yes")
    except ManagementError as error:
        if error.code not in ERRORS:
            raise
        field = (error.field or "number").split(".")[-1]
        form["identity_card"] = ""  # never echoed back
        return await _list_page(request, actor, form, {FIELD_OF.get(field, field): ERRORS[error.code]}, 422)
    return redirect_with_notice(LIST, N_("The A number is on file."))


@router.post("/a-numbers/{a_number_id}/withdraw")
async def withdraw_a_number(request: Request, a_number_id: int, actor: Manager) -> Response:
    a_numbers = management_of(request).a_numbers
    found = await a_numbers.get(actor, a_number_id)
    await a_numbers.withdraw(actor, [found.number])
    return redirect_with_notice(LIST, N_("The A number is withdrawn."))
