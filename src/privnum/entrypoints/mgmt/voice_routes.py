"""Voice files (放音文件管理): upload (multipart, converted and reviewed), list, one, listen, nudge, delete; the
shipped defaults; the live bindings naming a file a call could not play."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from privnum.domain.management_errors import Invalid
from privnum.domain.voice_files import MAX_UPLOAD_BYTES, VoiceFileState, check_upload_size
from privnum.domain.voice_references import VoiceProblem
from privnum.entrypoints.mgmt.principal import ActorDep, ManagementDep
from privnum.entrypoints.mgmt.views import PageView, ReviewView, page_view, review_view
from privnum.service.management.voice_files import ShippedPrompt, Upload, VoiceFileDetail
from privnum.service.paging import PageRequest

router = APIRouter(prefix="/mgmt/v1", tags=["management: voice files"])

FORM_OVERHEAD_BYTES = 64 * 1024  # the other fields and the multipart framing around the file
READ_CHUNK_BYTES = 64 * 1024


class VoiceFileView(BaseModel):
    id: int
    app_id: int
    tenant_id: int | None
    name: str
    description: str
    state: str
    duration_ms: int
    size_bytes: int | None
    original_name: str | None
    original_format: str | None
    conversion: str | None
    uploaded_by: str | None
    created_at_ms: int
    review: ReviewView | None
    audio_url: str


def voice_file_view(detail: VoiceFileDetail) -> VoiceFileView:
    f = detail.file
    return VoiceFileView(id=f.id, app_id=f.app_id, tenant_id=f.tenant_id, name=f.name, description=f.description,
                         state=f.state.value, duration_ms=f.duration_ms, size_bytes=f.size_bytes,
                         original_name=f.original_name, original_format=f.original_format, conversion=f.conversion,
                         uploaded_by=f.uploaded_by, created_at_ms=f.created_at_ms,
                         review=review_view(detail.review) if detail.review else None,
                         audio_url=f"/mgmt/v1/voice-files/{f.id}/audio")


class ShippedPromptView(BaseModel):
    language: str
    name: str
    duration_ms: int
    audio_url: str


def shipped_view(prompt: ShippedPrompt) -> ShippedPromptView:
    return ShippedPromptView(language=prompt.language, name=prompt.name, duration_ms=prompt.duration_ms,
                             audio_url=f"/mgmt/v1/voice-files/defaults/{prompt.language}/{prompt.name}/audio")


class ProblemView(BaseModel):
    binding_id: str
    app_id: int
    number: str
    option: str  # Huawei's name of the binding field, e.g. preVoice.callerHintTone
    name: str
    why: str  # missing, pending, rejected


def problem_view(problem: VoiceProblem) -> ProblemView:
    return ProblemView(binding_id=problem.binding_id, app_id=problem.app_id, number=problem.number,
                       option=problem.wire_option, name=problem.name, why=problem.why.value)


def _wav(data: bytes) -> Response:
    return Response(data, media_type="audio/wav", headers={"Cache-Control": "private, max-age=60"})


def _state(value: str | None) -> VoiceFileState | None:
    if value in (None, "", "all"):
        return None
    try:
        return VoiceFileState(value)
    except ValueError:
        raise Invalid("invalid_state", f"a voice file state is one of {', '.join(VoiceFileState)} or all",
                      field="state") from None


async def read_limited(file: UploadFile) -> bytes:
    """The upload's bytes, reading at most one byte more than a voice file may have."""
    data = bytearray()
    while len(data) <= MAX_UPLOAD_BYTES:
        chunk = await file.read(min(READ_CHUNK_BYTES, MAX_UPLOAD_BYTES + 1 - len(data)))
        if not chunk:
            break
        data += chunk
    check_upload_size(len(data))
    return bytes(data)


async def read_upload(request: Request, fields: dict[str, str]) -> Upload:
    """The multipart upload of a request (the management API's and the console's): ``app_id``, ``name``,
    ``description`` (optional), ``file``. ``fields`` receives the text fields as sent, also when a refusal
    (``Invalid``) follows, so a form can be shown again as it was."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_UPLOAD_BYTES + FORM_OVERHEAD_BYTES:
        check_upload_size(int(declared))  # refused before the body is read
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise Invalid("multipart_required", "send the upload as multipart/form-data with the fields app_id, name, "
                      "description and file")
    form = await request.form(max_files=1, max_fields=8)
    try:
        for name in ("app_id", "name", "description"):
            value = form.get(name)
            fields[name] = value if isinstance(value, str) else ""
        file = form.get("file")
        if not isinstance(file, UploadFile) or not file.filename:
            raise Invalid("field_required", "the form needs the field file (the audio)", field="file")
        if not fields["app_id"].isdigit():
            raise Invalid("invalid_app_id", "app_id is the number of one of your apps", field="app_id")
        return Upload(app_id=int(fields["app_id"]), name=fields["name"], description=fields["description"],
                      original_name=file.filename, data=await read_limited(file))
    finally:
        await form.close()


@router.post("/voice-files", response_model=VoiceFileView, status_code=201)
async def upload(request: Request, actor: ActorDep, plane: ManagementDep) -> VoiceFileView:
    """multipart/form-data: app_id, name, description (optional), file (≤ 2 MB)."""
    return voice_file_view(await plane.voice_files.upload(actor, await read_upload(request, {})))


@router.get("/voice-files", response_model=PageView[VoiceFileView])
async def listing(actor: ActorDep, plane: ManagementDep, app_id: int | None = Query(None),
                  state: str | None = Query(None), page: int = Query(1), per_page: int = Query(20)) -> dict[str, Any]:
    found = await plane.voice_files.listing(actor, app_id=app_id, state=_state(state),
                                            page=PageRequest(page, per_page))
    return page_view(found, voice_file_view)


@router.get("/voice-files/defaults", response_model=list[ShippedPromptView])
async def defaults(actor: ActorDep, plane: ManagementDep) -> list[ShippedPromptView]:
    """The prompts privnum ships per language; app-level prompts fall back to them."""
    return [shipped_view(p) for p in plane.voice_files.defaults(actor)]


@router.get("/voice-files/defaults/{language}/{name}/audio")
async def default_audio(language: str, name: str, actor: ActorDep, plane: ManagementDep) -> Response:
    return _wav(await plane.voice_files.default_audio(actor, language, name))


@router.get("/voice-files/problems", response_model=list[ProblemView])
async def problems(actor: ActorDep, plane: ManagementDep) -> list[ProblemView]:
    """Live bindings naming a voice file a call could not play (missing, pending review, rejected)."""
    return [problem_view(p) for p in await plane.voice_files.problems(actor)]


@router.get("/voice-files/{file_id}", response_model=VoiceFileView)
async def one(file_id: int, actor: ActorDep, plane: ManagementDep) -> VoiceFileView:
    return voice_file_view(await plane.voice_files.get(actor, file_id))


@router.get("/voice-files/{file_id}/audio")
async def audio(file_id: int, actor: ActorDep, plane: ManagementDep) -> Response:
    """The file as a 16-bit PCM WAV (what a browser's <audio> plays)."""
    return _wav(await plane.voice_files.audio(actor, file_id))


@router.post("/voice-files/{file_id}/nudge", response_model=ReviewView)
async def nudge(file_id: int, actor: ActorDep, plane: ManagementDep) -> ReviewView:
    return review_view(await plane.voice_files.nudge(actor, file_id))


@router.delete("/voice-files/{file_id}", status_code=204)
async def delete(file_id: int, actor: ActorDep, plane: ManagementDep) -> Response:
    await plane.voice_files.delete(actor, file_id)
    return Response(status_code=204)
