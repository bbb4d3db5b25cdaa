"""The sandbox's 422 body: pydantic's errors as FastAPI shows them, each with the ``input`` it refused, except
an input that cannot be written as UTF-8 JSON (a lone surrogate such as ``"\\ud800"``, bytes that are not
UTF-8): echoing it would turn the refusal into a 500."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse


def _renderable(error: dict[str, Any]) -> Any:
    try:
        encoded = jsonable_encoder(error)
        json.dumps(encoded, ensure_ascii=False).encode("utf-8")
        return encoded
    except (UnicodeError, ValueError):
        return jsonable_encoder({k: v for k, v in error.items() if k != "input"})


def sandbox_validation_json(errors: Sequence[Any]) -> JSONResponse:
    return JSONResponse({"detail": [_renderable(dict(e)) for e in errors]}, status_code=422)
