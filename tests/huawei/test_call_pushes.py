"""Call event and CDR bodies built from a CallSession directly, field by field, against
docs/contract/events.md and docs/contract/cdr.md; and the merge of CDR pushes into one message."""

from __future__ import annotations

import json
import socket

from privnum.domain.apps import App
from privnum.domain.calls.causes import Cause
from privnum.domain.calls.cdr import Cdr
from privnum.domain.calls.routing import A_CALLED_OTHER, ABNORMAL, OTHER_CALLED_A
from privnum.domain.calls.session import CallEvent, CallSession, CallState, EventKind, Party, Recording
from privnum.domain.modes import Mode
from privnum.huawei import call_pushes
from privnum.huawei.call_pushes import HuaweiCallPushes, event_body, merge_cdr_bodies
from privnum.huawei.times import huawei_time

T0 = 1_737_702_170_000  # 2025-01-24 07:02:50 UTC
A, B, X = "+8613800000001", "+8613900000002", "+8613700000000"
SESSION_ID = "3_4242_9f3a1c2e_20250124070250@host1"
APP = App(id=7, enterprise_id=42, name="shop", mode=Mode.AXB, app_key="key-1", app_secret="secret-1",
          enterprise_name="acme")


def cdr(s: CallSession, app: App) -> dict:
    """The feeLst element of a released session, made the way the call core makes it (record first)."""
    return call_pushes.cdr(Cdr.from_session(s), app)


def cdr_body(s: CallSession, app: App) -> dict:
    return call_pushes.cdr_body(Cdr.from_session(s), app)


def session(mode: Mode = Mode.AXB, **fields: object) -> CallSession:
    fields.setdefault("id", SESSION_ID)
    return CallSession(app_id=7, mode=mode, caller=A, called=X, started_at_ms=T0, **fields)  # type: ignore[arg-type]


def answered_axb() -> CallSession:
    """A → X → B, rang after 1 s, answered after 5 s, the caller hung up after 38 s."""
    return session(binding_id="sub-1", user_data="order-17", callee=B, display=X, direction=A_CALLED_OTHER,
                   forwarded_at_ms=T0 + 200, alerting_at_ms=T0 + 1_000, answered_at_ms=T0 + 5_000,
                   ended_at_ms=T0 + 38_700, cause=Cause.NORMAL, q850=16, released_by=Party.CALLER,
                   state=CallState.RELEASED)


def info(s: CallSession, kind: EventKind, at_ms: int) -> dict[str, object]:
    body = event_body(s, CallEvent(kind, at_ms))
    assert body["eventType"] == kind.value
    return body["statusInfo"]


def test_huawei_time_is_utc_seconds() -> None:
    assert huawei_time(T0) == "2025-01-24 07:02:50"
    assert huawei_time(T0 + 999) == "2025-01-24 07:02:50"  # milliseconds are cut, not rounded
    assert huawei_time(0) == "1970-01-01 00:00:00"


# -- call events ---------------------------------------------------------------------------------

def test_callin_carries_the_dialled_number_binding_and_user_data() -> None:
    s = answered_axb()
    assert info(s, EventKind.CALLIN, T0) == {
        "timestamp": "2025-01-24 07:02:50", "sessionId": SESSION_ID, "caller": A, "called": X,
        "subscriptionId": "sub-1", "userData": "order-17"}


def test_events_after_forwarding_carry_the_real_callee_and_no_user_data() -> None:
    s = answered_axb()
    expected = {"sessionId": SESSION_ID, "caller": A, "called": B, "subscriptionId": "sub-1"}
    assert info(s, EventKind.CALLOUT, T0 + 200) == {**expected, "timestamp": "2025-01-24 07:02:50"}
    assert info(s, EventKind.ALERTING, T0 + 1_000) == {**expected, "timestamp": "2025-01-24 07:02:51"}
    assert info(s, EventKind.ANSWER, T0 + 5_000) == {**expected, "timestamp": "2025-01-24 07:02:55"}


def test_disconnect_has_state_code_and_description_but_no_release_direction_outside_x_mode() -> None:
    s = answered_axb()
    assert info(s, EventKind.DISCONNECT, T0 + 38_700) == {
        "timestamp": "2025-01-24 07:03:28", "sessionId": SESSION_ID, "caller": A, "called": B,
        "subscriptionId": "sub-1", "stateCode": 0, "stateDesc": "The user releases the call."}


def test_refused_call_disconnect_keeps_the_dialled_number_and_an_empty_subscription() -> None:
    s = session(cause=Cause.NO_BINDING, released_by=Party.PLATFORM, ended_at_ms=T0 + 100)
    assert info(s, EventKind.DISCONNECT, T0 + 100) == {
        "timestamp": "2025-01-24 07:02:50", "sessionId": SESSION_ID, "caller": A, "called": X,
        "subscriptionId": "", "stateCode": int(Cause.NO_BINDING),
        "stateDesc": "Invalid call: the binding does not exist."}
    assert int(Cause.NO_BINDING) == 8014


def test_disconnect_without_a_cause_reads_as_normal() -> None:
    s = session(binding_id="sub-1")
    assert info(s, EventKind.DISCONNECT, T0)["stateCode"] == 0


def test_collect_info_carries_only_time_session_and_digits() -> None:
    s = session(Mode.AXE, digits="0712", binding_id="sub-9")
    assert info(s, EventKind.COLLECT_INFO, T0 + 3_000) == {
        "timestamp": "2025-01-24 07:02:53", "sessionId": SESSION_ID, "digitInfo": "0712"}
    assert info(session(Mode.AXE), EventKind.COLLECT_INFO, T0)["digitInfo"] == ""


def test_axe_callin_has_no_subscription_but_later_events_do() -> None:
    s = session(Mode.AXE, digits="0712", binding_id="sub-9", user_data="axe-ud", callee=B, display=X,
                forwarded_at_ms=T0 + 4_000)
    assert info(s, EventKind.CALLIN, T0) == {
        "timestamp": "2025-01-24 07:02:50", "sessionId": SESSION_ID, "caller": A, "called": X,
        "userData": "axe-ud"}
    assert info(s, EventKind.CALLOUT, T0 + 4_000) == {
        "timestamp": "2025-01-24 07:02:54", "sessionId": SESSION_ID, "caller": A, "called": B,
        "subscriptionId": "sub-9"}


def test_x_mode_callin_is_the_block_request() -> None:
    assert info(session(Mode.X), EventKind.CALLIN, T0) == {
        "timestamp": "2025-01-24 07:02:50", "sessionId": SESSION_ID, "caller": A, "called": X,
        "notifyMode": "Block"}


def test_x_mode_events_carry_user_data_and_no_subscription() -> None:
    s = session(Mode.X, user_data="order-17", callee=B, display=X, direction=OTHER_CALLED_A,
                forwarded_at_ms=T0 + 300)
    assert info(s, EventKind.CALLOUT, T0 + 300) == {
        "timestamp": "2025-01-24 07:02:50", "sessionId": SESSION_ID, "caller": A, "called": B,
        "userData": "order-17"}


def test_x_mode_disconnect_says_who_hung_up() -> None:
    by_caller = session(Mode.X, callee=B, cause=Cause.NORMAL, released_by=Party.CALLER)
    by_callee = session(Mode.X, callee=B, cause=Cause.NORMAL, released_by=Party.CALLEE)
    by_platform = session(Mode.X, callee=B, cause=Cause.MAX_DURATION_REACHED, released_by=Party.PLATFORM)
    assert info(by_caller, EventKind.DISCONNECT, T0)["callRelDirection"] == 1
    assert info(by_callee, EventKind.DISCONNECT, T0)["callRelDirection"] == 2
    ended = info(by_platform, EventKind.DISCONNECT, T0)
    assert "callRelDirection" not in ended
    assert ended["stateCode"] == 8010 and ended["stateDesc"] == "The maximum call duration is reached."


# -- CDRs ----------------------------------------------------------------------------------------

def test_cdr_of_an_answered_call_has_every_field() -> None:
    assert cdr_body(answered_axb(), APP) == {"eventType": "fee", "feeLst": [{
        "direction": 1, "spId": "acme", "appKey": "key-1", "icid": "3_4242_9f3a1c2e_20250124070250",
        "bindNum": X, "sessionId": SESSION_ID, "subscriptionId": "sub-1", "callerNum": A, "calleeNum": X,
        "fwdDisplayNum": X, "fwdDstNum": B, "callInTime": "2025-01-24 07:02:50",
        "fwdStartTime": "2025-01-24 07:02:50", "fwdAlertingTime": "2025-01-24 07:02:51",
        "fwdAnswerTime": "2025-01-24 07:02:55", "callEndTime": "2025-01-24 07:03:28", "fwdUnaswRsn": 0,
        "ulFailReason": 0, "sipStatusCode": 0, "recordFlag": 0, "serviceType": "003",
        "hostName": socket.gethostname(), "userData": "order-17"}]}


def test_cdr_of_a_call_refused_before_forwarding_omits_the_unknown_fields() -> None:
    s = session(direction=ABNORMAL, ended_at_ms=T0 + 2_000, failed_at_ms=T0 + 2_000, cause=Cause.NO_BINDING,
                released_by=Party.PLATFORM)
    record = cdr(s, APP)
    assert record == {
        "direction": 2, "spId": "acme", "appKey": "key-1", "icid": "3_4242_9f3a1c2e_20250124070250",
        "bindNum": X, "sessionId": SESSION_ID, "subscriptionId": "", "callerNum": A, "calleeNum": X,
        "callInTime": "2025-01-24 07:02:50", "callEndTime": "2025-01-24 07:02:52", "fwdUnaswRsn": 0,
        "failTime": "2025-01-24 07:02:52", "ulFailReason": 8014, "sipStatusCode": 0, "recordFlag": 0,
        "serviceType": "003", "hostName": socket.gethostname()}
    assert None not in record.values()


def test_cdr_of_a_failed_forward_carries_q850_and_sip_status() -> None:
    s = session(binding_id="sub-1", callee=B, display=X, direction=A_CALLED_OTHER, forwarded_at_ms=T0 + 100,
                ended_at_ms=T0 + 4_000, failed_at_ms=T0 + 4_000, cause=Cause.CALLEE_BUSY, q850=17, sip_status=486)
    record = cdr(s, APP)
    assert (record["fwdUnaswRsn"], record["sipStatusCode"], record["ulFailReason"]) == (17, 486, 8102)
    assert record["failTime"] == "2025-01-24 07:02:54" and "fwdAnswerTime" not in record
    assert record["fwdDstNum"] == B and record["fwdStartTime"] == "2025-01-24 07:02:50"


def test_cdr_enterprise_id_stands_in_for_a_missing_enterprise_name_and_icid_is_the_session_id_before_the_host() -> None:
    app = App(id=7, enterprise_id=42, name="shop", mode=Mode.AXB, app_key="key-1", app_secret="secret-1")
    s = session(id="9_77_ab12cd34_20250124070250@edge-3")
    record = cdr(s, app)
    assert record["spId"] == "42" and record["icid"] == "9_77_ab12cd34_20250124070250"


def test_cdr_of_a_recorded_call_has_the_recording_fields() -> None:
    s = answered_axb()
    s.recording = Recording(object_name="rec-1.wav", bucket="privnum-recordings", domain="privnum.example:8443",
                            started_at_ms=T0 + 5_000)
    record = cdr(s, APP)
    assert {k: record[k] for k in ("recordFlag", "recordStartTime", "recordObjectName", "recordBucketName",
                                   "recordDomain")} == {
        "recordFlag": 1, "recordStartTime": "2025-01-24 07:02:55", "recordObjectName": "rec-1.wav",
        "recordBucketName": "privnum-recordings", "recordDomain": "privnum.example:8443"}


def test_axe_cdr_has_the_extension_when_digits_were_keyed() -> None:
    keyed = cdr(session(Mode.AXE, digits="0712", binding_id="sub-9"), APP)
    assert keyed["extendNum"] == "0712"
    assert "extendNum" not in cdr(session(Mode.AXE), APP)
    assert "extendNum" not in cdr(session(Mode.AXB, digits="0712"), APP)  # only AXE


def test_x_mode_cdr_has_block_area_duration_and_release_direction() -> None:
    s = session(Mode.X, user_data="order-17", callee=B, display=X, direction=OTHER_CALLED_A,
                forwarded_at_ms=T0 + 300, answered_at_ms=T0 + 5_000, ended_at_ms=T0 + 66_999,
                cause=Cause.NORMAL, q850=16, released_by=Party.CALLEE, area_code="0755")
    record = cdr(s, APP)
    assert {k: record[k] for k in ("notifyMode", "areaCode", "callDuration", "callRelDirection",
                                   "subscriptionId", "direction", "userData")} == {
        "notifyMode": "Block", "areaCode": "0755", "callDuration": 61, "callRelDirection": 2,
        "subscriptionId": "", "direction": 0, "userData": "order-17"}
    closed = cdr(session(Mode.X, cause=Cause.CUSTOMER_HUNG_UP, released_by=Party.PLATFORM, ended_at_ms=T0), APP)
    assert closed["callDuration"] == 0 and closed["ulFailReason"] == 8017
    assert "callRelDirection" not in closed and "areaCode" not in closed
    assert "notifyMode" not in cdr(answered_axb(), APP) and "callDuration" not in cdr(answered_axb(), APP)


def test_the_engine_formatter_gives_the_same_bodies() -> None:
    s, pushes = answered_axb(), HuaweiCallPushes()
    event = CallEvent(EventKind.ANSWER, T0 + 5_000)
    assert pushes.event_body(s, event) == event_body(s, event)
    assert pushes.cdr_body(Cdr.from_session(s), APP) == cdr_body(s, APP)
    assert pushes.cdr_body(Cdr.from_session(s), APP)["feeLst"][0]["fwdAnswerTime"] == "2025-01-24 07:02:55"


# -- CDR batches ---------------------------------------------------------------------------------

def test_merged_cdrs_keep_their_order_in_one_compact_fee_message() -> None:
    bodies = [json.dumps({"eventType": "fee", "feeLst": [{"icid": "1"}]}),
              json.dumps({"eventType": "fee", "feeLst": [{"icid": "2"}, {"icid": "3"}]}),
              json.dumps({"eventType": "fee", "feeLst": [{"icid": "4", "userData": "订单"}]})]
    merged = merge_cdr_bodies(bodies)
    assert merged == ('{"eventType":"fee","feeLst":[{"icid":"1"},{"icid":"2"},{"icid":"3"},'
                      '{"icid":"4","userData":"订单"}]}')


def test_merging_skips_bodies_without_cdrs() -> None:
    merged = merge_cdr_bodies(['{"eventType":"fee"}', '{"eventType":"fee","feeLst":null}',
                               '{"eventType":"fee","feeLst":[{"icid":"9"}]}'])
    assert json.loads(merged) == {"eventType": "fee", "feeLst": [{"icid": "9"}]}
    assert merge_cdr_bodies([]) == '{"eventType":"fee","feeLst":[]}'
