"""The customer's answer to a Block ``callin`` (X mode), read into a routing decision.

``{"operation": "connect", "connectInfo": {...}}`` connects the caller to ``calleeNum``;
``{"operation": "close", "closeInfo": {"closeHintTone": ...}}`` plays the tone and hangs up (8017).
``connectInfo``/``closeInfo`` may be an object or a one-element array (Huawei's Java sample sends
an array). Anything else is invalid: the call ends with 8014 (docs/contract/events.md, "The
customer's answer").
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, Field, Strict, TypeAdapter, ValidationError, field_validator

from privnum.domain.calls.causes import Cause
from privnum.domain.calls.routing import OTHER_CALLED_A, Rejection, Route
from privnum.domain.lifetimes import MAX_CALL_MINUTES
from privnum.huawei.fields import AsciiUserData, Flag, GlobalNumber, VoiceFile


def _one(value: Any) -> Any:
    """An object, or an array of exactly one object (read as that object)."""
    if isinstance(value, list):
        if len(value) == 1 and isinstance(value[0], dict):
            return value[0]
        raise ValueError("must be an object or an array of exactly one object")
    return value


Minutes = Annotated[int, Strict(), Field(ge=0, le=MAX_CALL_MINUTES)]  # a JSON integer, never a string


class ConnectInfo(BaseModel):
    calleeNum: GlobalNumber
    displayCalleeNum: Any = None  # must be this call's X; checked against it below
    maxDuration: Minutes | None = None
    recordFlag: Flag | None = None
    waitVoice: VoiceFile | None = None
    recordHintTone: VoiceFile | None = None
    lastMinVoice: VoiceFile | None = None
    userData: AsciiUserData | None = None

    @field_validator("userData", mode="before")
    @classmethod
    def _empty_is_absent(cls, value: Any) -> Any:
        return None if value == "" else value


class CloseInfo(BaseModel):
    closeHintTone: VoiceFile | None = None


class ConnectAnswer(BaseModel):
    operation: Literal["connect"]
    connectInfo: Annotated[ConnectInfo, BeforeValidator(_one)]


class CloseAnswer(BaseModel):
    operation: Literal["close"]
    closeInfo: Annotated[CloseInfo, BeforeValidator(_one)] | None = None


BlockAnswer = TypeAdapter(Annotated[ConnectAnswer | CloseAnswer, Field(discriminator="operation")])


def read_block_answer(answer: Any, called: str, recording_allowed: bool) -> Route | Rejection | None:
    """The decision the customer asked for, or None when the answer is not a valid one."""
    try:
        parsed = BlockAnswer.validate_python(answer)
    except ValidationError:
        return None
    if isinstance(parsed, CloseAnswer):
        return Rejection(Cause.CUSTOMER_HUNG_UP, tone=(parsed.closeInfo and parsed.closeInfo.closeHintTone) or None)
    info = parsed.connectInfo
    if (info.displayCalleeNum or called) != called:  # carriers intercept a forwarded call not showing this X
        return None
    return Route(callee=info.calleeNum, display=called, direction=OTHER_CALLED_A,
                 record=bool(info.recordFlag) and recording_allowed, record_hint_tone=info.recordHintTone or None,
                 max_duration_min=info.maxDuration or 0, last_min_voice=info.lastMinVoice or None,
                 caller_tone=info.waitVoice or None, user_data=info.userData)
