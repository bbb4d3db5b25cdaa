"""One call's life (calls.md "Life of a call", "Disconnect causes privnum produces"; events.md event types):
incoming → routing → outgoing → alerting → answered → released, one event per step, exactly one disconnect;
late or duplicate signals produce nothing."""

from __future__ import annotations

import json

import pytest

from builders import NOW, SECOND, A, B, X, binding
from privnum.domain.calls.causes import Cause
from privnum.domain.calls.routing import Route
from privnum.domain.calls.session import CallEvent, CallSession, CallState, EventKind, Party, Recording
from privnum.domain.modes import Mode

T1, T2, T3, T4, T5 = (NOW + n * SECOND for n in (1, 2, 3, 4, 5))


def new_session(mode: Mode = Mode.AXB) -> CallSession:
    return CallSession(id="1_42_deadbeef_20251124000000@host", app_id=7, mode=mode, caller=A, called=X,
                       started_at_ms=NOW)


def a_route(**overrides) -> Route:
    values = {"callee": B, "display": X, "direction": 1, "binding": binding(Mode.AXB, X, A, B, binding_id="sub-1"),
              "record": True, "max_duration_min": 30, "last_min_voice": "last.wav", "user_data": "route-data"}
    values.update(overrides)
    return Route(**values)


def forwarded(**route) -> CallSession:
    s = new_session()
    s.forward(a_route(**route), T1)
    return s


def ringing() -> CallSession:
    s = forwarded()
    s.ringing(T2)
    return s


def answered() -> CallSession:
    s = ringing()
    s.answer(T3)
    return s


def released() -> CallSession:
    s = answered()
    s.end(T4, Cause.NORMAL, Party.CALLEE)
    return s


# --- the happy path ---------------------------------------------------------------------------------------------

def test_a_new_call_is_incoming_with_an_abnormal_direction() -> None:
    s = new_session()
    assert (s.state, s.direction, s.is_released, s.cause, s.q850, s.sip_status) == ("incoming", 2, False, None, 0, 0)


def test_arrival_is_one_callin_at_the_start() -> None:
    assert new_session().arrive() == [CallEvent(EventKind.CALLIN, NOW)]
    assert EventKind.CALLIN == "callin"


def test_collect_records_the_digits_and_is_one_collect_info() -> None:
    s = new_session(Mode.AXE)
    assert s.collect("1234", T1) == [CallEvent(EventKind("collectInfo"), T1)]
    assert (s.state, s.digits) == ("routing", "1234")


def test_collect_without_digits_still_reports_collect_info() -> None:
    s = new_session(Mode.AXE)
    assert s.collect(None, T1) == [CallEvent(EventKind("collectInfo"), T1)]
    assert (s.state, s.digits) == ("routing", None)


def test_forward_takes_the_route_and_is_one_callout() -> None:
    s = new_session()
    assert s.forward(a_route(), T1) == [CallEvent(EventKind("callout"), T1)]
    assert (s.state, s.callee, s.display, s.direction, s.record, s.max_duration_min, s.last_min_voice,
            s.binding_id, s.user_data, s.forwarded_at_ms) == (
        "outgoing", B, X, 1, True, 30, "last.wav", "sub-1", "route-data", T1)


def test_forward_after_collect() -> None:
    s = new_session(Mode.AXE)
    s.collect("1234", T1)
    assert s.forward(a_route(direction=0), T2) == [CallEvent(EventKind("callout"), T2)]
    assert (s.state, s.direction, s.digits) == ("outgoing", 0, "1234")


def test_forward_keeps_what_bind_to_set_when_the_route_has_none() -> None:
    s = new_session()
    s.bind_to("sub-9", "callin-data")
    s.forward(a_route(binding=None, user_data=None), T1)
    assert (s.binding_id, s.user_data) == ("sub-9", "callin-data")


def test_bind_to_without_user_data_keeps_the_previous() -> None:
    s = new_session()
    s.bind_to("sub-1", "first")
    s.bind_to("sub-2", None)
    assert (s.binding_id, s.user_data) == ("sub-2", "first")


def test_ringing_is_one_alerting() -> None:
    s = forwarded()
    assert s.ringing(T2) == [CallEvent(EventKind("alerting"), T2)]
    assert (s.state, s.alerting_at_ms) == ("alerting", T2)


def test_answer_after_ringing_is_one_answer() -> None:
    s = ringing()
    assert s.answer(T3) == [CallEvent(EventKind("answer"), T3)]
    assert (s.state, s.answered_at_ms) == ("answered", T3)


def test_answer_without_ringing_is_one_answer() -> None:
    s = forwarded()
    assert s.answer(T2) == [CallEvent(EventKind("answer"), T2)]
    assert (s.state, s.alerting_at_ms, s.answered_at_ms) == ("answered", None, T2)


def test_end_of_an_answered_call() -> None:
    s = answered()
    assert s.end(T4, Cause.NORMAL, Party.CALLER) == [CallEvent(EventKind("disconnect"), T4)]
    assert (s.state, s.is_released, s.cause, s.released_by, s.ended_at_ms, s.failed_at_ms, s.sip_status) == (
        "released", True, 0, "caller", T4, None, 0)


def test_end_of_an_unanswered_call_sets_the_fail_time() -> None:
    s = ringing()
    assert s.end(T3, Cause.CALLER_HUNG_UP_AFTER_RING, Party.CALLER) == [CallEvent(EventKind("disconnect"), T3)]
    assert (s.cause, s.released_by, s.ended_at_ms, s.failed_at_ms) == (7502, "caller", T3, T3)


def test_a_refused_call_ends_without_callout() -> None:
    s = new_session()
    events = s.arrive() + s.end(T1, Cause(8014), Party.PLATFORM)
    assert [e.kind for e in events] == ["callin", "disconnect"]
    assert (s.direction, s.callee, s.forwarded_at_ms, s.failed_at_ms, s.released_by) == (2, None, None, T1, "platform")


def test_the_whole_life_emits_each_event_once_in_order() -> None:
    s = new_session(Mode.AXE)
    events = (s.arrive() + s.collect("7", T1) + s.forward(a_route(), T2) + s.ringing(T3) + s.answer(T4)
              + s.end(T5, Cause.NORMAL, Party.CALLEE))
    assert [(e.kind, e.at_ms) for e in events] == [
        ("callin", NOW), ("collectInfo", T1), ("callout", T2), ("alerting", T3), ("answer", T4), ("disconnect", T5)]


# --- Q.850 (fwdUnaswRsn) defaults --------------------------------------------------------------------------------

def test_q850_of_an_answered_call_defaults_to_normal_clearing() -> None:
    s = answered()
    s.end(T4, Cause.NORMAL, Party.CALLEE)
    assert s.q850 == 16  # Q.850 16 normal clearing (huawei-wire §6.4); the CDR sends 0 for answered calls


@pytest.mark.parametrize("make", [new_session, forwarded, ringing])
def test_q850_of_an_unanswered_call_defaults_to_zero(make) -> None:
    s = make()
    s.end(T4, Cause.CALLER_HUNG_UP_BEFORE_RING, Party.CALLER)
    assert s.q850 == 0  # cdr.md: 0 when the call failed before/without a SIP failure


def test_explicit_q850_and_sip_status_are_kept() -> None:
    s = forwarded()
    s.end(T2, Cause(8102), Party.CALLEE, q850=17, sip_status=486)
    assert (s.cause, s.q850, s.sip_status, s.released_by) == (8102, 17, 486, "callee")


def test_connect_timeout_keeps_its_q850_19() -> None:
    s = ringing()
    s.end(T3, Cause(8035), Party.PLATFORM, q850=19)
    assert (s.cause, s.q850, s.failed_at_ms) == (8035, 19, T3)


# --- late and duplicate signals ------------------------------------------------------------------------------------

def test_a_second_release_is_ignored_and_the_first_wins() -> None:
    s = released()
    assert s.end(T5, Cause.MAX_DURATION_REACHED, Party.PLATFORM, q850=31, sip_status=500) == []
    assert (s.cause, s.released_by, s.ended_at_ms, s.q850, s.sip_status) == (0, "callee", T4, 16, 0)


@pytest.mark.parametrize("signal", [
    lambda s: s.ringing(T5), lambda s: s.answer(T5), lambda s: s.collect("1", T5), lambda s: s.forward(a_route(), T5)])
def test_signals_after_release_produce_nothing(signal) -> None:
    s = released()
    before = s.to_dict()
    assert signal(s) == []
    assert s.to_dict() == before


def test_a_refused_call_ignores_a_late_180() -> None:
    s = new_session()
    s.end(T1, Cause(8014), Party.PLATFORM)
    assert s.ringing(T2) == []
    assert (s.state, s.alerting_at_ms) == ("released", None)


def test_duplicate_180_is_ignored() -> None:
    s = ringing()
    assert s.ringing(T3) == []
    assert s.alerting_at_ms == T2


def test_duplicate_200_is_ignored() -> None:
    s = answered()
    assert s.answer(T4) == []
    assert s.answered_at_ms == T3


def test_180_after_answer_is_ignored() -> None:
    s = answered()
    assert s.ringing(T4) == []
    assert s.state == "answered"


def test_a_second_forward_is_ignored() -> None:
    s = forwarded()
    assert s.forward(a_route(callee="+8613700000009"), T2) == []
    assert (s.callee, s.forwarded_at_ms) == (B, T1)


def test_180_or_200_before_the_forward_is_ignored() -> None:
    s = new_session()
    assert s.ringing(T1) == []
    assert s.answer(T1) == []
    assert s.state == "incoming"


def test_digits_after_the_forward_are_ignored() -> None:
    s = forwarded()
    assert s.collect("9", T2) == []
    assert s.digits is None


def test_duplicate_digits_are_ignored() -> None:
    s = new_session(Mode.AXE)
    s.collect("1234", T1)
    assert s.collect("1234", T2) == []


# --- what a caller hang-up means --------------------------------------------------------------------------------

@pytest.mark.parametrize(("make", "code"), [
    (new_session, 7516), (forwarded, 7501), (ringing, 7502), (answered, 0)])
def test_caller_hang_up_cause_by_state(make, code) -> None:
    assert make().caller_hung_up_cause() == code


def test_caller_hang_up_while_keying_the_extension_is_7516() -> None:
    s = new_session(Mode.AXE)
    s.collect(None, T1)
    assert s.caller_hung_up_cause() == 7516


# --- talk time ----------------------------------------------------------------------------------------------------

def test_talk_seconds_count_whole_seconds_from_answer_to_end() -> None:
    s = answered()  # answered at T3
    s.end(T3 + 65_999, Cause.NORMAL, Party.CALLER)
    assert s.talk_seconds() == 65


@pytest.mark.parametrize("answered_ms, ended_ms, seconds", [
    (5_900, 65_100, 60),  # the CDR shows :05 → 1:05; the milliseconds inside privnum (59.2 s) do not count
    (5_100, 65_900, 60),  # 60.8 s: still 60, not 61
    (5_999, 7_001, 2),  # 1.002 s across two second boundaries: the CDR shows :05 → :07
    (5_000, 5_999, 0),  # answered and ended within one second
])
def test_talk_seconds_are_the_cdr_visible_seconds(answered_ms: int, ended_ms: int, seconds: int) -> None:
    s = answered()
    s.answered_at_ms, s.ended_at_ms = answered_ms, ended_ms
    assert s.talk_seconds() == seconds


@pytest.mark.parametrize("make", [new_session, forwarded, ringing])
def test_unanswered_call_talked_zero_seconds(make) -> None:
    s = make()
    s.end(T5, Cause.CALLER_HUNG_UP_BEFORE_RING, Party.CALLER)
    assert s.talk_seconds() == 0


def test_a_call_still_up_has_no_talk_time_yet() -> None:
    assert answered().talk_seconds() == 0


# --- persistence --------------------------------------------------------------------------------------------------

def test_round_trip_through_json_of_a_released_call() -> None:
    s = released()
    s.recording = Recording(object_name="rec/1.wav", bucket="calls", domain="rec.example.com", started_at_ms=T3)
    s.record_hint_tone = "rec.wav"
    s.area_code = "0755"
    back = CallSession.from_dict(json.loads(json.dumps(s.to_dict())))
    assert back == s
    assert (type(back.mode), type(back.state), type(back.cause), type(back.released_by), type(back.recording)) == (
        Mode, CallState, Cause, Party, Recording)


def test_round_trip_of_a_call_in_progress() -> None:
    s = new_session(Mode.AXE)
    s.collect("12", T1)
    back = CallSession.from_dict(json.loads(json.dumps(s.to_dict())))
    assert back == s
    assert (back.state, back.cause, back.released_by, back.recording) == ("routing", None, None, None)


def test_a_restored_call_keeps_refusing_late_signals() -> None:
    back = CallSession.from_dict(json.loads(json.dumps(released().to_dict())))
    assert back.end(T5, Cause(8040), Party.PLATFORM) == []
    assert back.cause == 0


def test_rows_saved_before_the_typed_fields_still_load() -> None:
    """Sessions saved by the first engine kept these three values in an ``extras`` dict."""
    s = released()
    data = json.loads(json.dumps(s.to_dict()))
    for key in ("area_code", "record_hint_tone", "recording_started_at_ms"):
        data.pop(key)
    data["extras"] = {"area_code": "0755", "record_hint_tone": "hint.wav", "record_started_at_ms": T3}
    back = CallSession.from_dict(data)
    assert (back.area_code, back.record_hint_tone, back.recording_started_at_ms) == ("0755", "hint.wav", T3)
