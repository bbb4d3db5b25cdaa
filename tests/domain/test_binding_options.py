"""Binding options: typed values, the stored JSON form (only what is set), changes applied by name."""

from __future__ import annotations

import json

import pytest

from privnum.domain.binding_options import BindingOptions, CallDirection, PreVoice, TemporaryCallee


def test_nothing_set_stores_nothing_and_keeps_the_defaults() -> None:
    o = BindingOptions()
    assert o.to_dict() == {}
    assert (o.direction, o.wants_recording, o.pre_voice_tone("caller_hint_tone")) == (CallDirection.BOTH_WAYS,
                                                                                       False, None)


def test_the_stored_form_round_trips_through_json() -> None:
    stored = {"call_direction": 1, "record": True, "max_duration": 30, "pre_voice": {"caller_hint_tone": "a.wav"},
              "temporary_callee": {"number": "+8613900000009", "expires_at_ms": 5, "user_data": "u"},
              "duration": 0, "user_data": "order-1"}
    o = BindingOptions.from_dict(json.loads(json.dumps(stored)))
    assert o.call_direction is CallDirection.ONLY_A_CALLS
    assert o.pre_voice == PreVoice(caller_hint_tone="a.wav")
    assert o.temporary_callee == TemporaryCallee("+8613900000009", 5, "u")
    assert json.loads(json.dumps(o.to_dict())) == stored


def test_changes_replace_what_they_name_and_none_clears() -> None:
    o = BindingOptions.from_dict({"record": True, "callback_num": "+8613900000001", "pre_voice":
                                  {"caller_hint_tone": "a.wav", "callee_hint_tone": "b.wav"}})
    changed = o.merged({"callback_num": None, "callback_tone": "t.wav", "pre_voice": {"callee_hint_tone": "c.wav"}})
    assert changed.to_dict() == {"record": True, "callback_tone": "t.wav", "pre_voice": {"callee_hint_tone": "c.wav"}}
    assert o.callback_num == "+8613900000001"  # the original is unchanged


def test_unknown_names_are_refused() -> None:
    with pytest.raises(ValueError, match="not binding options: colour"):
        BindingOptions.from_dict({"colour": "red"})
    with pytest.raises(ValueError, match="last_caller"):
        BindingOptions().merged({"last_caller": {"number": "+86139", "at_ms": 1}})
