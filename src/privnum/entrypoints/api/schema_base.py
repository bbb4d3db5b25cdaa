"""The base of every request schema: unknown fields ignored, empty optional values read as absent
(except in fields whose type is marked EMPTY_IS_MALFORMED, such as numbers: ``""`` is not String(4-31))."""

from __future__ import annotations

import typing
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, model_validator
from pydantic.fields import FieldInfo

from privnum.entrypoints.api.wire_types import EMPTY_IS_MALFORMED, VoiceFile


def _marked(annotation: Any) -> bool:
    if typing.get_origin(annotation) is typing.Annotated and EMPTY_IS_MALFORMED in annotation.__metadata__:
        return True
    return any(_marked(arg) for arg in typing.get_args(annotation))


def _empty_is_malformed(field: FieldInfo) -> bool:
    return EMPTY_IS_MALFORMED in field.metadata or _marked(field.annotation)


class WireModel(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=False)
    _keeps_empty: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        cls._keeps_empty = frozenset(name for name, field in cls.model_fields.items() if _empty_is_malformed(field))

    @model_validator(mode="before")
    @classmethod
    def _empty_is_absent(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if v is not None and (v != "" or k in cls._keeps_empty)}
        return data

    def given(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


class PreVoice(WireModel):
    callerHintTone: VoiceFile | None = None
    calleeHintTone: VoiceFile | None = None
