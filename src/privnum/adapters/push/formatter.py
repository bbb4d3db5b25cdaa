"""The call engine's PushFormatter, answering with Huawei's bodies."""

from __future__ import annotations

from typing import Any

from privnum.adapters.push import huawei_bodies
from privnum.domain.apps import App
from privnum.domain.calls.session import CallEvent, CallSession


class HuaweiPushFormatter:
    def event_body(self, session: CallSession, event: CallEvent) -> dict[str, Any]:
        return huawei_bodies.event_body(session, event)

    def cdr_body(self, session: CallSession, app: App) -> dict[str, Any]:
        return huawei_bodies.cdr_body(session, app)
