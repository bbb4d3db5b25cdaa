"""The business modes an app is created with; fixed for the app's life."""

from __future__ import annotations

from enum import StrEnum


class Mode(StrEnum):
    AX = "AX"
    AXB = "AXB"
    AXE = "AXE"
    AXYB = "AXYB"
    X = "X"
