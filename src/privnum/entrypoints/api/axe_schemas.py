"""AXE request schemas (CreateAXEBinding, unbind, ModifyAXEBinding, QueryAXEBinding v1.0/v2.0) and answers."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from privnum.domain.bindings import Binding
from privnum.huawei.fields import (
    AreaCode,
    BindingId,
    Flag,
    GlobalNumber,
    MatchMode,
    UserData,
    VoiceFile,
    WholeNumber,
    WireModel,
    ZeroOne,
    lenient_int,
)
from privnum.huawei.option_names import to_wire

OPTIONS = ("displayNumMode", "recordFlag", "recordHintTone", "callbackTone", "callbackNum", "timeUnit",
           "callbackExpiredTime", "userData")
Extension = str


class AxeOptions(WireModel):
    displayNumMode: ZeroOne | None = None
    recordFlag: Flag | None = None
    recordHintTone: VoiceFile | None = None
    callbackTone: VoiceFile | None = None
    callbackNum: GlobalNumber | None = None
    timeUnit: ZeroOne | None = None
    bindExpiredTime: WholeNumber | None = None
    callbackExpiredTime: WholeNumber | None = None
    userData: UserData | None = None


class AxeBindBody(AxeOptions):
    bindNum: GlobalNumber
    virtualNum: GlobalNumber | None = None
    areaCode: AreaCode | None = None
    areaMatchMode: MatchMode | None = None
    extendNum: str | None = Field(default=None, max_length=4)


class AxeTargetFields(WireModel):
    subscriptionId: BindingId | None = None
    virtualNum: GlobalNumber | None = None
    extendNum: str | None = Field(default=None, max_length=4)


class AxeModifyBody(AxeOptions, AxeTargetFields):
    pass


class AxeQueryV2Params(AxeTargetFields):
    cursor: str | None = Field(default=None, pattern=r"^[0-9]{13}_[0-9]{1,20}$")
    limit: int | str | None = None

    def page_limit(self) -> int:
        """1-100; absent or out of range means 50."""
        return lenient_int(self.limit, 50, 1, 100)


def axe_info(b: Binding) -> dict[str, Any]:
    o = b.options
    info: dict[str, Any] = {
        "subscriptionId": b.id,
        "virtualNum": b.number,
        "extendNum": b.extension,
        "bindNum": b.party_a,
        "displayNumMode": o.display_num_mode or "0",
        "recordFlag": "true" if o.record else "false",
        "timeUnit": o.time_unit or "0",
        "bindExpiredTime": o.bind_expired_time or 0,
        "callbackExpiredTime": o.callback_expired_time or 0,
    }
    info.update(to_wire(o.to_dict(), ("recordHintTone", "callbackTone", "callbackNum", "userData")))
    return info
