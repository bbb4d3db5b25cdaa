"""privnum relaying SMS through a real Kannel (Debian's bearerbox + smsbox), the carrier played by the fake
link's line protocol (tests/support/fake_smsc.py): what the carrier receives, what the customer is pushed.

Texts enter as a handset's would (MO on the carrier line → Kannel's post-url → privnum) and leave through
Kannel's sendsms (MT on the carrier line). Kannel restarts and privnum killed with -9 lose and double nothing.
"""

from __future__ import annotations

import queue
import signal
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from fake_smsc import MtLine, reassemble
from huawei_client import HuaweiClient
from kannel import Kannel, KannelLab
from receiver import Receiver
from servers import BACKENDS, Server, drop_database, new_numbers, new_users, serve, start_server

RELAY_ENV = {
    "PRIVNUM_TIME_SCALE": "0.001",
    "PRIVNUM_BLOCK_TIMEOUT_S": "1",
    "PRIVNUM_SMS_IN_DOUBT_S": "15",  # longer than a Kannel restart: its report settles a send in doubt
}
CHINESE = "您好，骑手已到达小区门口，请下楼取餐。如有问题请回复本短信，谢谢！"


def chinese(length: int) -> str:
    return (CHINESE * (length // len(CHINESE) + 1))[:length]


@dataclass
class Relay:
    server: Server
    kannel: Kannel
    receiver: Receiver

    def app(self, mode: str) -> tuple[HuaweiClient, str, str, str]:
        """An app of ``mode`` with SMS on and one X; (client, X, SMS URL path, control URL path)."""
        tag = uuid.uuid4().hex[:10]
        sms, control = f"/sms/{tag}", f"/smsctl/{tag}"
        key, secret = self.server.create_app(mode, "--sms", "--sms-url", self.receiver.base + sms,
                                             "--sms-control-url", self.receiver.base + control, "--sms-content")
        [x] = new_numbers(1)
        self.server.add_numbers(key, "0755", [x])
        return self.server.client(key, secret), x, sms, control

    def notifies(self, path: str, count: int = 1, timeout_s: float = 20.0) -> list[dict[str, Any]]:
        """The first ``count`` Notify bodies on ``path`` (retries of one push counted once)."""
        deadline = time.monotonic() + timeout_s
        while True:
            seen: dict[str, dict[str, Any]] = {}
            for record in self.receiver.records(path=path):
                push_id = {k.lower(): v for k, v in record["headers"].items()}.get("x-push-id", "")
                if record["status"] == 200:
                    seen.setdefault(push_id, record["body"])
            if len(seen) >= count or time.monotonic() > deadline:
                return list(seen.values())
            time.sleep(0.05)


@pytest.fixture(scope="module", params=BACKENDS)
def relay(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Relay]:
    receiver = Receiver(tmp_path_factory.mktemp("receiver"))
    with KannelLab(tmp_path_factory.mktemp("kannel")) as lab:
        kannel = lab.prepare()
        server = start_server(request.param, {**RELAY_ENV, **kannel.env()})
        kannel.start(server.base)
        yield Relay(server, kannel, receiver)
        server.stop()
        drop_database(server.database_url)
    receiver.stop()


def axb(relay: Relay) -> tuple[str, str, str, str]:
    client, x, sms, _ = relay.app("AXB")
    a, b = new_users(2)
    assert client.axb_bind(relationNum=x, callerNum=a, calleeNum=b).ok
    return x, a, b, sms


def event(body: dict[str, Any]) -> dict[str, Any]:
    return body["smsEvent"]


def ext(body: dict[str, Any]) -> dict[str, str]:
    return {p["key"]: p["value"] for p in event(body)["extInfo"]["extParas"]}


def mt_text(line: MtLine) -> str:
    return line.text(2 if line.kind != "text" else 0)


def test_axb_relays_both_ways_with_the_text_exact(relay: Relay) -> None:
    x, a, b, sms = axb(relay)
    there, back = "您好，骑手已到达 😀\n+86 a+b=c&d%20e", "好的，马上下来"
    relay.kannel.line.mo_text(a, x, there)
    got = relay.kannel.line.next_mt(timeout_s=15)
    assert (got.sender, got.receiver, mt_text(got)) == (x, b, there)
    relay.kannel.line.mo_text(b, x, back)
    got = relay.kannel.line.next_mt(timeout_s=15)
    assert (got.sender, got.receiver, mt_text(got)) == (x, a, back)
    first, second = sorted(relay.notifies(sms, 2), key=lambda body: event(body)["timeStamp"])
    assert event(first)["calling"] == a and event(first)["called"] == b and event(first)["sendResult"] == 0
    assert event(first)["smsContent"] == there and ext(first) == {"splitNum": "1", "direction": "1"}
    assert event(second)["calling"] == b and event(second)["called"] == a and ext(second)["direction"] == "0"


def test_ax_at_suffix_is_stripped_and_addressed(relay: Relay) -> None:
    client, x, sms, _ = relay.app("AX")
    [a] = new_users(1)
    assert client.ax_bind(origNum=a, privateNum=x).ok
    relay.kannel.line.mo_text(a, x, "取件码 1234@13900000002")
    got = relay.kannel.line.next_mt(timeout_s=15)
    assert (got.sender, got.receiver, mt_text(got)) == (x, "+8613900000002", "取件码 1234")
    [body] = relay.notifies(sms)
    assert event(body)["called"] == "+8613900000002" and event(body)["sendResult"] == 0


@pytest.mark.parametrize("answer, result", [
    ({"actions": [{"operation": "vNumberRoute", "message": {"called": "+8613900000077"}}]}, 0),
    ({"actions": [{"operation": "DiscardMessage"}]}, 6),
    (None, 7),  # the customer does not answer within PRIVNUM_BLOCK_TIMEOUT_S
])
def test_ax_without_suffix_asks_the_customer(relay: Relay, answer: dict[str, Any] | None, result: int) -> None:
    client, x, sms, control = relay.app("AX")
    [a] = new_users(1)
    assert client.ax_bind(origNum=a, privateNum=x).ok
    if answer is None:
        relay.receiver.control(path=control, mode="slow", delay_ms=3000)
    else:
        relay.receiver.control(path=control, mode="ok", block_answer=answer)
    relay.kannel.line.mo_text(a, x, "where are you")
    [body] = relay.notifies(sms, timeout_s=25)
    assert event(body)["sendResult"] == result
    deadline = time.monotonic() + 5  # a slow receiver logs the request once it has answered
    while not relay.receiver.records(path=control) and time.monotonic() < deadline:
        time.sleep(0.1)
    [block] = [r["body"] for r in relay.receiver.records(path=control)]
    assert event(block)["notificationMode"] == "Block" and event(block)["calling"] == a
    if result == 0:
        got = relay.kannel.line.next_mt(timeout_s=15)
        assert (got.sender, got.receiver, mt_text(got)) == (x, "+8613900000077", "where are you")
    else:
        assert "called" not in event(body)
        time.sleep(1)
        assert relay.kannel.line.pending_mt() == []


def test_a_200_character_chinese_text_goes_as_3_segments(relay: Relay) -> None:
    x, a, b, sms = axb(relay)
    text = chinese(200)
    relay.kannel.line.mo_text(a, x, text)
    parts = relay.kannel.line.collect_mt(3, timeout_s=15)
    assert {(p.sender, p.receiver) for p in parts} == {(x, b)}
    assert reassemble(parts, 2) == text
    [body] = relay.notifies(sms)
    assert ext(body)["splitNum"] == "3" and event(body)["smsContent"] == text


def burst(relay: Relay, count: int, *, midway: Any) -> tuple[str, list[str]]:
    """``count`` texts from A to B through X, ``midway()`` called halfway; (the SMS URL path, the texts)."""
    x, a, _, sms = axb(relay)
    texts = [f"第{i}条 {uuid.uuid4().hex[:6]}" for i in range(count)]
    for i, text in enumerate(texts):
        if i == count // 2:
            midway()
        relay.kannel.line.mo_text(a, x, text)
        time.sleep(0.01)
    return sms, texts


def delivered(relay: Relay, expected: int, timeout_s: float, seen: Counter[str] | None = None) -> Counter[str]:
    """What the carrier received from now on (added to ``seen``), once ``expected`` texts in all came."""
    seen = seen if seen is not None else Counter()
    deadline = time.monotonic() + timeout_s
    while sum(seen.values()) < expected and time.monotonic() < deadline:
        try:
            seen[mt_text(relay.kannel.line.next_mt(timeout_s=1))] += 1
        except queue.Empty:  # nothing arrived this second
            continue
    time.sleep(3)  # anything doubled arrives now
    for extra in relay.kannel.line.pending_mt():
        seen[mt_text(extra)] += 1
    return seen


def assert_each_once(seen: Counter[str], texts: list[str]) -> None:
    missing = [t for t in texts if seen[t] == 0]
    doubled = {t: n for t, n in seen.items() if n > 1}
    strangers = {t: n for t, n in seen.items() if t not in texts}
    assert (missing, doubled, strangers) == ([], {}, {}), f"carrier received {dict(seen)}"


def test_kannel_restarted_mid_burst_loses_and_doubles_nothing(relay: Relay) -> None:
    before_restart: Counter[str] = Counter()

    already = relay.kannel.received_sms()

    def restart() -> None:
        old_line = relay.kannel.line
        relay.kannel.wait_received(already + 20)  # what the carrier sent was read (it would resend, unacknowledged)
        relay.kannel.restart()  # the old carrier line is closed; what reached it stays in its queue
        before_restart.update(mt_text(m) for m in old_line.pending_mt())

    sms, texts = burst(relay, 40, midway=restart)
    # the claim is "none lost, none doubled", not a time: a send in doubt waits 15 s for its report, then the
    # retry ladder (1 s doubling) may add 30 s more while the new Kannel comes up
    seen = delivered(relay, len(texts), timeout_s=120, seen=before_restart)
    assert_each_once(seen, texts)
    assert len(relay.notifies(sms, len(texts))) == len(texts)


def test_privnum_killed_mid_burst_relays_every_acknowledged_text_once(relay: Relay) -> None:
    server = relay.server

    def kill_and_restart() -> None:
        assert server.process is not None
        server.process.send_signal(signal.SIGKILL)
        server.process.wait(10)
        time.sleep(1)  # Kannel keeps retrying its MO posts (1 s apart, 20 times: the test config)
        server.process = serve(server.env, server.workdir, server.base.rsplit(":", 1)[1],
                               Path(server.workdir) / "server-restarted.log")

    sms, texts = burst(relay, 40, midway=kill_and_restart)
    seen = delivered(relay, len(texts), timeout_s=60)
    assert_each_once(seen, texts)
    assert len(relay.notifies(sms, len(texts))) == len(texts)
