"""Reading a request's JSON body or query string into a schema, answering 1010002 on anything malformed."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse

from privnum.domain.result_codes import Refused, ResultCode, invalid

M = TypeVar("M", bound=BaseModel)

JSON_MEDIA_TYPE = "application/json;charset=UTF-8"
MAX_BODY_BYTES = 64 * 1024


def _refusal(error: ValidationError) -> Refused:
    first = error.errors()[0]
    field = ".".join(str(p) for p in first["loc"]) or "body"
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "missing":
        message = "is required"
    return invalid(field, message)


def parse(model: type[M], data: Any) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise _refusal(error) from None


async def parse_body(request: Request, model: type[M]) -> M:
    raw = await request.body()
    if len(raw) > MAX_BODY_BYTES:
        raise invalid("body", f"is larger than {MAX_BODY_BYTES} bytes")
    try:
        data = json.loads(raw.decode("utf-8-sig")) if raw.strip() else None
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise invalid("body", "is not valid UTF-8 JSON") from None
    if not isinstance(data, dict):
        raise invalid("body", "must be a JSON object")
    return parse(model, data)


def parse_query(request: Request, model: type[M]) -> M:
    params: dict[str, str] = {}
    for key, value in request.query_params.multi_items():
        if key in params:
            raise invalid(key, "is given more than once")
        params[key] = value
    return parse(model, params)


def success(**fields: Any) -> JSONResponse:
    body = {"resultcode": ResultCode.SUCCESS.code, "resultdesc": ResultCode.SUCCESS.text}
    body.update({k: v for k, v in fields.items() if v is not None})
    return JSONResponse(body, media_type=JSON_MEDIA_TYPE)


def refusal_response(refusal: Refused) -> JSONResponse:
    body = {"resultcode": refusal.result.code, "resultdesc": refusal.description}
    return JSONResponse(body, status_code=refusal.result.http_status, media_type=JSON_MEDIA_TYPE)
