"""Support for call tests: a privnum server with the sandbox driver, a receiver process standing in
for the customer's server, and helpers to place sandbox calls and collect what the customer received."""

from __future__ import annotations

import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from huawei_client import HuaweiClient
from receiver import Receiver
from servers import BACKENDS, Server, drop_database, new_numbers, start_server

LAB_ENV = {
    "PRIVNUM_TIME_SCALE": "0.001",  # a ladder minute is 60 ms
    "PRIVNUM_CONNECT_TIMEOUT_S": "3",  # ring-no-answer ends after 3 s instead of 90 s
    "PRIVNUM_BLOCK_TIMEOUT_S": "1",  # X mode: the customer has 1 s to answer (default 5 s)
    "PRIVNUM_BILLING_JOBS": "0",  # the billing tests settle by hand (privnum billing settle); see test_billing_jobs
}


@dataclass
class LabApp:
    client: HuaweiClient
    pool: list[str]
    events_path: str
    cdr_path: str
    app_key: str
    app_secret: str


@dataclass
class CallLab:
    server: Server
    receiver: Receiver

    def app(self, mode: str, numbers: int = 2, area_code: str = "0755", *extra: str) -> LabApp:
        tag = uuid.uuid4().hex[:10]
        events, cdr = f"/events/{tag}", f"/cdr/{tag}"
        key, secret = self.server.create_app(mode, "--callback-url", self.receiver.base + events,
                                             "--cdr-url", self.receiver.base + cdr, *extra)
        pool = new_numbers(numbers)
        if pool:
            self.server.add_numbers(key, area_code, pool)
        return LabApp(self.server.client(key, secret), pool, events, cdr, key, secret)

    def voice(self, app: LabApp, name: str, seconds: float = 1.0) -> None:
        """Give ``app`` the voice file ``name`` (a tone made with sox, uploaded with ``privnum voice add``)."""
        source = self.server.workdir / f"voice-{uuid.uuid4().hex[:8]}.wav"
        subprocess.run(["sox", "-n", "-r", "8000", "-c", "1", "-b", "16", str(source), "synth", str(seconds),
                        "sine", "440"], check=True, capture_output=True)
        self.server.cli("voice", "add", "--app", app.app_key, "--name", name, str(source))

    def call(self, caller: str, called: str, digits: str | None = None, *, give_up_after_ms: int | None = None,
             **callee: Any) -> str:
        """Place a sandbox call; the session id (asserts the call was accepted)."""
        body = {"caller": caller, "called": called, "extension_digits": digits,
                "caller_hangs_up_after_ms": give_up_after_ms, "callee": callee}
        r = httpx.post(f"{self.server.base}/sandbox/v1/calls", json=body, timeout=30)
        assert r.status_code == 201, r.text
        return r.json()["session_id"]

    def pushes(self, path: str) -> list[dict[str, Any]]:
        """What the customer received on ``path``, one record per X-Push-Id (retries deduplicated)."""
        seen: dict[str, dict[str, Any]] = {}
        for record in self.receiver.records(path=path):
            push_id = {k.lower(): v for k, v in record["headers"].items()}.get("x-push-id", str(len(seen)))
            if record["status"] == 200:
                seen.setdefault(push_id, record)
        return list(seen.values())

    def events(self, app: LabApp, session_id: str) -> list[dict[str, Any]]:
        return [r["body"] for r in self.pushes(app.events_path)
                if r["body"].get("statusInfo", {}).get("sessionId") == session_id]

    def cdrs(self, app: LabApp, session_id: str) -> list[dict[str, Any]]:
        return [cdr for r in self.pushes(app.cdr_path) for cdr in r["body"].get("feeLst", [])
                if cdr.get("sessionId") == session_id]

    def finished(self, app: LabApp, session_id: str, timeout_s: float = 20.0) -> tuple[list[dict], dict]:
        """Wait until the call's disconnect event and its CDR arrived; (events, cdr)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            events = self.events(app, session_id)
            cdrs = self.cdrs(app, session_id)
            if cdrs and any(e["eventType"] == "disconnect" for e in events):
                assert len(cdrs) == 1, cdrs
                return events, cdrs[0]
            time.sleep(0.05)
        raise AssertionError(f"call {session_id} did not finish: {self.events(app, session_id)}")


@pytest.fixture(scope="session", params=BACKENDS)
def lab(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[CallLab]:
    receiver = Receiver(tmp_path_factory.mktemp("receiver"))
    server = start_server(request.param, LAB_ENV)
    yield CallLab(server, receiver)
    server.stop()
    receiver.stop()
    drop_database(server.database_url)


def kinds(events: list[dict[str, Any]]) -> list[str]:
    return [e["eventType"] for e in events]
