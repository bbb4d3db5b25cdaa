"""The console's voice files (放音文件管理): upload (showing the conversion), the list with states, review reasons
and players, nudge, delete (the in-use refusal shown), the bindings naming files a call could not play, and the
shipped defaults with players. htmx requests get the page's main fragment, others the whole page."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from privnum.domain.access import Actor, Permission
from privnum.domain.management_errors import Conflict, ManagementError
from privnum.domain.voice_files import VoiceFileState
from privnum.entrypoints.console.i18n import N_
from privnum.entrypoints.console.paging import Page
from privnum.entrypoints.console.rendering import conflict_status, redirect_with_notice, render
from privnum.entrypoints.console.session import requires
from privnum.entrypoints.mgmt.principal import management_of
from privnum.entrypoints.mgmt.voice_routes import read_upload
from privnum.service.management.voice_files import VoiceFileDetail
from privnum.service.paging import PageRequest

router = APIRouter()
PATH = "/console/voice-files"
Reader = Annotated[Actor, Depends(requires(Permission.READ))]
Manager = Annotated[Actor, Depends(requires(Permission.MANAGE_VOICE_FILES))]

# refusal code → the sentence shown next to its field (the use case's English sentence follows as detail)
FIELD_ERRORS = {
    "invalid_name": N_("Use letters, digits and _ @ . - (at most 128, not starting with a dot), e.g. wait_voice1.wav."),
    "name_taken": N_("This app already has a file of that name. To replace it, delete it and upload again."),
    "description_too_long": N_("A description has at most 128 characters."),
    "file_too_large": N_("A voice file is at most 2 MB."),
    "format_invalid": N_("This file cannot be read as audio. Upload a WAV (A-law 8 kHz mono is kept as is; "
                         "PCM is converted), FLAC, Ogg or AIFF."),
    "field_required": N_("This field is required."),
    "invalid_app_id": N_("Choose one of your applications."),
    "not_found": N_("Choose one of your applications."),
}
DELETED = N_("The voice file was deleted.")
# the reviewers' reasons (domain/reviews.py REJECTION_REASONS), translated where they are shown
REVIEW_REASONS = (N_("The file is not a playable prompt; upload an 8 kHz mono A-law WAV."),
                  N_("The content of the prompt is not allowed."), N_("See the reviewer's message."))


def _filters(request: Request) -> tuple[int | None, VoiceFileState | None]:
    """The list's ``?app=`` and ``?state=`` (anything else: no filter)."""
    app, state = request.query_params.get("app", ""), request.query_params.get("state", "")
    return (int(app) if app.isdigit() else None,
            VoiceFileState(state) if state in {s.value for s in VoiceFileState} else None)


async def _main_context(request: Request, actor: Actor) -> dict[str, Any]:
    library = management_of(request).voice_files
    app_id, state = _filters(request)
    first = await library.listing(actor, app_id=app_id, state=state, page=PageRequest(1, 1))
    page = Page.of(request, first.total)
    files = await library.listing(actor, app_id=app_id, state=state, page=PageRequest(page.number, page.size))
    apps = await library.apps(actor)
    return {"files": files.items, "page": page, "apps": apps, "app_names": {a.id: a.name for a in apps},
            "filter": {"app": app_id, "state": state.value if state else None}, "states": list(VoiceFileState),
            "problems": await library.problems(actor), "defaults": library.defaults(actor),
            "may_manage": actor.can(Permission.MANAGE_VOICE_FILES), "form": {}, "errors": {}, "uploaded": None,
            "refusal": None, "reason_of": review_reason}


def _answer(request: Request, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    template = "voice_files/_main.html" if request.headers.get("hx-request") else "voice_files/list.html"
    return render(request, template, context, status)


@router.get("/voice-files")
async def voice_files_page(request: Request, actor: Reader) -> HTMLResponse:
    return _answer(request, await _main_context(request, actor))


@router.post("/voice-files")
async def upload_voice_file(request: Request, actor: Manager) -> Response:
    form_values: dict[str, str] = {}
    try:
        upload = await read_upload(request, form_values)
        detail = await management_of(request).voice_files.upload(actor, upload)
    except ManagementError as refused:
        context = await _main_context(request, actor)
        field = refused.field or ("app_id" if refused.code == "not_found" else None)
        if field is None or refused.code not in FIELD_ERRORS:
            raise
        context.update(form=form_values, errors={field: (FIELD_ERRORS[refused.code], refused.message)})
        return _answer(request, context, 422)
    context = await _main_context(request, actor)
    context["uploaded"] = detail
    return _answer(request, context, 201)


async def _refused(request: Request, actor: Actor, refused: Conflict) -> HTMLResponse:
    """The page with the refusal's sentence above it (e.g. the bindings that still name a file): 409, but 200 to
    htmx, which swaps only 2xx and 422 answers (base.html's htmx-config)."""
    return _answer(request, await _main_context(request, actor) | {"refusal": refused.message},
                   conflict_status(request))


@router.post("/voice-files/{file_id}/delete")
async def delete_voice_file(file_id: int, request: Request, actor: Manager) -> Response:
    try:
        await management_of(request).voice_files.delete(actor, file_id)
    except Conflict as refused:
        return await _refused(request, actor, refused)
    if request.headers.get("hx-request"):
        return _answer(request, await _main_context(request, actor) | {"deleted": True})
    return redirect_with_notice(PATH, DELETED)


@router.post("/voice-files/{file_id}/nudge")
async def nudge_voice_file(file_id: int, request: Request, actor: Reader) -> Response:
    try:
        await management_of(request).voice_files.nudge(actor, file_id)
    except Conflict as refused:
        return await _refused(request, actor, refused)
    return _answer(request, await _main_context(request, actor) | {"nudged": file_id})


def review_reason(detail: VoiceFileDetail) -> str | None:
    review = detail.review
    if review is None or review.state.value != "rejected":
        return None
    return " ".join(part for part in (review.reason_text, review.message) if part)
