"""Moved to ``privnum.domain.pushes``; kept only for importers owned elsewhere (service/call_engine.py)
until the merge updates them. Delete once nothing imports it."""

from privnum.domain.pushes import RETRY_LADDER_MINUTES, OutboundPush, PushKind, PushState, retry_delay_ms

__all__ = ["RETRY_LADDER_MINUTES", "OutboundPush", "PushKind", "PushState", "retry_delay_ms"]
