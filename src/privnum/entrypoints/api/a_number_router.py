"""Huawei's A-number registration API (A号码报备, docs/contract/a-numbers.md):

- ``POST /v1.0/privatenumber/a-number?agree_authorization_statement=true`` (CreatePvCallerNumber): up to 10
  numbers on file for the caller's tenant, reported at once; ``{"result": "Create Successful."}``.
- ``POST /v1.0/privatenumber/a-number/query`` (QueryPvCallerNumber): ``total`` and a page of ``numbers``.
- ``DELETE /v1.0/privatenumber/a-number`` (DeletePvCallerNumber): ``{"result": "Delete Successful."}``.
- ``POST /v1/privatenumber/a-number/files?agree_authorization_statement=true`` (CreateReportFiles): multipart
  ``files``, up to 10 JPEG/PNG live photos under 32 KB; ``{"result": "Upload Successful."}`` and the refused
  ones in ``failedFiles``.
- ``POST /v1/privatenumber/a-number/files/query`` (QueryReportFiles): ``total`` and a page of ``files``.

``X-Auth-Token`` carries a privnum API token (``pn_…``) of a tenant user; without one, or with a bad one,
403 ``PPT.0007``. Refusals are HTTP 400 with ``error_code`` / ``error_msg`` (``PPT.0002`` bad input or a
number already on file, ``PPT.0009`` a number not on file, ``PPT.0001`` anything unexpected).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from fastapi import APIRouter, Header, Query
from pydantic import BaseModel, ValidationError
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request
from starlette.responses import JSONResponse

from privnum.bootstrap import ManagementPlane
from privnum.domain.a_numbers import MAX_FILES_PER_CALL, MAX_PHOTO_BYTES, ReportStatus
from privnum.domain.access import Actor
from privnum.domain.management_errors import ManagementError
from privnum.entrypoints.api.wire import JSON_MEDIA_TYPE, MAX_BODY_BYTES
from privnum.huawei.a_numbers import (
    CREATED,
    DELETED,
    INTERNAL_ERROR,
    INVALID_PARAMETER,
    UNAUTHORIZED,
    UPLOADED,
    CreateBody,
    DeleteBody,
    FileQueryBody,
    PptCode,
    QueryBody,
    code_of,
    failed_files,
    file_entry,
    number_entry,
    refusal_body,
    utc_ms,
    wire_field,
)
from privnum.service.management.a_numbers import Submitted
from privnum.service.paging import PageRequest

URI = "/v1.0/privatenumber/a-number"
QUERY_URI = URI + "/query"
FILES_URI = "/v1/privatenumber/a-number/files"
FILES_QUERY_URI = FILES_URI + "/query"
MAX_UPLOAD_BYTES = MAX_FILES_PER_CALL * MAX_PHOTO_BYTES + 64 * 1024  # ten photos and the multipart framing
router = APIRouter(tags=["A numbers (A号码报备)"])
log = logging.getLogger("privnum.api")
M = TypeVar("M", bound=BaseModel)
TOKEN_HEADER = Header(None, alias="X-Auth-Token", description="a privnum API token (pn_…) of a tenant user")


def _inlined(node: Any, definitions: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        ref = node.get("$ref", "")
        if ref.startswith("#/$defs/"):
            return _inlined(definitions[ref.removeprefix("#/$defs/")], definitions)
        return {k: _inlined(v, definitions) for k, v in node.items()}
    if isinstance(node, list):
        return [_inlined(v, definitions) for v in node]
    return node


def _documented(model: type[BaseModel]) -> dict[str, Any]:
    """The OpenAPI request body of ``model`` (the routes read their bodies themselves, so FastAPI sees none)."""
    schema = model.model_json_schema()
    definitions = schema.pop("$defs", {})
    return {"requestBody": {"required": True, "content": {"application/json": {
        "schema": _inlined(schema, definitions)}}}}


MULTIPART_PHOTOS = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["files"],
    "properties": {"files": {"type": "array", "maxItems": MAX_FILES_PER_CALL,
                             "items": {"type": "string", "format": "binary"},
                             "description": "JPEG or PNG live photos under 32 KB, names of at most 64 characters "
                                            "ending in .jpg or .png"}}}}}}}


class _Refusal(Exception):
    def __init__(self, code: PptCode, detail: str = "", field: str | None = None,
                 extra: dict[str, Any] | None = None) -> None:
        super().__init__(detail)
        self.code, self.detail, self.field, self.extra = code, detail, field, extra or {}


def _answer(body: dict[str, Any], status: int = 200) -> JSONResponse:
    return JSONResponse(body, status_code=status, media_type=JSON_MEDIA_TYPE)


async def _body(request: Request, model: type[M]) -> M:
    raw = await request.body()
    if len(raw) > MAX_BODY_BYTES:
        raise _Refusal(INVALID_PARAMETER, f"the body is larger than {MAX_BODY_BYTES} bytes")
    try:
        data = json.loads(raw.decode("utf-8-sig")) if raw.strip() else None
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise _Refusal(INVALID_PARAMETER, "the body is not valid UTF-8 JSON") from None
    if not isinstance(data, dict):
        raise _Refusal(INVALID_PARAMETER, "the body must be a JSON object")
    try:
        return model.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in first["loc"]).lstrip(".")
        message = "is required" if first["type"] == "missing" else first["msg"]
        raise _Refusal(INVALID_PARAMETER, message, where or "body") from None


async def _tenant_actor(request: Request, token: str | None) -> Actor:
    plane: ManagementPlane = request.app.state.runtime.management
    ip = request.client.host if request.client else None
    actor = await plane.sign_in.token_actor(token.strip(), ip) if token else None
    if actor is None:
        raise _Refusal(UNAUTHORIZED, "send X-Auth-Token: a privnum API token (pn_…) of a tenant user")
    if actor.tenant_id is None:
        raise _Refusal(UNAUTHORIZED, "A numbers belong to a tenant; use an API token of a tenant user")
    return actor


async def _run(work: Callable[[], Awaitable[dict[str, Any]]]) -> JSONResponse:
    try:
        return _answer(await work())
    except _Refusal as refusal:
        body = {**refusal_body(refusal.code, refusal.detail, refusal.field), **refusal.extra}
        return _answer(body, refusal.code.http_status)
    except ManagementError as error:
        code = code_of(error)
        return _answer(refusal_body(code, error.message, wire_field(error.field)), code.http_status)
    except Exception:
        log.exception("A-number request failed")
        return _answer(refusal_body(INTERNAL_ERROR), INTERNAL_ERROR.http_status)


def _plane(request: Request) -> ManagementPlane:
    plane: ManagementPlane = request.app.state.runtime.management
    return plane


@router.post(URI, summary="CreatePvCallerNumber", openapi_extra=_documented(CreateBody))
async def create(request: Request, x_auth_token: str | None = TOKEN_HEADER,
                 agree_authorization_statement: str | None = Query(None)) -> JSONResponse:
    async def work() -> dict[str, Any]:
        actor = await _tenant_actor(request, x_auth_token)
        body = await _body(request, CreateBody)
        submitted = [Submitted(e.number, e.numberType, e.name, e.identityCard, e.liveFaceImage, e.operatorNumber)
                     for e in body.numbers]
        consent = (agree_authorization_statement or "").strip().lower() == "true"
        await _plane(request).a_numbers.register(actor, submitted, consent=consent)
        return {"result": CREATED}

    return await _run(work)


@router.post(QUERY_URI, summary="QueryPvCallerNumber", openapi_extra=_documented(QueryBody))
async def query(request: Request, x_auth_token: str | None = TOKEN_HEADER) -> JSONResponse:
    async def work() -> dict[str, Any]:
        actor = await _tenant_actor(request, x_auth_token)
        body = await _body(request, QueryBody)
        status = ReportStatus(body.reportStatus) if body.reportStatus is not None else None
        page = await _plane(request).a_numbers.list_own(actor, PageRequest(body.page, body.size),
                                                        tuple(body.number or ()), status)
        return {"total": page.total, "numbers": [number_entry(a) for a in page.items]}

    return await _run(work)


@router.delete(URI, summary="DeletePvCallerNumber", openapi_extra=_documented(DeleteBody))
async def delete(request: Request, x_auth_token: str | None = TOKEN_HEADER) -> JSONResponse:
    async def work() -> dict[str, Any]:
        actor = await _tenant_actor(request, x_auth_token)
        body = await _body(request, DeleteBody)
        await _plane(request).a_numbers.withdraw(actor, body.numbers)
        return {"result": DELETED}

    return await _run(work)


async def _photos(request: Request) -> list[tuple[str, bytes]]:
    """The ``files`` parts of a multipart body of at most MAX_UPLOAD_BYTES, read before anything is stored."""
    if not request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        raise _Refusal(INVALID_PARAMETER, "send the photos as multipart/form-data, each in a part named files")
    raw = bytearray()
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_UPLOAD_BYTES:
            raise _Refusal(INVALID_PARAMETER, f"the body is larger than {MAX_UPLOAD_BYTES // 1024} KB: at most "
                           f"{MAX_FILES_PER_CALL} photos of {MAX_PHOTO_BYTES // 1024} KB")

    async def body() -> Any:
        yield bytes(raw)

    try:
        form = await MultiPartParser(request.headers, body(), max_files=MAX_FILES_PER_CALL, max_fields=20,
                                     max_part_size=MAX_UPLOAD_BYTES).parse()
    except MultiPartException as error:
        raise _Refusal(INVALID_PARAMETER, f"the multipart body is malformed: {error.message}") from None
    parts = [part for part in form.getlist("files") if isinstance(part, UploadFile)]
    return [(part.filename or "", await part.read()) for part in parts]


@router.post(FILES_URI, summary="CreateReportFiles", openapi_extra=MULTIPART_PHOTOS)
async def upload_files(request: Request, x_auth_token: str | None = TOKEN_HEADER,
                       agree_authorization_statement: str | None = Query(None)) -> JSONResponse:
    async def work() -> dict[str, Any]:
        actor = await _tenant_actor(request, x_auth_token)
        files = await _photos(request)
        consent = (agree_authorization_statement or "").strip().lower() == "true"
        outcome = await _plane(request).a_numbers.upload(actor, files, consent=consent)
        if not outcome.stored:
            raise _Refusal(INVALID_PARAMETER, "no photo was stored", "files",
                           {"failedFiles": failed_files(outcome.failed)})
        answer: dict[str, Any] = {"result": UPLOADED}
        if outcome.failed:
            answer["failedFiles"] = failed_files(outcome.failed)
        return answer

    return await _run(work)


@router.post(FILES_QUERY_URI, summary="QueryReportFiles", openapi_extra=_documented(FileQueryBody))
async def query_files(request: Request, x_auth_token: str | None = TOKEN_HEADER) -> JSONResponse:
    async def work() -> dict[str, Any]:
        actor = await _tenant_actor(request, x_auth_token)
        body = await _body(request, FileQueryBody)
        try:
            since = utc_ms(body.startTime) if body.startTime else None
            until = utc_ms(body.stopTime) + 999 if body.stopTime else None  # the whole last second
        except ValueError:
            raise _Refusal(INVALID_PARAMETER, "is no real time (UTC YYYY-MM-DD HH:MM:SS)",
                           "startTime or stopTime") from None
        page = await _plane(request).a_numbers.photos(actor, PageRequest(body.page, body.size), body.fileName,
                                                      since, until)
        return {"total": page.total, "files": [file_entry(p) for p in page.items]}

    return await _run(work)
