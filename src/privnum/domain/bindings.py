"""A binding: what ties a privacy number to real numbers, for every mode.

One shape serves all modes. ``number`` is the privacy number the binding occupies (X, or Y
for an AXYB YB relation); ``party_a``/``party_b`` are real numbers; ``extension`` is AXE's E;
``parent_id`` ties an AXYB YB relation to its AX relation. ``options`` are the per-mode options
(call direction, recording, tones, lifetimes, ...); ``last_caller`` is AXE's callback memory, which
calls write (call history, not an option the customer sets).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from privnum.domain.binding_options import BindingOptions, LastCaller
from privnum.domain.modes import Mode

NEVER = None


@dataclass
class Binding:
    id: str
    app_id: int
    mode: Mode
    number: str
    party_a: str | None = None
    party_b: str | None = None
    extension: str | None = None
    parent_id: str | None = None
    options: BindingOptions = field(default_factory=BindingOptions)
    last_caller: LastCaller | None = None
    created_at_ms: int = 0
    updated_at_ms: int = 0
    expires_at_ms: int | None = NEVER

    @property
    def is_yb_relation(self) -> bool:
        return self.parent_id is not None

    def is_live(self, now_ms: int) -> bool:
        return self.expires_at_ms is None or self.expires_at_ms > now_ms

    def exclusive_keys(self) -> list[str]:
        """What this binding holds exclusively on its number; the database keeps each unique per number.

        AXB: each real number at most once per X. AX and the AX part of AXYB: the A (the X
        carries one A only, by capacity). AXE: the extension, and the A (once per X). AXYB YB relation: its AX relation,
        so one Y never serves the same AX twice.
        """
        if self.mode is Mode.AXB:
            return [user_key(self.party_a), user_key(self.party_b)]
        if self.mode is Mode.AXE:
            return [extension_key(self.extension), user_key(self.party_a)]
        if self.is_yb_relation:
            return [f"ax:{self.parent_id}"]
        return [user_key(self.party_a)]

    def quota_user(self) -> str | None:
        """The real number whose per-app X quota this binding uses (AX, and AXYB's AX part)."""
        if self.mode is Mode.AX or (self.mode is Mode.AXYB and not self.is_yb_relation):
            return self.party_a
        return None


def user_key(number: str | None) -> str:
    return f"user:{number}"


def extension_key(extension: str | None) -> str:
    return f"ext:{extension}"


def new_binding_id() -> str:
    """A binding's identifier (Huawei's subscriptionId): 32 hex characters, unique."""
    return uuid.uuid4().hex
