"""The wire name, per interface, of each input the domain names in a refusal ("caller" is ``callerNum``
in AXB, "user" is ``origNum`` in AX and AXYB and ``bindNum`` in AXE, ...)."""

from __future__ import annotations

from privnum.entrypoints.api.ax_router import CALLEE_URI as AX_CALLEE_URI
from privnum.entrypoints.api.ax_router import URI as AX_URI
from privnum.entrypoints.api.axb_router import URI as AXB_URI
from privnum.entrypoints.api.axe_router import URI as AXE_URI
from privnum.entrypoints.api.axe_router import URI_V2 as AXE_URI_V2
from privnum.entrypoints.api.axyb_router import URI as AXYB_URI

_AXB = {"caller": "callerNum", "callee": "calleeNum", "binding": "subscriptionId", "number": "relationNum",
        "max_duration": "maxDuration"}
_AX = {"user": "origNum", "number": "privateNum", "binding": "subscriptionId", "temporary_callee": "calleeNum",
       "max_duration": "maxDuration"}
_AXE = {"user": "bindNum", "number": "virtualNum", "extension": "extendNum", "binding": "subscriptionId",
        "bind_expired_time": "bindExpiredTime", "callback_expired_time": "callbackExpiredTime"}
_AXYB = {"user": "origNum", "number": "relationNum", "binding": "subscriptionId"}

WIRE_NAMES: dict[str, dict[str, str]] = {
    AXB_URI: _AXB,
    AX_URI: _AX,
    AX_CALLEE_URI: _AX,
    AXE_URI: _AXE,
    AXE_URI_V2: _AXE,
    AXYB_URI: _AXYB,
}


def wire_names_for(path: str) -> dict[str, str]:
    return WIRE_NAMES.get(path.rstrip("/"), {})
