"""Huawei's timestamp form on the wire: UTC ``yyyy-MM-dd HH:mm:ss``."""

from __future__ import annotations

from datetime import UTC, datetime


def huawei_time(ms: int) -> str:
    """Huawei's timestamp form of an instant in ms since the epoch: UTC ``yyyy-MM-dd HH:mm:ss``."""
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S")
