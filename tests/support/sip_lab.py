"""Support for SIP end-to-end tests: a privnum server with its SIP B2BUA on, whose trunk is a SIPp callee
(started per test on the trunk's port), SIPp callers dialling privnum, and the pushes the customer got.

    def test_a_call(sip_lab, sipp_lab):
        app = sip_lab.app("AXB")
        ...bind A-X-B...
        b = sip_lab.callee(sipp_lab, "uas_answer")
        a = sip_lab.caller(sipp_lab, "uac_call", caller=A, called=X)
        events, cdr = sip_lab.finished(app)
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from call_lab import LAB_ENV, CallLab, LabApp
from receiver import Receiver
from servers import BACKENDS, drop_database, new_users, start_server
from sipp import HOST, SippLab, SippProcess, SippResult, free_udp_port_block, free_udp_ports, sipp_binary


@dataclass
class SipLab:
    calls: CallLab
    sip_port: int
    trunk_port: int

    @property
    def sip(self) -> tuple[str, int]:
        return HOST, self.sip_port

    def app(self, mode: str, numbers: int = 1, *extra: str) -> LabApp:
        return self.calls.app(mode, numbers, "0755", *extra)

    def axb(self, *app_options: str, **bind_fields: object) -> tuple[LabApp, str, str, str]:
        """A new AXB app (``app_options`` for ``privnum app create``) with one binding A-X-B; (app, a, b, x)."""
        app = self.app("AXB", 1, *app_options)
        a, b = new_users(2)
        x = app.pool[0]
        r = app.client.axb_bind(relationNum=x, callerNum=a, calleeNum=b, **bind_fields)
        assert r.ok, r
        return app, a, b, x

    def callee(self, sipp: SippLab, scenario: str = "uas_answer", **options: Any) -> SippProcess:
        """A SIPp callee on the trunk's port: every outgoing leg privnum places reaches it."""
        return sipp.uas(scenario, port=self.trunk_port, **options)

    def caller(self, sipp: SippLab, scenario: str, *, caller: str, called: str, **options: Any) -> SippResult:
        """A SIPp caller dialling ``called`` from ``caller`` through privnum, run to its end."""
        return sipp.uac(scenario, self.sip, service=called, caller=caller, **options)

    def start_caller(self, sipp: SippLab, scenario: str, *, caller: str, called: str, **options: Any) -> SippProcess:
        return sipp.start_uac(scenario, self.sip, service=called, caller=caller, **options)

    def sessions(self, app: LabApp) -> dict[str, list[dict[str, Any]]]:
        """The events of each call of ``app``, by session id, in arrival order."""
        calls: dict[str, list[dict[str, Any]]] = {}
        for record in self.calls.pushes(app.events_path):
            session = record["body"].get("statusInfo", {}).get("sessionId")
            if session:
                calls.setdefault(session, []).append(record["body"])
        return calls

    def answered(self, app: LabApp, timeout_s: float = 10.0) -> str:
        """The session id of ``app``'s call once it is answered (the answer event arrived)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            for session, events in self.sessions(app).items():
                if any(e["eventType"] == "answer" for e in events):
                    return session
            time.sleep(0.05)
        raise AssertionError(f"no call of {app.app_key} was answered: {self.sessions(app)}")

    def finished(self, app: LabApp, timeout_s: float = 20.0) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """The one call of ``app``: wait for its disconnect event and its CDR; (events, cdr)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            sessions = self.sessions(app)
            if len(sessions) == 1:
                (session, events), = sessions.items()
                cdrs = self.calls.cdrs(app, session)
                if cdrs and any(e["eventType"] == "disconnect" for e in events):
                    assert len(cdrs) == 1, cdrs
                    return events, cdrs[0]
            assert len(sessions) <= 1, f"more than one call for {app.app_key}: {list(sessions)}"
            time.sleep(0.05)
        raise AssertionError(f"the call of {app.app_key} did not finish: {self.sessions(app)}")


def sip_lab_env(sip_port: int, trunk_port: int) -> dict[str, str]:
    rtp_low = free_udp_port_block(size=200)
    return {**LAB_ENV, "PRIVNUM_SIP": "1", "PRIVNUM_SIP_LISTEN": f"{HOST}:{sip_port}",
            "PRIVNUM_SIP_TRUNK": f"{HOST}:{trunk_port}", "PRIVNUM_RTP_PORTS": f"{rtp_low}-{rtp_low + 199}"}


@contextlib.contextmanager
def sip_lab_on(backend: str, receiver_dir: Path) -> Iterator[SipLab]:
    """A new SIP lab (server, receiver, ports) on ``backend``; everything stopped and dropped at exit."""
    sipp_binary()  # skip (or fail in CI) before starting anything
    receiver = Receiver(receiver_dir)
    sip_port, trunk_port = free_udp_ports(2)
    server = start_server(backend, sip_lab_env(sip_port, trunk_port))
    try:
        yield SipLab(CallLab(server, receiver), sip_port, trunk_port)
    finally:
        server.stop()
        receiver.stop()
        drop_database(server.database_url)


@pytest.fixture(scope="session", params=BACKENDS)
def sip_lab(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SipLab]:
    with sip_lab_on(request.param, tmp_path_factory.mktemp("sip-receiver")) as lab:
        yield lab
