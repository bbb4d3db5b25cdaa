"""Whether a binding may ask for recording: only when its app has recording switched on."""

from __future__ import annotations

from privnum.domain.apps import App
from privnum.domain.result_codes import Refused, ResultCode


def check_recording_allowed(app: App, wants_recording: bool | None) -> None:
    if wants_recording and not app.recording_enabled:
        raise Refused(ResultCode.RECORDING_NOT_ENABLED, "switch recording on for this app before setting recordFlag")
