"""AXB request schemas (CreateAXBBinding, unbind, ModifyAXBBinding, QueryAXBBinding) and the query answer."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from privnum.domain.bindings import Binding
from privnum.huawei.fields import (
    AreaCode,
    BindingId,
    Direction,
    Flag,
    GlobalNumber,
    MatchMode,
    PreVoice,
    UserData,
    VoiceFile,
    WholeNumber,
    WireModel,
    lenient_int,
)
from privnum.huawei.option_names import to_wire
from privnum.huawei.times import huawei_time

OPTIONS = ("callDirection", "recordFlag", "recordHintTone", "maxDuration", "lastMinVoice", "privateSms",
           "preVoice", "userData")


class AxbOptions(WireModel):
    callDirection: Direction | None = None
    duration: WholeNumber | None = None
    recordFlag: Flag | None = None
    recordHintTone: VoiceFile | None = None
    maxDuration: WholeNumber | None = None
    lastMinVoice: VoiceFile | None = None
    privateSms: Flag | None = None
    preVoice: PreVoice | None = None
    userData: UserData | None = None


class AxbBindBody(AxbOptions):
    relationNum: GlobalNumber | None = None
    areaCode: AreaCode | None = None
    areaMatchMode: MatchMode | None = None
    callerNum: GlobalNumber
    calleeNum: GlobalNumber


class AxbModifyBody(AxbOptions):
    subscriptionId: BindingId
    callerNum: GlobalNumber | None = None
    calleeNum: GlobalNumber | None = None


class AxbUnbindQuery(WireModel):
    subscriptionId: BindingId | None = None
    relationNum: GlobalNumber | None = None


class AxbQueryParams(WireModel):
    subscriptionId: BindingId | None = None
    relationNum: GlobalNumber | None = None
    callerNum: GlobalNumber | None = None
    calleeNum: GlobalNumber | None = None
    pageIndex: int = Field(default=1, ge=1, le=1_000_000)
    pageSize: int | str | None = None

    def page_size(self) -> int:
        """10-100; absent or out of range means 50."""
        return lenient_int(self.pageSize, 50, 10, 100)


def relation_info(b: Binding) -> dict[str, Any]:
    info: dict[str, Any] = {
        "subscriptionId": b.id,
        "relationNum": b.number,
        "callerNum": b.party_a,
        "calleeNum": b.party_b,
        "callDirection": int(b.options.direction),
        "duration": b.options.duration or 0,
        "maxDuration": b.options.max_duration or 0,
        "recordFlag": "true" if b.options.record else "false",
        "privateSms": "false" if b.options.private_sms is False else "true",
        "subscribeTime": huawei_time(b.updated_at_ms),
    }
    extra = to_wire(b.options.to_dict(), ("recordHintTone", "lastMinVoice", "preVoice", "userData"))
    info.update(extra)
    return info
