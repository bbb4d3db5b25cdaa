"""Binding identifiers (Huawei's subscriptionId): 32 hex characters, unique."""

from __future__ import annotations

import uuid


def new_binding_id() -> str:
    return uuid.uuid4().hex
