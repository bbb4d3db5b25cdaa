"""Hang-up causes (calls.md "Disconnect causes privnum produces", "Forwarded-leg failure"; huawei-wire §6.2)."""

from __future__ import annotations

import pytest

from privnum.domain.calls.causes import (
    DESCRIPTIONS,
    Q850_NO_ANSWER,
    Q850_NORMAL_CLEARING,
    Cause,
    ForwardFailure,
    description,
    forward_failure,
)

# calls.md, "Forwarded-leg failure (SIP final response → cause)": SIP → (stateCode, Q.850)
SIP_TABLE = [
    (403, 7504, 21), (404, 8100, 1), (408, 8101, 18), (410, 8100, 22), (480, 8104, 20), (484, 8100, 28),
    (486, 8102, 17), (600, 8102, 17), (500, 8103, 41), (502, 8103, 27), (503, 8103, 34), (603, 7503, 21),
    (604, 8100, 1),
]


@pytest.mark.parametrize(("sip", "state_code", "q850"), SIP_TABLE)
def test_sip_failure_maps_per_the_table(sip, state_code, q850) -> None:
    assert forward_failure(sip) == ForwardFailure(Cause(state_code), q850, sip)


@pytest.mark.parametrize("sip", [400, 401, 405, 481, 487, 488, 501, 504, 580, 606, 699])
def test_any_other_sip_failure_is_8103_q850_31(sip) -> None:
    assert forward_failure(sip) == ForwardFailure(Cause(8103), 31, sip)


def test_sip_failure_cause_is_the_state_code_integer() -> None:
    failure = forward_failure(486)
    assert (int(failure.cause), failure.q850, failure.sip_status) == (8102, 17, 486)


def test_q850_constants() -> None:
    assert Q850_NORMAL_CLEARING == 16  # Q.850 16 normal clearing (huawei-wire §6.4)
    assert Q850_NO_ANSWER == 19  # calls.md: connect timeout → 8035, Q.850 19


# calls.md, causes privnum produces, with the names the code gives them
PRODUCED = {
    "NORMAL": 0, "CALLER_HUNG_UP_BEFORE_RING": 7501, "CALLER_HUNG_UP_AFTER_RING": 7502,
    "CALLER_HUNG_UP_BEFORE_TRANSFER": 7516, "USER_FROZEN": 7108, "MAX_DURATION_REACHED": 8010,
    "INVALID_AX_CALL": 8013, "NO_BINDING": 8014, "DIRECTION_NOT_ALLOWED": 8016, "CUSTOMER_HUNG_UP": 8017,
    "NO_PERMISSION": 8018, "NO_CALLBACK_RECORD": 8019, "EXTENSION_INVALID": 8022, "NUMBER_NOT_EXIST": 8025,
    "AXYB_NO_BINDING": 8030, "Y_ALLOCATION_FAILED": 8031, "DIALLED_OWN_NUMBER": 8032, "EXTENSION_EMPTY": 8033,
    "CONNECT_TIMEOUT": 8035, "INTERNAL_ERROR": 8040, "NUMBER_UNAVAILABLE": 8055, "CALL_REFUSED": 7504,
    "CALLEE_REJECTED": 7503, "CALLEE_NOT_EXIST": 8100, "NO_ANSWER": 8101, "CALLEE_BUSY": 8102,
    "CALLEE_ABNORMAL": 8103, "CALLEE_UNREACHABLE": 8104, "VOICE_FILE_MISSING": 7507, "X_MODE_VOICE_MISSING": 8006,
}
# calls.md: "Defined but not produced by the current code"
DEFINED_NOT_PRODUCED = {"PORTS_EXHAUSTED": 522, "APP_MISSING": 7100, "INTERNAL_SERVICE_ERROR": 7102,
                        "CALLEE_NETWORK_ABNORMAL": 7506, "RECORDING_FAILED": 8015,
                        "CALLEE_SUSPENDED": 8105}


@pytest.mark.parametrize(("name", "code"), sorted({**PRODUCED, **DEFINED_NOT_PRODUCED}.items()))
def test_state_code_values(name, code) -> None:
    assert Cause[name] == code


def test_no_other_cause_is_defined() -> None:
    assert {c.name: int(c) for c in Cause} == {**PRODUCED, **DEFINED_NOT_PRODUCED}


def test_documented_descriptions_verbatim() -> None:
    """calls.md: `0` "The user releases the call.", `8014` "Invalid call: the binding does not exist."."""
    assert description(Cause(0)) == "The user releases the call."
    assert description(Cause(8014)) == "Invalid call: the binding does not exist."


# The meaning column of huawei-wire §6.2 (and calls.md), reduced to the words each English sentence must carry.
MEANING_WORDS = {
    522: ["voice ports", "exhausted"], 7100: ["app", "not exist"], 7102: ["internal"], 7108: ["frozen"],
    7501: ["caller", "before", "rang"], 7502: ["caller", "after", "rang"], 7503: ["callee", "rejected"],
    7504: ["refused"], 7506: ["callee", "network"], 7516: ["caller", "before", "transferred"],
    8006: ["x mode", "voice file"], 8010: ["maximum", "duration"], 8013: ["ax", "temporary callee"],
    8014: ["binding", "not exist"], 8015: ["recording", "failed"], 8016: ["direction", "not allowed"],
    8017: ["x mode", "customer", "hang up"], 8018: ["no service permission"], 8019: ["no callback record"],
    8022: ["extension", "not exist", "expired"], 8025: ["privacy number", "not exist"],
    8030: ["axyb", "binding", "not exist"], 8031: ["y number", "failed"], 8032: ["own privacy number"],
    8033: ["extension", "empty"], 8035: ["connect", "timed out"], 8040: ["internal error"],
    8055: ["privacy number", "unavailable"], 8100: ["callee", "not exist"], 8101: ["callee", "not answer"],
    8102: ["callee", "busy"], 8103: ["callee", "abnormal"], 8104: ["callee", "powered off", "unreachable"],
    8105: ["callee", "suspended"],
}


@pytest.mark.parametrize(("code", "words"), sorted(MEANING_WORDS.items()))
def test_each_description_says_what_the_cause_means(code, words) -> None:
    text = description(Cause(code))
    assert text.endswith(".")
    for word in words:
        assert word in text.lower()


def test_every_cause_has_its_own_sentence() -> None:
    assert set(DESCRIPTIONS) == set(Cause)
    assert len(set(DESCRIPTIONS.values())) == len(Cause)
