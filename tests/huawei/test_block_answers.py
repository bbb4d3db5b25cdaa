"""The customer's answer to a Block ``callin``: every accept and reject rule of
docs/contract/events.md ("The customer's answer"). None means invalid: the call ends with 8014."""

from __future__ import annotations

from typing import Any

import pytest

from privnum.domain.calls.causes import Cause
from privnum.domain.calls.routing import OTHER_CALLED_A, Rejection, Route
from privnum.huawei.block import read_block_answer

X, B = "+8617000000000", "+8613900000001"


def connect(array: bool = False, **info: Any) -> dict[str, Any]:
    fields = {"calleeNum": B, **info}
    return {"operation": "connect", "connectInfo": [fields] if array else fields}


def route(**fields: Any) -> Route:
    return Route(**{"callee": B, "display": X, "direction": OTHER_CALLED_A, **fields})


def read(answer: Any, recording_allowed: bool = True) -> Route | Rejection | None:
    return read_block_answer(answer, X, recording_allowed)


# -- connect -------------------------------------------------------------------------------------

def test_minimal_connect_routes_to_the_callee_showing_x() -> None:
    assert read(connect()) == route()


def test_connect_info_may_be_a_one_element_array() -> None:
    assert read(connect(array=True, maxDuration=30)) == route(max_duration_min=30)


def test_every_connect_field_is_carried_into_the_route() -> None:
    answer = connect(displayCalleeNum=X, maxDuration=1440, recordFlag="true", waitVoice="wait.wav",
                     recordHintTone="hint.wav", lastMinVoice="last.wav", userData="order-17", unknown="ignored")
    assert read(answer) == route(record=True, record_hint_tone="hint.wav", max_duration_min=1440,
                                 last_min_voice="last.wav", caller_tone="wait.wav", user_data="order-17")


@pytest.mark.parametrize("flag, recorded", [(True, True), (False, False), ("true", True), ("false", False),
                                            ("TRUE", True), ("False", False), (" true ", True), (None, False)])
def test_record_flag_as_boolean_or_text(flag: Any, recorded: bool) -> None:
    decision = read(connect(recordFlag=flag))
    assert isinstance(decision, Route) and decision.record is recorded


def test_recording_is_off_when_the_app_has_recording_off() -> None:
    decision = read(connect(recordFlag=True), recording_allowed=False)
    assert isinstance(decision, Route) and decision.record is False


@pytest.mark.parametrize("minutes", [0, 1, 1440])
def test_max_duration_zero_to_1440_minutes(minutes: int) -> None:
    decision = read(connect(maxDuration=minutes))
    assert isinstance(decision, Route) and decision.max_duration_min == minutes


@pytest.mark.parametrize("empty", [None, ""])
def test_empty_optional_texts_read_as_absent(empty: Any) -> None:
    answer = connect(displayCalleeNum=empty, waitVoice=empty, recordHintTone=empty, lastMinVoice=empty,
                     userData=empty)
    assert read(answer) == route()


def test_display_defaults_to_x_and_may_be_x() -> None:
    assert read(connect(displayCalleeNum=X)) == read(connect()) == route()


def test_voice_names_up_to_128_characters() -> None:
    name = "v" * 128
    assert read(connect(waitVoice=name, lastMinVoice=name)) == route(caller_tone=name, last_min_voice=name)


def test_user_data_up_to_256_ascii_characters() -> None:
    text = "u" * 256
    assert read(connect(userData=text)) == route(user_data=text)


INVALID_CONNECT: dict[str, dict[str, Any]] = {
    "calleeNum missing": {"operation": "connect", "connectInfo": {"maxDuration": 3}},
    "calleeNum null": connect(calleeNum=None),
    "calleeNum without +": connect(calleeNum=B.lstrip("+")),
    "calleeNum a JSON number": connect(calleeNum=8613900000001),
    "calleeNum starting +0": connect(calleeNum="+0123456"),
    "calleeNum too short": connect(calleeNum="+86"),
    "calleeNum too long": connect(calleeNum="+" + "1" * 31),
    "displayCalleeNum another number": connect(displayCalleeNum="+8613900000009"),
    "displayCalleeNum a JSON number": connect(displayCalleeNum=8617000000000),
    "maxDuration 1441": connect(maxDuration=1441),
    "maxDuration negative": connect(maxDuration=-1),
    "maxDuration as a string": connect(maxDuration="30"),
    "maxDuration empty string": connect(maxDuration=""),
    "maxDuration a float": connect(maxDuration=5.0),
    "maxDuration a boolean": connect(maxDuration=True),
    "recordFlag yes": connect(recordFlag="yes"),
    "recordFlag 1": connect(recordFlag=1),
    "recordFlag empty string": connect(recordFlag=""),
    "waitVoice 129 characters": connect(waitVoice="v" * 129),
    "recordHintTone a number": connect(recordHintTone=5),
    "lastMinVoice a list": connect(lastMinVoice=["last.wav"]),
    "userData 257 characters": connect(userData="u" * 257),
    "userData with {": connect(userData="a{b"),
    "userData with }": connect(userData="a}b"),
    "userData with ^": connect(userData="a^b"),
    "userData not ASCII": connect(userData="订单"),
    "userData accented": connect(userData="café"),
    "userData a number": connect(userData=17),
    "connectInfo missing": {"operation": "connect"},
    "connectInfo null": {"operation": "connect", "connectInfo": None},
    "connectInfo array of two": {"operation": "connect", "connectInfo": [{"calleeNum": B}] * 2},
    "connectInfo empty array": {"operation": "connect", "connectInfo": []},
    "connectInfo array of a string": {"operation": "connect", "connectInfo": [B]},
    "connectInfo a string": {"operation": "connect", "connectInfo": B},
}


@pytest.mark.parametrize("case", list(INVALID_CONNECT))
def test_invalid_connect_answer(case: str) -> None:
    assert read(INVALID_CONNECT[case]) is None


def test_connect_ignores_close_info() -> None:
    assert read({**connect(), "closeInfo": "not an object"}) == route()


# -- close ---------------------------------------------------------------------------------------

def test_close_hangs_up_with_8017_and_the_tone() -> None:
    assert read({"operation": "close", "closeInfo": {"closeHintTone": "bye.wav"}}) == \
        Rejection(Cause.CUSTOMER_HUNG_UP, tone="bye.wav")
    assert int(Cause.CUSTOMER_HUNG_UP) == 8017


@pytest.mark.parametrize("close_info", [None, {}, {"closeHintTone": ""}, {"closeHintTone": None},
                                        {"userData": "订单"}])
def test_close_without_tone(close_info: Any) -> None:
    answer: dict[str, Any] = {"operation": "close"}
    if close_info is not None:
        answer["closeInfo"] = close_info
    assert read(answer) == Rejection(Cause.CUSTOMER_HUNG_UP, tone=None)


def test_close_info_may_be_a_one_element_array_and_connect_info_is_ignored() -> None:
    answer = {"operation": "close", "closeInfo": [{"closeHintTone": "bye.wav"}], "connectInfo": "junk"}
    assert read(answer) == Rejection(Cause.CUSTOMER_HUNG_UP, tone="bye.wav")


@pytest.mark.parametrize("close_info", [[], [{}, {}], "bye.wav", 0, {"closeHintTone": "t" * 129},
                                        {"closeHintTone": 5}])
def test_invalid_close_answer(close_info: Any) -> None:
    assert read({"operation": "close", "closeInfo": close_info}) is None


# -- the answer as a whole -----------------------------------------------------------------------

@pytest.mark.parametrize("answer", [None, "connect", 5, [], [connect()], {}, {"operation": None},
                                    {"operation": "dance", "connectInfo": {"calleeNum": B}},
                                    {"operation": "Connect", "connectInfo": {"calleeNum": B}},
                                    {"operation": 1, "connectInfo": {"calleeNum": B}}])
def test_not_an_answer(answer: Any) -> None:
    assert read(answer) is None
