"""Kannel alone (no privnum): what the harness (tests/support/kannel.py) and the FakeLine promise the SMS tests.

- sendsms → carrier: a long Chinese text is split into UDH segments that reassemble exactly;
- carrier → post-url: an MO reaches the HTTP server Kannel was pointed at, once, with its text exact;
- restart(): an MT queued while the carrier was away is delivered once after a restart (the store file).
"""

from __future__ import annotations

import email.message
import queue
import threading
import time
import urllib.parse
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from fake_smsc import reassemble
from kannel import KannelLab

X = "+8617000000001"
A = "+8613800000001"
B = "+8613900000002"
CHINESE = "您好，骑手已到达小区门口，请下楼取餐。如有问题请回复本短信，谢谢！"


def chinese_text(length: int) -> str:
    return (CHINESE * (length // len(CHINESE) + 1))[:length]


@dataclass(frozen=True)
class ReceivedPost:
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def text(self) -> str:
        """The body decoded with the charset of its Content-Type (``charset="UTF-8"``, quoted: pitfall 11)."""
        message = email.message.Message()
        message["content-type"] = self.headers.get("Content-Type", "text/plain")
        return self.body.decode(message.get_content_charset() or "utf-8")


class StandIn:
    """An HTTP server in a thread recording every request as a ``ReceivedPost``; answers 200, empty body."""

    def __init__(self) -> None:
        received: queue.Queue[ReceivedPost] = queue.Queue()

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _record(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                url = urllib.parse.urlsplit(self.path)
                received.put(ReceivedPost(url.path, dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True)),
                                          dict(self.headers.items()), body))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_POST = _record

            def log_message(self, format: str, *args: object) -> None:
                pass

        class Server(ThreadingHTTPServer):
            request_queue_size = 256  # the default backlog of 5 stalls a burst from smsbox (pitfall 13)
            daemon_threads = True

        self.received = received
        self.server = Server(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def next(self, timeout_s: float = 10.0) -> ReceivedPost:
        return self.received.get(timeout=timeout_s)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def stand_in() -> Iterator[StandIn]:
    server = StandIn()
    yield server
    server.close()


def test_long_chinese_mt_goes_out_as_three_udh_segments_that_reassemble(kannel_lab: KannelLab,
                                                                       stand_in: StandIn) -> None:
    kannel = kannel_lab.start(stand_in.base)
    text = chinese_text(200)

    response = kannel.sendsms(X, B, text, coding=2)

    assert (response.status_code, response.text) == (202, "0: Accepted for delivery")
    segments = kannel.line.collect_mt(3)
    assert [(s.sender, s.receiver, s.kind) for s in segments] == [(X, B, "udh")] * 3
    ordered = sorted(segments, key=lambda s: s.concatenation or (0, 0, 0))
    assert [len(s.data) // 2 for s in ordered] == [67, 67, 66]
    concatenations = [s.concatenation for s in ordered]
    assert [(c[1], c[2]) for c in concatenations if c] == [(3, 1), (3, 2), (3, 3)]
    assert len({c[0] for c in concatenations if c}) == 1
    assert reassemble(segments, coding=2) == text
    assert kannel.line.pending_mt() == []


def test_mo_reaches_the_post_url_once_with_its_text_exact(kannel_lab: KannelLab, stand_in: StandIn) -> None:
    kannel = kannel_lab.prepare()  # as for a privnum server: its env first, then Kannel pointed at it
    env = kannel.env()
    kannel.start(stand_in.base)
    text = "您好\n第二行 +86 a+b=c&d%20e 100%"

    kannel.line.mo_text(A, X, text)

    post = stand_in.next()
    assert post.path == "/internal/kannel/mo"
    assert post.query["token"] == env["PRIVNUM_KANNEL_TOKEN"]
    assert env["PRIVNUM_SMS_GATEWAY"] == "kannel" and env["PRIVNUM_KANNEL_SENDSMS_URL"] == kannel.sendsms_url
    assert (post.query["from"], post.query["to"], post.query["smsc"]) == (A, X, "fake1")
    uuid.UUID(post.query["id"])  # Kannel's %I: the message's id, the same on every retry
    assert (post.query["coding"], post.query["charset"]) == ("0", "UTF-8")  # mo-recode: UCS-2 → UTF-8
    assert post.headers["X-Kannel-From"] == A
    assert post.text() == text
    time.sleep(1.0)
    assert stand_in.received.empty(), "one MO, one POST"


def test_mt_queued_while_the_carrier_is_away_is_delivered_once_after_a_restart(kannel_lab: KannelLab,
                                                                               stand_in: StandIn) -> None:
    kannel = kannel_lab.start(stand_in.base)
    kannel.disconnect_line()
    text = "排队等待的短信"

    response = kannel.sendsms(X, B, text, coding=2)

    assert (response.status_code, response.text) == (202, "3: Queued for later delivery")
    assert "store size 1" in kannel.status()
    kannel.restart()
    mt = kannel.line.collect_mt(1, timeout_s=15)[0]
    assert (mt.sender, mt.receiver, mt.text()) == (X, B, text)
    time.sleep(6.0)  # past sms-resend-freq (5 s): no second copy
    assert kannel.line.pending_mt() == []
