"""X-number status pushes: an operator's state change reaches the app's number-status URL (when switched on)."""

from __future__ import annotations

import time
import uuid

from call_lab import CallLab


def _status_pushes(lab: CallLab, path: str, count: int, timeout_s: float = 10.0) -> list[dict]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        pushes = lab.pushes(path)
        if len(pushes) >= count:
            return pushes
        time.sleep(0.05)
    raise AssertionError(f"expected {count} pushes on {path}, got {lab.pushes(path)}")


def test_state_changes_are_pushed_in_order(lab: CallLab) -> None:
    path = f"/numstatus/{uuid.uuid4().hex[:8]}"
    app = lab.app("AXB", 1, "0755", "--push-number-status", "--number-status-url", lab.receiver.base + path)
    x = app.pool[0]
    lab.server.cli("numbers", "set-state", x, "frozen")
    lab.server.cli("numbers", "set-state", x, "available")
    lab.server.cli("numbers", "set-state", x, "blacklisted")
    pushes = _status_pushes(lab, path, 3)
    bodies = [p["body"] for p in pushes]
    assert bodies == [
        {"eventType": "numStatus", "numInfo": [{"number": x, "status": "10", "cause": "2"}]},
        {"eventType": "numStatus", "numInfo": [{"number": x, "status": "5"}]},
        {"eventType": "numStatus", "numInfo": [{"number": x, "status": "10", "cause": "5"}]},
    ]
    assert all({k.lower() for k in p["headers"]} >= {"x-push-id", "x-aksk", "authorization"} for p in pushes)


def test_no_push_when_switched_off_or_unchanged(lab: CallLab) -> None:
    app = lab.app("AXB", 1)  # push-number-status off; its call-status URL must not get numStatus
    lab.server.cli("numbers", "set-state", app.pool[0], "frozen")
    path = f"/numstatus/{uuid.uuid4().hex[:8]}"
    on = lab.app("AXB", 1, "0755", "--push-number-status", "--number-status-url", lab.receiver.base + path)
    lab.server.cli("numbers", "set-state", on.pool[0], "available")  # already available: no change
    lab.server.cli("numbers", "set-state", on.pool[0], "unavailable")
    pushes = _status_pushes(lab, path, 1)
    time.sleep(0.5)
    assert [p["body"]["numInfo"][0]["cause"] for p in lab.pushes(path)] == ["3"]
    assert not [p for p in lab.pushes(app.events_path) if p["body"].get("eventType") == "numStatus"]
    assert pushes
