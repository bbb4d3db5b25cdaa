"""The sandbox telephony API: ``POST /sandbox/v1/calls`` runs a simulated call through the real pipeline.

No AKSK here: the sandbox is for development and tests, on by default in the embedded setup and
switched off with ``privnum serve --no-sandbox`` (or PRIVNUM_SANDBOX=0) in production.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import Request

from privnum.adapters.telephony.sandbox import CalleeBehaviour, Outcome, SandboxDriver
from privnum.domain.calls.session import Party
from privnum.entrypoints.api.deps import runtime_of
from privnum.huawei.fields import GlobalNumber

router = APIRouter(prefix="/sandbox/v1", tags=["Sandbox telephony"])


class CalleeSpec(BaseModel):
    """How the real callee (the party the call is forwarded to) behaves."""

    model_config = ConfigDict(extra="forbid")

    outcome: Literal["answer", "no_answer", "busy", "reject"] = Field(
        "answer", description="answer; ring without answer (until the caller gives up or the connect timeout); "
                              "busy (SIP 486); reject (SIP reject_sip_status)")
    ring_before_alerting_ms: int = Field(100, ge=0, le=600_000, description="delay until the callee rings (180)")
    answer_after_ms: int = Field(500, ge=0, le=600_000, description="delay from forwarding until the callee answers")
    reject_sip_status: int = Field(603, ge=400, le=699, description="SIP final response for outcome=reject")
    talk_ms: int = Field(1000, ge=0, le=86_400_000, description="how long the parties talk after the answer")
    hang_up_by: Literal["caller", "callee"] = Field("caller", description="who hangs up after talk_ms")


class SandboxCallRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    caller: GlobalNumber = Field(description="the real number calling, global format (+86...)")
    called: GlobalNumber = Field(description="the privacy number dialled (X, or a Y in AXYB)")
    extension_digits: str | None = Field(None, pattern=r"^\d{0,4}$", description="AXE: digits keyed in after X")
    caller_hangs_up_after_ms: int | None = Field(None, ge=0, le=86_400_000,
                                                 description="the caller gives up this long after dialling")
    callee: CalleeSpec = Field(default_factory=CalleeSpec)


class SandboxCallAccepted(BaseModel):
    session_id: str
    status: Literal["accepted"] = "accepted"


def _sandbox(request: Request) -> SandboxDriver:
    sandbox = runtime_of(request).sandbox
    if sandbox is None:
        raise HTTPException(404, "the sandbox is switched off on this server")
    return sandbox


@router.post("/calls", response_model=SandboxCallAccepted, status_code=201,
             summary="Place a simulated call; answers once the call is accepted and recorded")
async def place_call(request: Request, body: SandboxCallRequest) -> SandboxCallAccepted:
    sandbox = _sandbox(request)
    c = body.callee
    behaviour = CalleeBehaviour(outcome=Outcome(c.outcome), alert_after_ms=c.ring_before_alerting_ms,
                                answer_after_ms=c.answer_after_ms, reject_sip_status=c.reject_sip_status,
                                talk_ms=c.talk_ms, hang_up_by=Party(c.hang_up_by),
                                caller_gives_up_after_ms=body.caller_hangs_up_after_ms)
    session_id = await sandbox.place_call(body.caller, body.called, body.extension_digits, behaviour)
    if session_id is None:
        raise HTTPException(404, f"{body.called} is not a privacy number of any app on this server")
    return SandboxCallAccepted(session_id=session_id)


@router.get("/calls/{session_id}", summary="The event trace of a simulated call")
async def call_trace(request: Request, session_id: str) -> dict[str, Any]:
    call = _sandbox(request).trace(session_id)
    if call is None:
        raise HTTPException(404, "no such sandbox call (or it was forgotten)")
    return {"session_id": session_id, "released": call.released, "events": call.trace, "prompts": call.prompts}
