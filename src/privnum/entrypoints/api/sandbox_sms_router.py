"""The sandbox SMS API: ``POST /sandbox/v1/sms`` hands a text to the relay as a carrier would, and
``GET /sandbox/v1/sms/{message_id}`` shows what became of it (docs/contract/sms.md, "Sandbox").

No AKSK, like the sandbox calls; off with ``--no-sandbox``. The sandbox carrier is the SMS gateway only with
``--sms-gateway sandbox`` (the default); with Kannel, texts arrive through Kannel and ``delivered`` is empty.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.requests import Request

from privnum.domain.sms.results import DESCRIPTIONS, send_result
from privnum.entrypoints.api.deps import runtime_of

router = APIRouter(prefix="/sandbox/v1", tags=["Sandbox SMS"])

SANDBOX_NUMBER = r"^\+\d{5,20}$"


class SandboxSmsRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    sender: str = Field(alias="from", pattern=SANDBOX_NUMBER, description="the real number sending, global (+86…)")
    to: str = Field(pattern=SANDBOX_NUMBER, description="the privacy number it is sent to (X, or a Y in AXYB)")
    text: str = Field(max_length=2000, description="the text as the sender wrote it")
    ref: str | None = Field(None, min_length=1, max_length=128,
                            description="the carrier's reference; the same one twice is one message (default: new)")

    @field_validator("text", "ref")
    @classmethod
    def _no_nul(cls, value: str | None) -> str | None:
        if value is not None and "\x00" in value:  # PostgreSQL cannot keep U+0000 in text: a 500 otherwise
            raise ValueError("must not contain U+0000")
        return value


class SandboxSmsAccepted(BaseModel):
    message_id: str


def _runtime(request: Request) -> Any:
    runtime = runtime_of(request)
    if runtime.sandbox is None:
        raise HTTPException(404, "the sandbox is switched off on this server")
    return runtime


@router.post("/sms", response_model=SandboxSmsAccepted, status_code=201,
             summary="Send a simulated SMS to a privacy number; answers once it is recorded")
async def send_sms(request: Request, body: SandboxSmsRequest) -> SandboxSmsAccepted:
    runtime = _runtime(request)
    message_id = await runtime.sms.arrived("sandbox", body.ref or uuid.uuid4().hex, body.sender, body.to, body.text)
    return SandboxSmsAccepted(message_id=message_id)


@router.get("/sms/{message_id}", summary="What became of a simulated SMS")
async def sms_trace(request: Request, message_id: str) -> dict[str, Any]:
    runtime = _runtime(request)
    m = await runtime.sms.message(message_id) if "\x00" not in message_id else None  # PostgreSQL refuses NUL
    if m is None:
        raise HTTPException(404, "no such SMS")
    carrier = runtime.sms_sandbox
    delivered = carrier.delivered(message_id) if carrier is not None else []
    result = m.send_result
    known = send_result(result)
    return {
        "message_id": m.sms_id, "from": m.sender, "to": m.x_number, "text": m.text, "state": m.state.value,
        "send_result": result,
        "result": DESCRIPTIONS[known] if known is not None else None,
        "mode": m.mode, "subscription_id": m.binding_id, "notification_mode": m.notification_mode,
        "receiver": m.receiver, "from_number": m.from_number, "forwarded_text": m.forwarded_text,
        "segments": m.segments, "direction": m.direction, "send_attempts": m.send_attempts,
        "last_error": m.last_error, "delivery": m.delivery.value if m.delivery else None,
        "delivered": [{"from": d.from_number, "to": d.to, "text": d.text} for d in delivered],
    }
