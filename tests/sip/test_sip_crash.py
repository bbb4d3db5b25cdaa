"""A privnum process killed mid-call: the process that recovers the call ends it as usual (disconnect with
an abnormal cause, CDR) and sends BYE to both phones from the dialog state saved at answer."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from call_lab import kinds
from servers import BACKENDS, serve
from sip_lab import SipLab, sip_lab_on
from sipp import SippLab


@pytest.fixture(params=BACKENDS)
def crashable(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SipLab]:
    """A lab of its own: this test kills its server."""
    (tmp_path / "receiver").mkdir()
    with sip_lab_on(request.param, tmp_path / "receiver") as lab:
        yield lab


def test_killed_mid_call_the_restarted_server_ends_both_legs(crashable: SipLab, sipp_lab: SippLab) -> None:
    lab = crashable
    app, a, _b, x = lab.axb()
    callee = lab.callee(sipp_lab, "uas_answer", duration_ms=50, timeout_s=60)
    caller = lab.start_caller(sipp_lab, "uac_callee_hangs_up", caller=a, called=x, timeout_s=60)
    lab.answered(app)
    server = lab.calls.server
    assert server.process is not None
    os.kill(server.process.pid, signal.SIGKILL)
    server.process.wait(10)
    port = server.base.rpartition(":")[2]
    server.process = serve(server.env, server.workdir, port, server.workdir / "server-restarted.log")
    assert caller.wait().check().received_requests("BYE")  # A's phone is not left on a dead call
    assert callee.wait().check().received_requests("BYE")  # nor B's
    events, cdr = lab.finished(app)
    assert kinds(events) == ["callin", "callout", "alerting", "answer", "disconnect"]
    assert events[-1]["statusInfo"]["stateCode"] == 8040 and cdr["ulFailReason"] == 8040
