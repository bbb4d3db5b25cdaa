"""Support for SMS tests: the call lab's privnum server (sandbox SMS carrier, Block timeout 1 s) and its
receiver standing in for the customer's SMS URL and SMS control URL, with helpers to send sandbox texts
and collect what the customer received (docs/contract/sms.md).

An app's Notify pushes arrive on ``app.sms_path``, its Block events on ``app.control_path`` (on
``app.sms_path`` when the app was made without a control URL). The customer's answer to Block events is
set with ``sms_lab.receiver.control(path=app.control_path, block_answer=...)``.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from call_lab import CallLab
from huawei_client import HuaweiClient
from receiver import Receiver
from servers import Server, new_numbers

SETTLED = ("sent", "done")


@dataclass
class SmsApp:
    client: HuaweiClient
    mode: str
    pool: list[str]
    sms_path: str
    control_path: str  # where its Block events go (sms_path when it has no control URL)
    app_key: str
    app_secret: str
    sms_content: bool  # the app's switch: Notify and Block bodies carry smsContent


def header(record: dict[str, Any], name: str) -> str | None:
    return next((v for k, v in record["headers"].items() if k.lower() == name.lower()), None)


def sms_event(record: dict[str, Any]) -> dict[str, Any]:
    body = record["body"]
    return body.get("smsEvent", {}) if isinstance(body, dict) else {}


@dataclass
class SmsLab:
    server: Server
    receiver: Receiver

    def sms_app(self, mode: str, numbers: int = 2, *, sms: bool = True, content: bool = True,
                control_url: bool = True, number_flags: tuple[str, ...] = (), area_code: str = "0755") -> SmsApp:
        """A new app of ``mode`` with an SMS URL (and a control URL unless ``control_url`` is False), the SMS
        switch ``sms`` and the ``sms_content`` switch ``content``; ``numbers`` fresh X numbers added with
        ``number_flags`` (e.g. ``("--no-sms",)``)."""
        tag = uuid.uuid4().hex[:10]
        sms_path, control_path = f"/sms/{tag}", f"/sms-control/{tag}"
        extra = ["--sms-url", self.receiver.base + sms_path, "--sms" if sms else "--no-sms",
                 "--sms-content" if content else "--no-sms-content"]
        if control_url:
            extra += ["--sms-control-url", self.receiver.base + control_path]
        key, secret = self.server.create_app(mode, *extra)
        pool = new_numbers(numbers)
        if pool:
            self.server.add_numbers(key, area_code, pool, *number_flags)
        return SmsApp(self.server.client(key, secret), mode, pool, sms_path,
                      control_path if control_url else sms_path, key, secret, content)

    def post(self, body: Any = None, *, content: bytes | None = None, content_type: str | None = None,
             ) -> httpx.Response:
        """``POST /sandbox/v1/sms`` with ``body`` as JSON (or ``content`` as it is, as ``content_type``,
        default JSON)."""
        if content is not None:
            return httpx.post(f"{self.server.base}/sandbox/v1/sms", content=content,
                              headers={"Content-Type": content_type or "application/json"}, timeout=10)
        return httpx.post(f"{self.server.base}/sandbox/v1/sms", json=body, timeout=10)

    def send(self, sender: str, to: str, text: str, ref: str | None = None) -> str:
        """Hand a text to privnum as the sandbox carrier; its message id (asserts it was recorded)."""
        body: dict[str, Any] = {"from": sender, "to": to, "text": text}
        if ref is not None:
            body["ref"] = ref
        r = self.post(body)
        assert r.status_code == 201, r.text
        return r.json()["message_id"]

    def trace(self, message_id: str) -> dict[str, Any]:
        r = httpx.get(f"{self.server.base}/sandbox/v1/sms/{message_id}", timeout=10)
        assert r.status_code == 200, r.text
        return r.json()

    def settled(self, message_id: str, timeout_s: float = 10.0) -> dict[str, Any]:
        """The trace once the message is ``sent`` or ``done``."""
        deadline = time.monotonic() + timeout_s
        while True:
            trace = self.trace(message_id)
            if trace["state"] in SETTLED:
                return trace
            if time.monotonic() > deadline:
                raise AssertionError(f"SMS {message_id} did not settle: {trace}")
            time.sleep(0.05)

    def pushes(self, path: str) -> list[dict[str, Any]]:
        """What the customer answered 200 on ``path``, one record per X-Push-Id (retries deduplicated)."""
        seen: dict[str, dict[str, Any]] = {}
        for record in self.receiver.records(path=path):
            if record["status"] == 200:
                seen.setdefault(header(record, "X-Push-Id") or str(len(seen)), record)
        return list(seen.values())

    def notifies(self, app: SmsApp, message_id: str) -> list[dict[str, Any]]:
        """The Notify bodies of ``message_id`` the customer took (one per push)."""
        return [r["body"] for r in self.pushes(app.sms_path)
                if sms_event(r).get("smsIdentifier") == message_id and sms_event(r).get("notificationMode") == "Notify"]

    def notify(self, app: SmsApp, message_id: str, timeout_s: float = 10.0) -> dict[str, Any]:
        """Wait for the one Notify of ``message_id`` on the app's SMS URL; its body."""
        deadline = time.monotonic() + timeout_s
        while True:
            found = self.notifies(app, message_id)
            if found:
                assert len(found) == 1, found
                return found[0]
            if time.monotonic() > deadline:
                raise AssertionError(f"no Notify for SMS {message_id}: {self.receiver.records(path=app.sms_path)}")
            time.sleep(0.05)

    def blocks(self, app: SmsApp, message_id: str | None = None) -> list[dict[str, Any]]:
        """Every Block event POST the customer's control URL saw (whatever it answered), optionally of one
        message; the records, headers and status included."""
        return [r for r in self.receiver.records(path=app.control_path)
                if sms_event(r).get("notificationMode") == "Block"
                and (message_id is None or sms_event(r).get("smsIdentifier") == message_id)]


@pytest.fixture(scope="session")
def sms_lab(lab: CallLab) -> Iterator[SmsLab]:
    """The SMS lab on the call lab's server and receiver (one per backend)."""
    yield SmsLab(lab.server, lab.receiver)
