"""AXYB request schemas (two-step bind, unbind, query) and the query answer."""

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
    UserData,
    VoiceFile,
    WholeNumber,
    WireModel,
)
from privnum.huawei.option_names import to_wire
from privnum.huawei.times import huawei_time

AX_OPTIONS = ("callDirection", "recordFlag", "recordHintTone", "preVoiceX", "userData")
AXYB_DEFAULT_DURATION_S = 7200
LIST_LIMIT = 5


class AppKeyParam(WireModel):
    app_key: str = Field(min_length=1, max_length=128)


class AxybBindBody(WireModel):
    subscriptionId: BindingId | None = None
    origNum: GlobalNumber
    areaCode: AreaCode | None = None
    areaMatchMode: MatchMode | None = None
    callDirection: Direction | None = None
    duration: WholeNumber | None = None
    ybDuration: WholeNumber | None = None
    recordFlag: Flag | None = None
    recordHintTone: VoiceFile | None = None
    preVoiceX: VoiceFile | None = None
    preVoiceY: VoiceFile | None = None
    userData: UserData | None = None


class AxybUnbindQuery(AppKeyParam):
    subscriptionId: BindingId
    yNum: GlobalNumber | None = None
    bNum: GlobalNumber | None = None


class AxybQueryParams(AppKeyParam):
    subscriptionId: BindingId | None = None
    relationNum: GlobalNumber | None = None


def xy_relation_infos(parent: Binding, children: list[Binding]) -> list[dict[str, Any]]:
    base: dict[str, Any] = {
        "bindId": parent.id,
        "numA": parent.party_a,
        "numX": parent.number,
        "recordFlag": "true" if parent.options.record else "false",
        "callDirection": int(parent.options.direction),
        "duration": str(parent.options.duration or 0),
        "ybDuration": str(parent.options.yb_duration or 0),
        "subscribeTime": huawei_time(parent.updated_at_ms),
    }
    base.update(to_wire(parent.options.to_dict(), ("recordHintTone", "preVoiceX", "userData")))
    if not children:
        return [base]
    infos = []
    for child in children:
        info = {**base, "numY": child.number, "numB": child.party_b,
                "ybDuration": str(child.options.yb_duration or 0),
                "subscribeTime": huawei_time(max(parent.updated_at_ms, child.updated_at_ms))}
        info.update(to_wire(child.options.to_dict(), ("preVoiceY",)))
        infos.append(info)
    return infos
