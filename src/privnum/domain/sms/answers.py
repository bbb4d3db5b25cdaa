"""What the customer may answer to a Block SMS event: forward the text to a number, or discard it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ForwardTo:
    called: str
    user_data: str | None = None


@dataclass(frozen=True)
class Discard:
    pass


BlockAnswer = ForwardTo | Discard
