"""The one place the pure domain tests build ``App``, ``PrivateNumber``, ``Binding`` and ``CallFacts``.

Per-binding options are passed to :func:`binding` as keyword arguments under today's domain names
(``call_direction``, ``record``, ``pre_voice={"caller_hint_tone": ...}``, ``temporary_callee={...}``, ...).
They become the typed ``Binding.options`` (``last_caller`` becomes ``Binding.last_caller``, the AXE
callback memory). Unknown option names are refused here, so a typo cannot make a test pass by silently
setting nothing.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from typing import Any

from privnum.domain.apps import App, AppStatus
from privnum.domain.binding_options import BindingOptions, LastCaller
from privnum.domain.bindings import Binding
from privnum.domain.calls.routing import CallFacts
from privnum.domain.modes import Mode
from privnum.domain.private_numbers import NumberRole, NumberState, PrivateNumber

APP_ID = 7
OTHER_APP_ID = 8
NOW = 1_764_000_000_000  # a fixed "now" in ms; every test time is relative to it
SECOND = 1000
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE
DAY = 24 * HOUR

# Privacy numbers and real users (global format).
X = "+8675500000001"
X2 = "+8675500000002"
Y = "+8675500000101"
A = "+8613800000001"
A2 = "+8613800000002"
B = "+8613900000001"
B2 = "+8613900000002"
C = "+8613700000001"  # somebody bound to nothing
D = "+8613700000002"

# Every per-binding option the domain knows today, under its domain name (see huawei/option_names.py
# for the wire names, plus the values the use cases and the call engine store themselves).
OPTION_NAMES = frozenset({
    "call_direction", "record", "record_hint_tone", "max_duration", "last_min_voice", "private_sms",
    "pre_voice", "pre_voice_x", "pre_voice_y", "user_data", "callee_display", "turn", "display_num_mode",
    "callback_tone", "callback_num", "time_unit", "bind_expired_time", "callback_expired_time",
    "temporary_callee", "last_caller", "duration", "yb_duration", "area_code",
})

_ids = itertools.count(1)


def app(mode: Mode, *, app_id: int = APP_ID, recording: bool = False, suspended: bool = False,
        extension_length: int = 4) -> App:
    return App(id=app_id, enterprise_id=1, name=f"app-{app_id}", mode=mode, app_key=f"key-{app_id}",
               app_secret=f"secret-{app_id}", status=AppStatus.SUSPENDED if suspended else AppStatus.ACTIVE,
               recording_enabled=recording, extension_length=extension_length)


def private_number(number: str = X, *, app_id: int | None = APP_ID, state: NumberState = NumberState.AVAILABLE,
                   role: NumberRole | None = NumberRole.X, load: int = 1) -> PrivateNumber:
    return PrivateNumber(number=number, app_id=app_id, area_code="0755", province="guangdong", state=state,
                         load=load, role=role)


def binding(mode: Mode, number: str, a: str | None = None, b: str | None = None, *, extension: str | None = None,
            parent_id: str | None = None, binding_id: str | None = None, app_id: int = APP_ID,
            **options: Any) -> Binding:
    """A binding on privacy number ``number`` between real numbers ``a`` and ``b`` with these options."""
    unknown = set(options) - OPTION_NAMES
    if unknown:
        raise TypeError(f"unknown binding option(s): {sorted(unknown)}")
    last = options.pop("last_caller", None)
    return Binding(id=binding_id or f"bind-{next(_ids)}", app_id=app_id, mode=mode, number=number, party_a=a,
                   party_b=b, extension=extension, parent_id=parent_id, options=BindingOptions.from_dict(options),
                   last_caller=LastCaller(**last) if last else None, created_at_ms=NOW - DAY,
                   updated_at_ms=NOW - DAY)


def call(the_app: App | None, number: PrivateNumber | None, caller: str, *, called: str | None = None,
         digits: str | None = None, now_ms: int = NOW, bindings: Iterable[Binding] = (),
         related: Mapping[str, list[Binding]] | None = None, parents: Mapping[str, Binding] | None = None,
         digits_asked: bool = False) -> CallFacts:
    """The facts of ``caller`` dialling ``number`` (``called`` defaults to that number)."""
    if called is None:
        called = number.number if number is not None else X
    return CallFacts(caller=caller, called=called, digits=digits, now_ms=now_ms, app=the_app, number=number,
                     bindings=list(bindings), yb_relations_of_x=dict(related or {}),
                     x_relations_of_y=dict(parents or {}), digits_asked=digits_asked)
