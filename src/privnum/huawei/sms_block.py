"""The customer's answer to a Block SMS event, read into a decision (huawei-wire.md §4.4, "Block response").

``{"actions": [{"operation": "vNumberRoute", "message": {"called": "+86…"}}]}`` forwards the text to
``called`` from X; ``{"actions": [{"operation": "DiscardMessage"}]}`` drops it (sendResult 6). ``actions``
may be one object instead of an array; the first action decides. Anything else is not an answer
(sendResult 7): the caller of this module treats None so.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, Field, TypeAdapter, ValidationError, field_validator

from privnum.domain.sms.answers import BlockAnswer, Discard, ForwardTo
from privnum.huawei.fields import AsciiUserData, GlobalNumber


class RouteMessage(BaseModel):
    called: GlobalNumber
    calling: str | None = None


class RouteAction(BaseModel):
    operation: Literal["vNumberRoute"]
    message: RouteMessage
    userData: AsciiUserData | None = None

    @field_validator("userData", mode="before")
    @classmethod
    def _empty_is_absent(cls, value: Any) -> Any:
        return None if value == "" else value


class DiscardAction(BaseModel):
    operation: Literal["DiscardMessage"]


Action = Annotated[RouteAction | DiscardAction, Field(discriminator="operation")]


def _first(value: Any) -> Any:
    if isinstance(value, list):
        if not value:
            raise ValueError("actions is empty")
        return value[0]
    return value


class SmsBlockAnswer(BaseModel):
    actions: Annotated[Action, BeforeValidator(_first)]


_ANSWER = TypeAdapter(SmsBlockAnswer)


def read_sms_block_answer(answer: Any) -> BlockAnswer | None:
    """The action the customer asked for, or None when the answer is not a valid one."""
    try:
        action = _ANSWER.validate_python(answer).actions
    except ValidationError:
        return None
    if isinstance(action, DiscardAction):
        return Discard()
    return ForwardTo(action.message.called, action.userData)
