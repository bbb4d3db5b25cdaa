"""Recordings over HTTP: Huawei's download-address API (any mode) and the signed download links it hands out.

- ``GET /rest/provision/voice/record/v1.0?fileName=…&recordDomain=…`` (AKSK): 301 with the link in
  ``Location`` (no body); 1010002 on missing/overlong parameters; 1012007 when the recording is not
  this app's, unknown or past retention.
- ``GET /recordings/{file}?app_key=…&expires=…&signature=…`` (no AKSK: the signed link is the
  credential): 200 ``audio/wav``; 403 1010010 for a signature not made by the owning app's secret,
  403 1010013 for an expired link, 403 1010002 for a malformed link, 404 1012007 for an unknown
  (or purged) file.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends
from pydantic import Field
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from privnum.domain.apps import App
from privnum.domain.result_codes import Refused, ResultCode
from privnum.entrypoints.api.authentication import authenticated_app
from privnum.entrypoints.api.deps import RecordingsDep, RuntimeDep
from privnum.entrypoints.api.wire import parse_query, refusal_response
from privnum.huawei.fields import WireModel
from privnum.service.clock import now_ms
from privnum.service.recordings import Recordings, is_valid_name

URI = "/rest/provision/voice/record/v1.0"
DOWNLOAD = "/recordings/{file_name}"
router = APIRouter(tags=["Recordings"])
any_app = Depends(authenticated_app)


class RecordQuery(WireModel):
    fileName: str = Field(min_length=1, max_length=128)
    recordDomain: str = Field(min_length=1, max_length=128)


class LinkQuery(WireModel):
    app_key: str = Field(min_length=1, max_length=64)
    expires: int = Field(ge=0, lt=2**40)
    signature: str = Field(min_length=64, max_length=64, pattern="^[0-9A-Fa-f]{64}$")


def _refuse(result: ResultCode, detail: str, status: int) -> JSONResponse:
    response = refusal_response(Refused(result, detail))
    response.status_code = status
    return response


@router.get(URI, summary="GetRecordingDownloadUrl", status_code=301, response_class=Response)
async def download_url(request: Request, recordings: RecordingsDep, app: App = any_app) -> Response:
    params = parse_query(request, RecordQuery)
    now = now_ms()
    location = await recordings.download_url(app, params.fileName, params.recordDomain, now)
    return RedirectResponse(location, status_code=301, headers={"Cache-Control": "no-store"})


@router.get(DOWNLOAD, summary="Download a recording (signed link)", response_class=Response)
async def download(request: Request, runtime: RuntimeDep, file_name: str) -> Response:
    if not is_valid_name(file_name):
        return _refuse(ResultCode.RECORD_NOT_EXIST, "no such recording", 404)
    link = parse_query(request, LinkQuery)
    now = now_ms()
    app: App | None = await runtime.directory.by_key(link.app_key)
    if app is None:
        return _refuse(ResultCode.INVALID_DIGEST, "the download link's signature does not match", 403)
    try:
        Recordings.verify(app, file_name, link.expires, link.signature, now)
    except Refused as refusal:
        return _refuse(refusal.result, refusal.detail, 403)
    recordings = runtime.recordings
    found = await recordings.get(file_name, now)
    if found is None:
        return _refuse(ResultCode.RECORD_NOT_EXIST, "no such recording (unknown or expired)", 404)
    if found.app_id != app.id:
        return _refuse(ResultCode.INVALID_DIGEST, "the download link was not signed by the recording's app", 403)
    data = await recordings.read(found)
    if data is None:
        return _refuse(ResultCode.RECORD_NOT_EXIST, "the recording's file is gone", 404)
    return Response(data, media_type="audio/wav", headers={
        "Content-Disposition": f'attachment; filename="{file_name}"', "Cache-Control": "private, no-store"})
