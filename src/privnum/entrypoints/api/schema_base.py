"""The base of every request schema: unknown fields ignored, empty optional values read as absent."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator

from privnum.entrypoints.api.wire_types import VoiceFile


class WireModel(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=False)

    @model_validator(mode="before")
    @classmethod
    def _empty_is_absent(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if v is not None and v != ""}
        return data

    def given(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


class PreVoice(WireModel):
    callerHintTone: VoiceFile | None = None
    calleeHintTone: VoiceFile | None = None
