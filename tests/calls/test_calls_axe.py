"""AXE calls end to end: X + extension reaches A; A → X calls back (docs/contract/calls.md#axe)."""

from __future__ import annotations

from typing import Any

import pytest
from test_calls_axb import FULL, QUICK, Expect, Pool, check_call, prompts

from call_lab import CallLab
from servers import new_users

EXTENSION_CALL = ["callin", "collectInfo", "callout", "alerting", "answer", "disconnect"]
EXTENSION_REFUSED = ["callin", "collectInfo", "disconnect"]
REFUSED = ["callin", "disconnect"]


@pytest.fixture(scope="module")
def axe(lab: CallLab) -> Pool:
    return Pool(lab.app("AXE", 8, "0755", "--extension-length", "2"))


@pytest.fixture(scope="module")
def axe4(lab: CallLab) -> Pool:
    return Pool(lab.app("AXE", 1))  # the default extension length, 4


def bind(pool: Pool, x: str | None = None, **extra: Any) -> tuple[str, str, str, str]:
    """A fresh A on X with an extension; (a, x, extension, subscriptionId)."""
    (a,) = new_users(1)
    x = x or pool.take()
    r = pool.app.client.axe_bind(bindNum=a, virtualNum=x, **extra)
    assert r.ok, r
    return a, x, r.body["extendNum"], r.body["subscriptionId"]


def expect_extension_call(caller: str, x: str, a: str, ext: str, sub: str, **extra: Any) -> Expect:
    return Expect(caller, x, 0, EXTENSION_CALL, sub, callee=a, display=x, direction=0, digits=ext,
                  sub_in_callin=False, user_data_in_callin=False, **extra)


def test_extension_reaches_a(lab: CallLab, axe: Pool, axe4: Pool) -> None:
    x = axe.take()
    a1, _, e1, sub1 = bind(axe, x, extendNum="07", userData="axe-ud")
    a2, _, e2, sub2 = bind(axe, x, displayNumMode="1")
    a4, x4, e4, sub4 = bind(axe4, extendNum="4321")
    assert (e1, len(e2), e4) == ("07", 2, "4321")
    c1, c2, c4 = new_users(3)
    first = lab.call(c1, x, e1, **QUICK)
    second = lab.call(c2, x, e2, **QUICK, hang_up_by="callee")
    four = lab.call(c4, x4, "4321", **QUICK)
    check_call(lab, axe.app, first, expect_extension_call(c1, x, a1, e1, sub1, user_data="axe-ud"))
    second_expect = expect_extension_call(c2, x, a2, e2, sub2)
    second_expect.display = c2  # displayNumMode "1": A sees the real caller
    check_call(lab, axe.app, second, second_expect)
    check_call(lab, axe4.app, four, expect_extension_call(c4, x4, a4, "4321", sub4))


def test_wrong_and_empty_extension(lab: CallLab, axe: Pool) -> None:
    _, x, _, _ = bind(axe, extendNum="11")
    c1, c2 = new_users(2)
    wrong = lab.call(c1, x, "12")
    empty = lab.call(c2, x)
    check_call(lab, axe.app, wrong, Expect(c1, x, 8022, EXTENSION_REFUSED, "", digits="12", sub_in_callin=False))
    check_call(lab, axe.app, empty, Expect(c2, x, 8033, EXTENSION_REFUSED, "", sub_in_callin=False))


def test_a_is_called_back_to_its_last_caller(lab: CallLab, axe: Pool) -> None:
    a, x, ext, sub = bind(axe, callbackNum=new_users(1)[0], userData="cb-ud")
    first_caller, last_caller = new_users(2)
    for caller in (first_caller, last_caller):  # sequential: the last one is remembered
        session = lab.call(caller, x, ext, **QUICK)
        check_call(lab, axe.app, session, expect_extension_call(caller, x, a, ext, sub, user_data="cb-ud"))
    back = lab.call(a, x, **QUICK)
    check_call(lab, axe.app, back, Expect(a, x, 0, FULL, sub, callee=last_caller, display=x, direction=1,
                                          user_data="cb-ud", sub_in_callin=False, user_data_in_callin=False))


def test_a_without_callback_record_goes_to_callback_num(lab: CallLab, axe: Pool) -> None:
    (fallback,) = new_users(1)
    a, x, _, sub = bind(axe, callbackNum=fallback)
    session = lab.call(a, x, **QUICK)
    check_call(lab, axe.app, session, Expect(a, x, 0, FULL, sub, callee=fallback, display=x, direction=1,
                                             sub_in_callin=False))


def test_a_without_callback_record_hears_the_callback_tone(lab: CallLab, axe: Pool) -> None:
    lab.voice(axe.app, "no-callback.wav")
    a, x, _, sub = bind(axe, callbackTone="no-callback.wav", userData="tone-ud")
    session = lab.call(a, x)
    check_call(lab, axe.app, session, Expect(a, x, 8019, REFUSED, sub, user_data="tone-ud", sub_in_callin=False,
                                             user_data_in_callin=False))
    assert {"prompt": "no-callback.wav", "to": "caller"} in prompts(lab, session)


def test_a_callback_tone_the_app_does_not_have_is_skipped_and_the_refusal_stands(lab: CallLab, axe: Pool) -> None:
    a, x, _, sub = bind(axe, callbackTone="never-uploaded.wav", userData="tone-ud2")
    session = lab.call(a, x)
    check_call(lab, axe.app, session, Expect(a, x, 8019, REFUSED, sub, user_data="tone-ud2", sub_in_callin=False,
                                             user_data_in_callin=False))
    assert prompts(lab, session) == []
