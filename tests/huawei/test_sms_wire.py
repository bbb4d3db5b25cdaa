"""Huawei's SMS wire (docs/contract/sms.md "The bodies", "Block events"; huawei-wire.md §4.4): the Notify
and Block bodies field by field, and the customer's Block answer (None: not a valid answer, sendResult 7)."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from privnum.domain.apps import App
from privnum.domain.modes import Mode
from privnum.domain.sms.answers import Discard, ForwardTo
from privnum.domain.sms.message import SmsMessage, SmsState
from privnum.domain.sms.segments import segment_count
from privnum.huawei.sms_block import read_sms_block_answer
from privnum.huawei.sms_pushes import block_body, notify_body, sms_time

A, B, X = "+8613800000001", "+8613900000002", "+8617000000001"
AT_MS = int(datetime(2026, 12, 1, 10, 0, 0, 123_000, tzinfo=UTC).timestamp() * 1000)
TEXT = "hello"


def sms_app(*, content: bool = False, mode: Mode = Mode.AX) -> App:
    return App(id=7, enterprise_id=1, name="shop", mode=mode, app_key="key-7", app_secret="secret-7",
               sms_enabled=True, sms_content=content)


def message(**fields: Any) -> SmsMessage:
    base = SmsMessage(id=1, sms_id="sms-1", gateway="sandbox", gateway_ref="ref-1", sender=A, x_number=X, text=TEXT,
                      received_at_ms=AT_MS - 1000, state=SmsState.RECEIVED, app_id=7, mode="AX")
    return dataclasses.replace(base, **fields)


def forwarded(**fields: Any) -> SmsMessage:
    return message(**{"state": SmsState.SENT, "binding_id": "bind-1", "receiver": B, "from_number": X,
                      "forwarded_text": TEXT, "segments": 1, "direction": 1, "send_result": 0, **fields})


def ext(split_num: str, direction: str) -> dict[str, Any]:
    return {"extParas": [{"key": "splitNum", "value": split_num}, {"key": "direction", "value": direction}]}


# --- timeStamp ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("ms", "text"), [
    (AT_MS, "2026-12-01T10:00:00.123Z"),
    (0, "1970-01-01T00:00:00.000Z"),
    (5, "1970-01-01T00:00:00.005Z"),
    (1_764_547_199_999, "2025-11-30T23:59:59.999Z"),
])
def test_time_stamps_are_utc_with_milliseconds(ms: int, text: str) -> None:
    assert sms_time(ms) == text


# --- Notify ------------------------------------------------------------------------------------------------------

def test_a_forwarded_message_notify_is_huaweis_body() -> None:
    assert notify_body(sms_app(), forwarded(user_data="order-42"), AT_MS) == {
        "appKey": "key-7",
        "smsEvent": {"smsIdentifier": "sms-1", "notificationMode": "Notify", "calling": A, "called": B,
                     "virtualNumber": X, "event": "TextSMS", "timeStamp": "2026-12-01T10:00:00.123Z",
                     "extInfo": ext("1", "1"), "subscriptionId": "bind-1", "sendResult": 0,
                     "userData": "order-42"}}


def test_notify_fields_are_in_huaweis_order() -> None:
    body = notify_body(sms_app(content=True), forwarded(user_data="u"), AT_MS)
    assert list(body["smsEvent"]) == ["smsIdentifier", "notificationMode", "calling", "called", "virtualNumber",
                                      "event", "timeStamp", "extInfo", "subscriptionId", "smsContent",
                                      "sendResult", "userData"]


def test_notify_reports_the_segments_and_direction_as_strings() -> None:
    event = notify_body(sms_app(), forwarded(segments=3, direction=0), AT_MS)["smsEvent"]
    assert event["extInfo"] == ext("3", "0")
    assert all(isinstance(p["value"], str) for p in event["extInfo"]["extParas"])


def test_x_mode_forwarded_reports_direction_2() -> None:
    event = notify_body(sms_app(mode=Mode.X), forwarded(direction=2, binding_id=None), AT_MS)["smsEvent"]
    assert event["extInfo"] == ext("1", "2")
    assert "subscriptionId" not in event


@pytest.mark.parametrize("result", [1, 2, 3, 4, 5, 6, 7, 11])
def test_a_dropped_message_has_no_called_split_0_direction_2(result: int) -> None:
    event = notify_body(sms_app(), message(state=SmsState.DONE, send_result=result, direction=2), AT_MS)["smsEvent"]
    assert "called" not in event
    assert event["sendResult"] == result
    assert event["extInfo"] == ext("0", "2")


def test_a_message_the_gateway_refused_reports_nothing_sent() -> None:
    """Decided (receiver, segments, direction set), then refused by the gateway: sendResult 10, nothing forwarded."""
    event = notify_body(sms_app(), forwarded(state=SmsState.DONE, send_result=10, segments=2, direction=1),
                        AT_MS)["smsEvent"]
    assert "called" not in event
    assert event["sendResult"] == 10
    assert event["extInfo"] == ext("0", "2")


def test_sms_content_is_the_text_as_written_only_when_the_app_says_so() -> None:
    marked = forwarded(text="hi @13900000002", forwarded_text="hi ")
    assert "smsContent" not in notify_body(sms_app(), marked, AT_MS)["smsEvent"]
    assert notify_body(sms_app(content=True), marked, AT_MS)["smsEvent"]["smsContent"] == "hi @13900000002"


def test_subscription_id_only_when_a_binding_decided() -> None:
    assert notify_body(sms_app(), forwarded(), AT_MS)["smsEvent"]["subscriptionId"] == "bind-1"
    dropped = message(state=SmsState.DONE, send_result=2, direction=2)
    assert "subscriptionId" not in notify_body(sms_app(), dropped, AT_MS)["smsEvent"]


def test_user_data_only_when_there_is_one() -> None:
    assert "userData" not in notify_body(sms_app(), forwarded(), AT_MS)["smsEvent"]
    assert "userData" not in notify_body(sms_app(), forwarded(user_data=""), AT_MS)["smsEvent"]
    dropped = message(state=SmsState.DONE, send_result=6, direction=2, binding_id="bind-1", user_data="u-1")
    assert notify_body(sms_app(), dropped, AT_MS)["smsEvent"]["userData"] == "u-1"


def test_notify_is_json_ready() -> None:
    body = notify_body(sms_app(content=True), forwarded(user_data="u"), AT_MS)
    assert json.loads(json.dumps(body)) == body


# --- Block -------------------------------------------------------------------------------------------------------

def test_a_block_event_is_huaweis_body() -> None:
    asked = message(binding_id="bind-1", direction=1, notification_mode="Block")
    assert block_body(sms_app(), asked, AT_MS, segment_count(asked.text), 1, "ax-data") == {
        "appKey": "key-7",
        "smsEvent": {"smsIdentifier": "sms-1", "notificationMode": "Block", "calling": A, "virtualNumber": X,
                     "event": "TextSMS", "timeStamp": "2026-12-01T10:00:00.123Z", "extInfo": ext("1", "1"),
                     "subscriptionId": "bind-1", "userData": "ax-data"}}


def test_a_block_event_has_no_called_and_no_send_result() -> None:
    """Even for a message that carries a receiver and a result from elsewhere: nothing is sent yet."""
    odd = message(receiver=B, send_result=0, binding_id="bind-1")
    event = block_body(sms_app(), odd, AT_MS, 1, 1, None)["smsEvent"]
    assert "called" not in event
    assert "sendResult" not in event
    assert "userData" not in event


def test_a_block_event_splits_the_text_as_received() -> None:
    text = "a" * 150 + "@123"  # malformed suffix, 154 characters: 1 segment
    long_text = "中" * 71
    assert block_body(sms_app(), message(text=text), AT_MS, segment_count(text), 1, None)[
        "smsEvent"]["extInfo"] == ext("1", "1")
    assert block_body(sms_app(mode=Mode.X), message(text=long_text), AT_MS, segment_count(long_text), 2, None)[
        "smsEvent"]["extInfo"] == ext("2", "2")


def test_a_block_event_in_x_mode_has_no_subscription_id() -> None:
    event = block_body(sms_app(mode=Mode.X), message(mode="X"), AT_MS, 1, 2, None)["smsEvent"]
    assert "subscriptionId" not in event
    assert event["extInfo"] == ext("1", "2")


def test_a_block_event_carries_the_text_only_when_the_app_says_so() -> None:
    assert "smsContent" not in block_body(sms_app(), message(), AT_MS, 1, 1, None)["smsEvent"]
    assert block_body(sms_app(content=True), message(), AT_MS, 1, 1, None)["smsEvent"]["smsContent"] == TEXT


# --- the customer's Block answer ---------------------------------------------------------------------------------

def route(called: Any = B, **fields: Any) -> dict[str, Any]:
    return {"operation": "vNumberRoute", "message": {"called": called}, **fields}


DISCARD = {"operation": "DiscardMessage"}


def test_vnumberroute_in_an_array_forwards_to_called() -> None:
    assert read_sms_block_answer({"actions": [route()]}) == ForwardTo(B)


def test_vnumberroute_as_one_object_forwards_to_called() -> None:
    assert read_sms_block_answer({"actions": route()}) == ForwardTo(B)


def test_the_first_action_decides() -> None:
    assert read_sms_block_answer({"actions": [route(), DISCARD]}) == ForwardTo(B)
    assert read_sms_block_answer({"actions": [DISCARD, route()]}) == Discard()


def test_discard_message_discards() -> None:
    assert read_sms_block_answer({"actions": [DISCARD]}) == Discard()
    assert read_sms_block_answer({"actions": DISCARD}) == Discard()


def test_calling_extparas_and_unknown_fields_are_ignored() -> None:
    action = route(extParas=[{"key": "k", "value": "v"}], other=1)
    action["message"]["calling"] = A
    assert read_sms_block_answer({"actions": [action], "resultcode": "0"}) == ForwardTo(B)


def test_user_data_is_carried() -> None:
    assert read_sms_block_answer({"actions": [route(userData="order-42")]}) == ForwardTo(B, "order-42")


def test_an_empty_user_data_is_absent() -> None:
    assert read_sms_block_answer({"actions": [route(userData="")]}) == ForwardTo(B)


@pytest.mark.parametrize("user_data", ["订单", "café", "{json}", "a^b", "x" * 257])
def test_user_data_must_be_ascii_without_braces_and_fit(user_data: str) -> None:
    assert read_sms_block_answer({"actions": [route(userData=user_data)]}) is None


def test_user_data_of_256_ascii_characters_fits() -> None:
    assert read_sms_block_answer({"actions": [route(userData="x" * 256)]}) == ForwardTo(B, "x" * 256)


@pytest.mark.parametrize("answer", [
    {"actions": []},
    {"actions": [{"operation": "Connect"}]},
    {"actions": [{"operation": "vnumberroute", "message": {"called": B}}]},
    {"actions": [{"operation": "vNumberRoute"}]},
    {"actions": [{"operation": "vNumberRoute", "message": {}}]},
    {"actions": [{"operation": "vNumberRoute", "message": None}]},
    {"actions": [{"operation": "vNumberRoute", "message": "+8613900000002"}]},
    {"actions": [route(called="13900000002")]},
    {"actions": [route(called="+86 13900000002")]},
    {"actions": [route(called="")]},
    {"actions": [route(called=None)]},
    {"actions": [route(called=8613900000002)]},
    {"actions": [{}]},
    {"actions": ["vNumberRoute"]},
    {"actions": "DiscardMessage"},
    {"actions": None},
    {},
    {"action": [DISCARD]},
    [DISCARD],
    [{"actions": [DISCARD]}],
    "DiscardMessage",
    "",
    None,
    42,
])
def test_anything_else_is_not_an_answer(answer: Any) -> None:
    assert read_sms_block_answer(answer) is None
