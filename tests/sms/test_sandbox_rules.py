"""Every SMS rule end to end (docs/contract/sms.md): texts handed to a real privnum through the sandbox
carrier, what the carrier was asked to send, and every Notify and Block event checked field by field as
the customer's server receives them. The lab's Block timeout is 1 s."""

from __future__ import annotations

import json
import re
import time
from calendar import timegm
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from huawei_client import AUTHORIZATION, digest
from servers import new_numbers, new_users
from sms_lab import SmsApp, SmsLab, header, sms_event

STAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
TRICKY = "你好，世界 😀\n第二行 +&% 100% a=b&c"  # UCS-2, an emoji (2 units), a newline, URL-special characters


def stamp_epoch(stamp: str) -> float:
    assert STAMP.match(stamp), stamp
    return timegm(time.strptime(stamp[:19], "%Y-%m-%dT%H:%M:%S")) + int(stamp[20:23]) / 1000


def ext(split: int, direction: int) -> dict[str, Any]:
    return {"extParas": [{"key": "splitNum", "value": str(split)}, {"key": "direction", "value": str(direction)}]}


def check_notify(body: dict[str, Any], app: SmsApp, message_id: str, *, calling: str, x: str, text: str,
                 result: int, called: str | None = None, split: int = 0, direction: int = 2, sub: str | None = None,
                 user_data: str | None = None) -> None:
    """The Notify body is exactly the contract's: ``called`` only when sent, ``smsContent`` only with the
    app's switch on, ``subscriptionId``/``userData`` only when a binding decided."""
    event = body["smsEvent"]
    assert abs(stamp_epoch(event.get("timeStamp", "")) - time.time()) < 120, event
    expected: dict[str, Any] = {"smsIdentifier": message_id, "notificationMode": "Notify", "calling": calling,
                                "virtualNumber": x, "event": "TextSMS", "timeStamp": event["timeStamp"],
                                "extInfo": ext(split, direction), "sendResult": result}
    if called is not None:
        expected["called"] = called
    if sub is not None:
        expected["subscriptionId"] = sub
    if app.sms_content:
        expected["smsContent"] = text
    if user_data is not None:
        expected["userData"] = user_data
    assert body == {"appKey": app.app_key, "smsEvent": expected}, body


def check_block(body: dict[str, Any], app: SmsApp, message_id: str, *, calling: str, x: str, text: str,
                split: int, direction: int, sub: str | None = None, user_data: str | None = None) -> None:
    """A Block event: the Notify's fields with notificationMode Block, no called, no sendResult."""
    event = body["smsEvent"]
    assert abs(stamp_epoch(event.get("timeStamp", "")) - time.time()) < 120, event
    expected: dict[str, Any] = {"smsIdentifier": message_id, "notificationMode": "Block", "calling": calling,
                                "virtualNumber": x, "event": "TextSMS", "timeStamp": event["timeStamp"],
                                "extInfo": ext(split, direction)}
    if sub is not None:
        expected["subscriptionId"] = sub
    if app.sms_content:
        expected["smsContent"] = text
    if user_data is not None:
        expected["userData"] = user_data
    assert body == {"appKey": app.app_key, "smsEvent": expected}, body


def check_signed(record: dict[str, Any], app: SmsApp) -> None:
    """Signed as Huawei signs pushes: X-AKSK with the app's key, a digest of its secret, a push id."""
    assert header(record, "Authorization") == AUTHORIZATION, record["headers"]
    token = header(record, "X-AKSK") or ""
    fields = dict(part.split("=", 1) for part in token.removeprefix("UsernameToken ").replace('"', "").split(","))
    assert fields["Username"] == app.app_key, token
    assert fields["PasswordDigest"] == digest(app.app_secret, fields["Nonce"], fields["Created"]), token
    assert header(record, "X-Push-Id"), record["headers"]


def check_trace(trace: dict[str, Any], *, result: int, delivered: list[dict[str, str]] | None = None,
                **decision: Any) -> None:
    assert trace["send_result"] == result, trace
    assert trace["state"] == ("sent" if result == 0 else "done"), trace
    assert trace["delivered"] == (delivered or []), trace
    for key, value in decision.items():
        assert trace[key] == value, (key, trace)


def route(called: str, **extra: Any) -> dict[str, Any]:
    return {"actions": [{"operation": "vNumberRoute", "message": {"called": called}, **extra}]}


class Pool:
    """Hands out the X numbers of a module's app, one scenario each."""

    def __init__(self, app: SmsApp) -> None:
        self.app = app
        self.free = list(app.pool)

    def take(self) -> str:
        assert self.free, "the module's pool is exhausted; enlarge it"
        return self.free.pop(0)


def axb_bind(pool: Pool, **extra: Any) -> tuple[str, str, str, str]:
    """A fresh A-X-B binding; (a, b, x, subscriptionId)."""
    a, b = new_users(2)
    x = pool.take()
    r = pool.app.client.axb_bind(relationNum=x, callerNum=a, calleeNum=b, **extra)
    assert r.ok, r
    return a, b, x, r.body["subscriptionId"]


def ax_bind(pool: Pool, **extra: Any) -> tuple[str, str, str]:
    """A fresh A-X binding; (a, x, subscriptionId)."""
    (a,) = new_users(1)
    x = pool.take()
    r = pool.app.client.ax_bind(origNum=a, privateNum=x, **extra)
    assert r.ok, r
    return a, x, r.body["subscriptionId"]


@pytest.fixture(scope="module")
def axb(sms_lab: SmsLab) -> Pool:
    return Pool(sms_lab.sms_app("AXB", 24))


@pytest.fixture(scope="module")
def ax(sms_lab: SmsLab) -> Pool:
    return Pool(sms_lab.sms_app("AX", 32))


# ---------------------------------------------------------------- AXB


def test_axb_a_reaches_b_and_b_reaches_a_text_exact(sms_lab: SmsLab, axb: Pool) -> None:
    a, b, x, sub = axb_bind(axb, userData="order-17")
    to_b = sms_lab.send(a, x, TRICKY)
    to_a = sms_lab.send(b, x, TRICKY + " 回复")
    check_trace(sms_lab.settled(to_b), result=0, delivered=[{"from": x, "to": b, "text": TRICKY}], mode="AXB",
                subscription_id=sub, receiver=b, from_number=x, forwarded_text=TRICKY, segments=1, direction=1)
    check_trace(sms_lab.settled(to_a), result=0, delivered=[{"from": x, "to": a, "text": TRICKY + " 回复"}],
                receiver=a, from_number=x, segments=1, direction=0)
    check_notify(sms_lab.notify(axb.app, to_b), axb.app, to_b, calling=a, x=x, text=TRICKY, result=0, called=b,
                 split=1, direction=1, sub=sub, user_data="order-17")
    check_notify(sms_lab.notify(axb.app, to_a), axb.app, to_a, calling=b, x=x, text=TRICKY + " 回复", result=0,
                 called=a, split=1, direction=0, sub=sub, user_data="order-17")


def test_axb_stranger_gets_no_binding_without_called(sms_lab: SmsLab, axb: Pool) -> None:
    _, _, x, _ = axb_bind(axb, userData="not-for-strangers")
    (stranger,) = new_users(1)
    message = sms_lab.send(stranger, x, "hello?")
    check_trace(sms_lab.settled(message), result=2, receiver=None)
    check_notify(sms_lab.notify(axb.app, message), axb.app, message, calling=stranger, x=x, text="hello?", result=2)


def test_notify_without_sms_content_when_the_switch_is_off(sms_lab: SmsLab) -> None:
    app = sms_lab.sms_app("AXB", 1, content=False)
    a, b, x, sub = axb_bind(Pool(app))
    message = sms_lab.send(a, x, "no content please")
    sms_lab.settled(message)
    body = sms_lab.notify(app, message)
    assert "smsContent" not in body["smsEvent"], body
    check_notify(body, app, message, calling=a, x=x, text="", result=0, called=b, split=1, direction=1, sub=sub)


def test_after_unbinding_a_text_is_2(sms_lab: SmsLab, axb: Pool) -> None:
    a, _, x, sub = axb_bind(axb)
    assert axb.app.client.axb_unbind(subscriptionId=sub).ok
    message = sms_lab.send(a, x, "still there?")
    check_trace(sms_lab.settled(message), result=2)
    check_notify(sms_lab.notify(axb.app, message), axb.app, message, calling=a, x=x, text="still there?", result=2)


def test_a_burst_is_relayed_once_each(sms_lab: SmsLab, axb: Pool) -> None:
    a, b, x, sub = axb_bind(axb)
    texts = [(a if i % 2 else b, f"burst {i}") for i in range(24)]
    with ThreadPoolExecutor(8) as pool:
        ids = list(pool.map(lambda sent: sms_lab.send(sent[0], x, sent[1]), texts))
    assert len(set(ids)) == len(ids)
    for (sender, text), message in zip(texts, ids, strict=True):
        to = b if sender == a else a
        check_trace(sms_lab.settled(message), result=0, delivered=[{"from": x, "to": to, "text": text}])
        check_notify(sms_lab.notify(axb.app, message), axb.app, message, calling=sender, x=x, text=text, result=0,
                     called=to, split=1, direction=1 if sender == a else 0, sub=sub)


def test_binding_private_sms_false_is_11(sms_lab: SmsLab, axb: Pool) -> None:
    a, _, x, sub = axb_bind(axb, privateSms="false", userData="no-sms")
    message = sms_lab.send(a, x, "blocked by the binding")
    check_trace(sms_lab.settled(message), result=11)
    check_notify(sms_lab.notify(axb.app, message), axb.app, message, calling=a, x=x, text="blocked by the binding",
                 result=11, sub=sub, user_data="no-sms")


def test_long_chinese_text_is_three_segments(sms_lab: SmsLab, axb: Pool) -> None:
    a, b, x, sub = axb_bind(axb)
    text = ("隐私号码短信测试" * 25)[:200]
    message = sms_lab.send(a, x, text)
    check_trace(sms_lab.settled(message), result=0, delivered=[{"from": x, "to": b, "text": text}], segments=3)
    check_notify(sms_lab.notify(axb.app, message), axb.app, message, calling=a, x=x, text=text, result=0, called=b,
                 split=3, direction=1, sub=sub)


@pytest.mark.parametrize(("text", "segments"), [
    ("g" * 160, 1), ("g" * 161, 2), ("中" * 69 + "😀", 2), ("中" * 68 + "😀", 1), ("a\r\n" * 53 + "a", 1),
], ids=["gsm-160", "gsm-161", "ucs2-71-units", "ucs2-70-units", "gsm-with-crlf-160"])
def test_segment_boundaries(sms_lab: SmsLab, axb: Pool, text: str, segments: int) -> None:
    a, b, x, sub = axb_bind(axb)
    message = sms_lab.send(a, x, text)
    check_trace(sms_lab.settled(message), result=0, delivered=[{"from": x, "to": b, "text": text}],
                segments=segments)
    check_notify(sms_lab.notify(axb.app, message), axb.app, message, calling=a, x=x, text=text, result=0, called=b,
                 split=segments, direction=1, sub=sub)


def test_more_than_ten_segments_is_10_and_nothing_is_sent(sms_lab: SmsLab, axb: Pool) -> None:
    a, _, x, sub = axb_bind(axb)
    text = "长" * 700  # UCS-2: ⌈700/67⌉ = 11 segments
    message = sms_lab.send(a, x, text)
    check_trace(sms_lab.settled(message), result=10)
    check_notify(sms_lab.notify(axb.app, message), axb.app, message, calling=a, x=x, text=text, result=10, sub=sub)


def test_the_same_ref_twice_is_one_message(sms_lab: SmsLab, axb: Pool) -> None:
    a, b, x, _ = axb_bind(axb)
    ref = f"carrier-{time.monotonic_ns()}"
    first = sms_lab.send(a, x, "only once", ref=ref)
    second = sms_lab.send(a, x, "only once", ref=ref)
    assert second == first
    check_trace(sms_lab.settled(first), result=0, delivered=[{"from": x, "to": b, "text": "only once"}])
    sms_lab.notify(axb.app, first)
    time.sleep(0.5)  # room for a duplicate to show up
    assert len(sms_lab.notifies(axb.app, first)) == 1
    assert len(sms_lab.trace(first)["delivered"]) == 1


def test_a_refused_notify_is_retried_with_the_same_push_id(sms_lab: SmsLab) -> None:
    app = sms_lab.sms_app("AXB", 1)
    a, b, x, sub = axb_bind(Pool(app))
    sms_lab.receiver.control(path=app.sms_path, mode="fail", status=503, times=2)
    message = sms_lab.send(a, x, "retry me")
    check_notify(sms_lab.notify(app, message), app, message, calling=a, x=x, text="retry me", result=0, called=b,
                 split=1, direction=1, sub=sub)
    tries = [r for r in sms_lab.receiver.records(path=app.sms_path)
             if r["body"].get("smsEvent", {}).get("smsIdentifier") == message]
    assert [r["status"] for r in tries] == [503, 503, 200], tries
    assert len({header(r, "X-Push-Id") for r in tries}) == 1, tries
    assert all(r["body"] == tries[0]["body"] for r in tries)


# ---------------------------------------------------------------- AX


def test_ax_a_with_suffix_reaches_that_number_without_it(sms_lab: SmsLab, ax: Pool) -> None:
    a, x, sub = ax_bind(ax, userData="ax-ud")
    (c,) = new_users(1)
    body = "x" * 150 + " "  # GSM; with the 12-character suffix 163 characters: 2 segments as Huawei bills it
    text = f"{body}@{c[3:]}"
    message = sms_lab.send(a, x, text)
    check_trace(sms_lab.settled(message), result=0, delivered=[{"from": x, "to": c, "text": body}], receiver=c,
                forwarded_text=body, segments=2, direction=1, mode="AX", subscription_id=sub)
    check_notify(sms_lab.notify(ax.app, message), ax.app, message, calling=a, x=x, text=text, result=0, called=c,
                 split=2, direction=1, sub=sub, user_data="ax-ud")
    assert sms_lab.blocks(ax.app, message) == []


@pytest.mark.parametrize(("suffix", "to"), [
    ("@+8613912345678", "+8613912345678"),
    ("@8613912345678", "+8613912345678"),
    ("@13912345678 \n", "+8613912345678"),
    ("@075512345678", "+8675512345678"),
    ("@+4420794600", "+4420794600"),
], ids=["global", "86-prefixed", "trailing-whitespace", "fixed-line", "foreign"])
def test_ax_suffix_forms(sms_lab: SmsLab, ax: Pool, suffix: str, to: str) -> None:
    a, x, sub = ax_bind(ax)
    text = "see you @ 8 " + suffix  # only the last @ addresses
    message = sms_lab.send(a, x, text)
    check_trace(sms_lab.settled(message), result=0, delivered=[{"from": x, "to": to, "text": "see you @ 8 "}])
    check_notify(sms_lab.notify(ax.app, message), ax.app, message, calling=a, x=x, text=text, result=0, called=to,
                 split=1, direction=1, sub=sub)


def test_ax_a_without_suffix_asks_and_vnumberroute_delivers(sms_lab: SmsLab, ax: Pool) -> None:
    a, x, sub = ax_bind(ax, userData="ax-block")
    (c,) = new_users(1)
    sms_lab.receiver.control(path=ax.app.control_path, block_answer=route(c, userData="route-ud"))
    message = sms_lab.send(a, x, TRICKY)
    check_trace(sms_lab.settled(message), result=0, delivered=[{"from": x, "to": c, "text": TRICKY}], direction=1)
    (block,) = sms_lab.blocks(ax.app, message)
    check_block(block["body"], ax.app, message, calling=a, x=x, text=TRICKY, split=1, direction=1, sub=sub,
                user_data="ax-block")
    check_signed(block, ax.app)
    check_notify(sms_lab.notify(ax.app, message), ax.app, message, calling=a, x=x, text=TRICKY, result=0, called=c,
                 split=1, direction=1, sub=sub, user_data="route-ud")
    (notify_record,) = [r for r in sms_lab.pushes(ax.app.sms_path) if sms_event(r).get("smsIdentifier") == message]
    check_signed(notify_record, ax.app)
    listed = json.loads(sms_lab.server.cli("pushes", "list", "--app", ax.app.app_key, "--json").stdout)
    kept = [p for p in listed if p["push_id"] == header(block, "X-Push-Id")]
    assert [p["kind"] for p in kept] == ["block_sms"], kept  # kept in the outbox tables


def test_ax_discard_is_6(sms_lab: SmsLab, ax: Pool) -> None:
    a, x, sub = ax_bind(ax)
    sms_lab.receiver.control(path=ax.app.control_path, block_answer={"actions": {"operation": "DiscardMessage"}})
    message = sms_lab.send(a, x, "drop me")
    check_trace(sms_lab.settled(message), result=6)
    assert len(sms_lab.blocks(ax.app, message)) == 1
    check_notify(sms_lab.notify(ax.app, message), ax.app, message, calling=a, x=x, text="drop me", result=6, sub=sub)


def test_ax_block_events_are_asked_side_by_side(sms_lab: SmsLab, ax: Pool) -> None:
    a, x, _ = ax_bind(ax)
    (c,) = new_users(1)
    sms_lab.receiver.control(path=ax.app.control_path, mode="slow", delay_ms=700, block_answer=route(c))
    started = time.monotonic()
    messages = [sms_lab.send(a, x, f"ask {i}") for i in range(5)]
    for i, message in enumerate(messages):
        check_trace(sms_lab.settled(message), result=0, delivered=[{"from": x, "to": c, "text": f"ask {i}"}])
    assert time.monotonic() - started < 3.0  # one after the other would take 3.5 s


@pytest.mark.parametrize("customer", ["slow", "invalid", "vnumberroute-without-called", "fails"])
def test_ax_no_valid_answer_is_7_and_never_retried(sms_lab: SmsLab, ax: Pool, customer: str) -> None:
    a, x, sub = ax_bind(ax)
    rule: dict[str, Any] = {
        "slow": {"mode": "slow", "delay_ms": 1600, "block_answer": route(new_users(1)[0])},  # beyond the 1 s timeout
        "invalid": {"block_answer": {"actions": [{"operation": "Connect"}]}},
        "vnumberroute-without-called": {"block_answer": {"actions": [{"operation": "vNumberRoute", "message": {}}]}},
        "fails": {"mode": "fail", "status": 500},
    }[customer]
    sms_lab.receiver.control(path=ax.app.control_path, **rule)
    message = sms_lab.send(a, x, "anyone there?")
    check_trace(sms_lab.settled(message), result=7)
    check_notify(sms_lab.notify(ax.app, message), ax.app, message, calling=a, x=x, text="anyone there?", result=7,
                 sub=sub)
    deadline = time.monotonic() + 3.0  # a slow receiver logs the POST once it has answered it
    while not sms_lab.blocks(ax.app, message) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)  # room for a retry to show up
    assert len(sms_lab.blocks(ax.app, message)) == 1


@pytest.mark.parametrize("text", ["full-width is text ＠13912345678", "@13912345678", "too short @1234",
                                  "letters @1391234567a", "not at the end @13912345678 ok", "unknown form @2345678"],
                         ids=["full-width-at", "nothing-before", "four-digits", "letters", "text-after", "no-rule"])
def test_ax_malformed_suffix_asks(sms_lab: SmsLab, ax: Pool, text: str) -> None:
    a, x, sub = ax_bind(ax)
    sms_lab.receiver.control(path=ax.app.control_path, block_answer={"actions": [{"operation": "DiscardMessage"}]})
    message = sms_lab.send(a, x, text)
    check_trace(sms_lab.settled(message), result=6)
    (block,) = sms_lab.blocks(ax.app, message)
    check_block(block["body"], ax.app, message, calling=a, x=x, text=text, split=1, direction=1, sub=sub)


def test_ax_without_any_sms_url_is_7_and_pushes_nothing(sms_lab: SmsLab) -> None:
    key, secret = sms_lab.server.create_app("AX", "--sms")
    (x,) = new_numbers(1)
    sms_lab.server.add_numbers(key, "0755", [x])
    (a,) = new_users(1)
    assert sms_lab.server.client(key, secret).ax_bind(origNum=a, privateNum=x).ok
    message = sms_lab.send(a, x, "whom do I ask?")
    check_trace(sms_lab.settled(message), result=7)
    assert json.loads(sms_lab.server.cli("pushes", "list", "--app", key, "--json").stdout) == []


@pytest.mark.parametrize("sender", ["A", "stranger"])
def test_ax_binding_private_sms_false_is_11_without_asking(sms_lab: SmsLab, ax: Pool, sender: str) -> None:
    a, x, sub = ax_bind(ax, privateSms="false", userData="ax-no-sms")
    who = a if sender == "A" else new_users(1)[0]
    message = sms_lab.send(who, x, "no @suffix here")
    check_trace(sms_lab.settled(message), result=11)
    check_notify(sms_lab.notify(ax.app, message), ax.app, message, calling=who, x=x, text="no @suffix here",
                 result=11, sub=sub, user_data="ax-no-sms")
    assert sms_lab.blocks(ax.app, message) == []


def test_ax_stranger_reaches_a_marked_from(sms_lab: SmsLab, ax: Pool) -> None:
    a, x, sub = ax_bind(ax, userData="ax-in")
    (stranger,) = new_users(1)
    message = sms_lab.send(stranger, x, "hi A")
    marked = f"hi A[From{stranger}]"
    check_trace(sms_lab.settled(message), result=0, delivered=[{"from": x, "to": a, "text": marked}], direction=0)
    check_notify(sms_lab.notify(ax.app, message), ax.app, message, calling=stranger, x=x, text="hi A", result=0,
                 called=a, split=1, direction=0, sub=sub, user_data="ax-in")


def test_ax_x_without_binding_is_2(sms_lab: SmsLab, ax: Pool) -> None:
    x = ax.take()
    (someone,) = new_users(1)
    message = sms_lab.send(someone, x, "nobody here")
    check_trace(sms_lab.settled(message), result=2)
    check_notify(sms_lab.notify(ax.app, message), ax.app, message, calling=someone, x=x, text="nobody here",
                 result=2)


# ---------------------------------------------------------------- AXYB, X mode, AXE


def test_axyb_b_with_y_reaches_a_from_y_and_a_reaches_b_through_y(sms_lab: SmsLab) -> None:
    app = sms_lab.sms_app("AXYB", 4)
    a, b, b2 = new_users(3)
    r = app.client.axyb_bind(origNum=a, areaCode="0755", userData="axyb-ud")
    assert r.ok, r
    sub, x = r.body["subscriptionId"], r.body["relationNumber"]
    r = app.client.axyb_bind(subscriptionId=sub, origNum=b)
    assert r.ok, r
    y = r.body["relationNumber"]
    from_b = sms_lab.send(b, x, "from B")
    from_a = sms_lab.send(a, y, "to B")
    without_y = sms_lab.send(b2, x, "from a B without Y")
    stranger_to_y = sms_lab.send(b2, y, "not B's Y")
    a_to_x = sms_lab.send(a, x, "A to its own X")
    check_trace(sms_lab.settled(from_b), result=0, delivered=[{"from": y, "to": a, "text": "from B"}], direction=0)
    check_trace(sms_lab.settled(from_a), result=0, delivered=[{"from": x, "to": b, "text": "to B"}], direction=1)
    check_trace(sms_lab.settled(without_y), result=0, delivered=[{"from": x, "to": a, "text": "from a B without Y"}])
    check_notify(sms_lab.notify(app, from_b), app, from_b, calling=b, x=x, text="from B", result=0, called=a,
                 split=1, direction=0, sub=sub, user_data="axyb-ud")
    check_notify(sms_lab.notify(app, from_a), app, from_a, calling=a, x=y, text="to B", result=0, called=b,
                 split=1, direction=1, sub=sub, user_data="axyb-ud")
    check_notify(sms_lab.notify(app, without_y), app, without_y, calling=b2, x=x, text="from a B without Y",
                 result=0, called=a, split=1, direction=0, sub=sub, user_data="axyb-ud")
    check_trace(sms_lab.settled(stranger_to_y), result=2)
    check_notify(sms_lab.notify(app, stranger_to_y), app, stranger_to_y, calling=b2, x=y, text="not B's Y",
                 result=2)
    check_trace(sms_lab.settled(a_to_x), result=2)
    check_notify(sms_lab.notify(app, a_to_x), app, a_to_x, calling=a, x=x, text="A to its own X", result=2,
                 sub=sub, user_data="axyb-ud")


def test_x_mode_asks_on_the_sms_url_and_forwards_to_called(sms_lab: SmsLab) -> None:
    app = sms_lab.sms_app("X", 1, control_url=False)  # Block events go to the SMS URL
    x = app.pool[0]
    someone, target = new_users(2)
    sms_lab.receiver.control(path=app.sms_path, block_answer=route(target))
    message = sms_lab.send(someone, x, TRICKY)
    check_trace(sms_lab.settled(message), result=0, delivered=[{"from": x, "to": target, "text": TRICKY}],
                direction=2, mode="X")
    (block,) = sms_lab.blocks(app, message)
    check_block(block["body"], app, message, calling=someone, x=x, text=TRICKY, split=1, direction=2)
    check_notify(sms_lab.notify(app, message), app, message, calling=someone, x=x, text=TRICKY, result=0,
                 called=target, split=1, direction=2)


def test_x_mode_discard_of_a_long_text(sms_lab: SmsLab) -> None:
    app = sms_lab.sms_app("X", 1)
    x = app.pool[0]
    (someone,) = new_users(1)
    text = ("隐私号码短信测试" * 25)[:200]
    sms_lab.receiver.control(path=app.control_path, block_answer={"actions": [{"operation": "DiscardMessage"}]})
    message = sms_lab.send(someone, x, text)
    check_trace(sms_lab.settled(message), result=6)
    (block,) = sms_lab.blocks(app, message)
    check_block(block["body"], app, message, calling=someone, x=x, text=text, split=3, direction=2)
    check_notify(sms_lab.notify(app, message), app, message, calling=someone, x=x, text=text, result=6)
    assert sms_lab.notifies(app, message) and not [r for r in sms_lab.receiver.records(path=app.sms_path)
                                                   if r["body"].get("smsEvent", {}).get("notificationMode") == "Block"]


@pytest.mark.parametrize("case", ["AXE", "app without SMS", "number without SMS"])
def test_no_sms_capability_is_11(sms_lab: SmsLab, case: str) -> None:
    app = {"AXE": lambda: sms_lab.sms_app("AXE", 1),
           "app without SMS": lambda: sms_lab.sms_app("AX", 1, sms=False),
           "number without SMS": lambda: sms_lab.sms_app("AX", 1, number_flags=("--no-sms",))}[case]()
    x = app.pool[0]
    a, other = new_users(2)
    if app.mode == "AX":
        assert app.client.ax_bind(origNum=a, privateNum=x).ok
    message = sms_lab.send(other, x, "can X text?")
    check_trace(sms_lab.settled(message), result=11)
    check_notify(sms_lab.notify(app, message), app, message, calling=other, x=x, text="can X text?", result=11)


# ---------------------------------------------------------------- number and app states


@pytest.mark.parametrize(("state", "result"), [("frozen", 1), ("unavailable", 3), ("blacklisted", 3)])
def test_number_state_refuses(sms_lab: SmsLab, axb: Pool, state: str, result: int) -> None:
    a, _, x, _ = axb_bind(axb)
    sms_lab.server.cli("numbers", "set-state", x, state)
    message = sms_lab.send(a, x, f"to a {state} X")
    check_trace(sms_lab.settled(message), result=result)
    check_notify(sms_lab.notify(axb.app, message), axb.app, message, calling=a, x=x, text=f"to a {state} X",
                 result=result)


def test_suspended_app_is_4(sms_lab: SmsLab) -> None:
    app = sms_lab.sms_app("AXB", 1)
    a, _, x, _ = axb_bind(Pool(app))
    sms_lab.server.cli("app", "update", app.app_key, "--suspend")
    deadline = time.monotonic() + 5.0  # the server caches apps for ~2 s
    while True:
        message = sms_lab.send(a, x, "suspended?")
        trace = sms_lab.settled(message)
        if trace["send_result"] == 4 or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    check_trace(trace, result=4)
    check_notify(sms_lab.notify(app, message), app, message, calling=a, x=x, text="suspended?", result=4)


# ---------------------------------------------------------------- the sandbox API


def test_a_number_of_no_app_is_kept_as_2(sms_lab: SmsLab) -> None:
    (x,) = new_numbers(1)
    (someone,) = new_users(1)
    message = sms_lab.send(someone, x, "anyone?")
    check_trace(sms_lab.settled(message), result=2, mode=None, receiver=None, **{"from": someone, "to": x})


@pytest.mark.parametrize("message_id", ["no-such-message", "a%00b", "x" * 3000])
def test_an_unknown_message_id_is_404(sms_lab: SmsLab, message_id: str) -> None:
    r = httpx.get(f"{sms_lab.server.base}/sandbox/v1/sms/{message_id}", timeout=10)
    assert r.status_code == 404, (r.status_code, r.text)


def test_a_text_of_2000_characters_is_taken(sms_lab: SmsLab, axb: Pool) -> None:
    a, _, x, sub = axb_bind(axb)
    text = "y" * 2000  # GSM: ⌈2000/154⌉ = 13 segments, over the limit of 10
    message = sms_lab.send(a, x, text)
    trace = sms_lab.settled(message)
    assert trace["text"] == text
    check_trace(trace, result=10)
    check_notify(sms_lab.notify(axb.app, message), axb.app, message, calling=a, x=x, text=text, result=10, sub=sub)


SENDER, X = "+8613800000001", "+8617000000001"


@pytest.mark.parametrize(("body", "raw", "content_type"), [
    ({"to": X, "text": "no sender"}, None, None),
    ({"from": "13800000001", "to": X, "text": "not global"}, None, None),
    ({"from": SENDER, "to": "17000000001", "text": "X not global"}, None, None),
    ({"from": SENDER, "to": X, "text": "hi", "priority": 1}, None, None),
    ({"from": SENDER, "to": X, "text": "x" * 2001}, None, None),
    ({"from": SENDER, "to": X}, None, None),
    ({"from": SENDER, "to": X, "text": None}, None, None),
    ({"from": SENDER, "to": X, "text": "x", "ref": ""}, None, None),
    ({"from": SENDER, "to": X, "text": "a\u0000b"}, None, None),
    ({"from": SENDER, "to": X, "text": "x", "ref": "r\u0000"}, None, None),
    (None, b"{not json", None),
    (None, b'["a", "list"]', None),
    (None, b'{"from": "+8613800000001", "to": "+8617000000001", "text": "a\\ud800b"}', None),
    (None, b'{"from": "+8613800000001", "to": "+8617000000001", "text": "a\xff"}', "text/plain"),
    (None, b"", None),
], ids=["missing-from", "from-not-global", "to-not-global", "unknown-field", "text-over-2000", "no-text",
        "text-null", "empty-ref", "nul-in-text", "nul-in-ref", "not-json", "not-an-object", "lone-surrogate",
        "bad-utf8-not-json-type", "empty-body"])
def test_bad_bodies_are_422(sms_lab: SmsLab, body: dict[str, Any] | None, raw: bytes | None,
                            content_type: str | None) -> None:
    r = sms_lab.post(body, content=raw, content_type=content_type)
    assert r.status_code == 422, (r.status_code, r.text)
    assert isinstance(r.json()["detail"], list), r.text


def test_bad_utf8_json_is_refused_not_500(sms_lab: SmsLab) -> None:
    r = sms_lab.post(content=b'{"from": "+8613800000001", "to": "+8617000000001", "text": "a\xff"}')
    assert r.status_code in (400, 422), (r.status_code, r.text)  # FastAPI's "error parsing the body" is 400
