"""Management refusals as JSON: ``{"code", "message", "field"?}`` with the HTTP status of their kind."""

from __future__ import annotations

from typing import Any

from fastapi.exceptions import RequestValidationError
from starlette.responses import JSONResponse

from privnum.domain.management_errors import ManagementError, RefusalKind, Throttled
from privnum.domain.operator_errors import OperatorError

STATUS = {RefusalKind.INVALID: 422, RefusalKind.CONFLICT: 409, RefusalKind.NOT_FOUND: 404,
          RefusalKind.FORBIDDEN: 403, RefusalKind.UNAUTHENTICATED: 401, RefusalKind.THROTTLED: 429}


def error_body(code: str, message: str, field: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message}
    if field:
        body["field"] = field
    return body


def refusal_json(error: OperatorError) -> JSONResponse:
    if not isinstance(error, ManagementError):
        return JSONResponse(error_body("refused", str(error)), status_code=409)
    response = JSONResponse(error_body(error.code, error.message, error.field), status_code=STATUS[error.kind])
    if isinstance(error, Throttled):
        response.headers["Retry-After"] = str(error.retry_after_s)
    return response


def validation_json(error: RequestValidationError) -> JSONResponse:
    first = error.errors()[0] if error.errors() else {"loc": ("body",), "msg": "is malformed", "type": ""}
    location = [str(p) for p in first.get("loc", ())[1:]]
    field = ".".join(location) or None
    if first.get("type") == "json_invalid":
        return JSONResponse(error_body("malformed_json", "the body is not valid JSON"), status_code=422)
    message = f"{field}: {first['msg']}" if field else str(first["msg"])
    return JSONResponse(error_body("invalid_request", message, field), status_code=422)


def http_json(status_code: int, detail: Any) -> JSONResponse:
    code = {404: "not_found", 405: "method_not_allowed"}.get(status_code, "http_error")
    message = {404: "no such resource", 405: "this resource does not take that method"}.get(status_code, str(detail))
    return JSONResponse(error_body(code, message), status_code=status_code)
