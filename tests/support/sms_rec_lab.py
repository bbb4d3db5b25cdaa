"""Support for the SMS records tests: a management server with the SMS relay on the sandbox carrier (and a
Kannel token, so the tests can send the delivery reports Kannel would), tenant apps with SMS, and texts sent
the way a carrier hands them over (``POST /sandbox/v1/sms``), waited for until the relay settled them."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from call_lab import LAB_ENV, CallLab
from huawei_client import TEST_CLIENT_LIMITS
from mgmt import ADMIN_LOGIN, ADMIN_PASSWORD, MgmtClient, start_mgmt_server
from rec_lab import RecLab
from receiver import Receiver
from servers import BACKENDS, drop_database

KANNEL_TOKEN = "sms-lab-kannel-token"
SETTLED = ("sent", "done")


@dataclass
class SmsLab:
    records: RecLab  # tenants, members and apps, as for the call records
    http: httpx.Client

    def send(self, sender: str, to: str, text: str) -> dict[str, Any]:
        """Hand one text to the relay as the sandbox carrier; its trace once the relay settled it."""
        accepted = self.http.post("/sandbox/v1/sms", json={"from": sender, "to": to, "text": text})
        assert accepted.status_code == 201, accepted.text
        message_id = accepted.json()["message_id"]
        deadline = time.monotonic() + 20
        while True:
            trace = self.http.get(f"/sandbox/v1/sms/{message_id}").json()
            if trace["state"] in SETTLED:
                return trace
            assert time.monotonic() < deadline, trace
            time.sleep(0.05)

    def report(self, message_id: str, dlr_type: int) -> None:
        """A delivery report for a sent text, as Kannel sends it (1 delivered, 2 undelivered, 8 accepted...)."""
        response = self.http.get("/internal/kannel/dlr", params={"token": KANNEL_TOKEN, "msg": message_id,
                                                                  "type": dlr_type, "answer": "ACK/"})
        assert response.status_code == 200, response.text


@pytest.fixture(scope="session", params=BACKENDS)
def sms_rec_lab(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SmsLab]:
    receiver = Receiver(tmp_path_factory.mktemp("sms-receiver"))
    server = start_mgmt_server(request.param, {**LAB_ENV, "PRIVNUM_KANNEL_TOKEN": KANNEL_TOKEN})
    operator = MgmtClient(server.base)
    assert operator.login(ADMIN_LOGIN, ADMIN_PASSWORD).status_code == 200
    http = httpx.Client(base_url=server.base, timeout=30, limits=TEST_CLIENT_LIMITS)
    yield SmsLab(RecLab(CallLab(server, receiver), operator), http)
    http.close()
    operator.close()
    server.stop()
    receiver.stop()
    drop_database(server.database_url)
