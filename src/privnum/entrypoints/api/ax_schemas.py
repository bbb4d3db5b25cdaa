"""AX request schemas (bind, unbind, modify, query, set temporary callee) and the query answer."""

from __future__ import annotations

from typing import Any, Literal

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
    ZeroOne,
)
from privnum.huawei.option_names import to_wire
from privnum.huawei.times import huawei_time

OPTIONS = ("recordFlag", "recordHintTone", "calleeNumDisplay", "privateSms", "preVoice", "maxDuration",
           "lastMinVoice", "turnFlag", "callDirection", "userData")


class AxOptions(WireModel):
    recordFlag: Flag | None = None
    recordHintTone: VoiceFile | None = None
    calleeNumDisplay: ZeroOne | None = None
    privateSms: Flag | None = None
    preVoice: PreVoice | None = None
    maxDuration: WholeNumber | None = None
    lastMinVoice: VoiceFile | None = None
    turnFlag: Literal["on", "off"] | None = None
    callDirection: Direction | None = None
    userData: UserData | None = None


class AxBindBody(AxOptions):
    origNum: GlobalNumber
    privateNum: GlobalNumber | None = None
    privateNumType: Literal["mobile-virtual"] | None = None
    areaCode: AreaCode | None = None
    areaMatchMode: MatchMode | None = None


class AxModifyBody(AxOptions):
    subscriptionId: BindingId | None = None
    privateNum: GlobalNumber | None = None
    origNum: GlobalNumber | None = None


class AxUnbindQuery(WireModel):
    subscriptionId: BindingId | None = None
    privateNum: GlobalNumber | None = None
    origNum: str | None = None  # sent by Huawei's samples, not used (as on Huawei)


class AxQueryParams(WireModel):
    subscriptionId: BindingId | None = None
    origNum: GlobalNumber | None = None
    privateNum: GlobalNumber | None = None


class TemporaryCalleeBody(WireModel):
    subscriptionId: BindingId | None = None
    privateNum: GlobalNumber | None = None
    origNum: str | None = None  # not used, as on Huawei
    calleeNum: GlobalNumber
    duration: WholeNumber | None = None
    userData: UserData | None = None


def private_num_info(b: Binding) -> dict[str, Any]:
    info: dict[str, Any] = {
        "subscriptionId": b.id,
        "origNum": b.party_a,
        "privateNum": b.number,
        "privateNumType": "mobile-virtual",
        "subscribeTime": huawei_time(b.updated_at_ms),
        "recordFlag": "true" if b.options.record else "false",
        "privateSms": "false" if b.options.private_sms is False else "true",
        "maxDuration": b.options.max_duration or 0,
        "turnFlag": b.options.turn or "on",
    }
    info.update(to_wire(b.options.to_dict(), ("recordHintTone", "calleeNumDisplay", "preVoice", "lastMinVoice",
                                     "callDirection", "userData")))
    return info
