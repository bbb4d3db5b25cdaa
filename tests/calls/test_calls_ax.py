"""AX calls end to end: anyone → X reaches A, A → X reaches the temporary callee (docs/contract/calls.md#ax)."""

from __future__ import annotations

import time
from typing import Any

import pytest
from test_calls_axb import FULL, QUICK, REFUSED, Expect, Pool, check_call

from call_lab import CallLab
from servers import new_users


@pytest.fixture(scope="module")
def ax(lab: CallLab) -> Pool:
    return Pool(lab.app("AX", 12))


def bind(pool: Pool, **extra: Any) -> tuple[str, str, str]:
    """A fresh A-X binding; (a, x, subscriptionId)."""
    (a,) = new_users(1)
    x = pool.take()
    r = pool.app.client.ax_bind(origNum=a, privateNum=x, **extra)
    assert r.ok, r
    return a, x, r.body["subscriptionId"]


def set_callee(pool: Pool, sub: str, callee: str, **extra: Any) -> None:
    r = pool.app.client.ax_set_callee(subscriptionId=sub, calleeNum=callee, **extra)
    assert r.ok, r


def test_anyone_reaches_a_showing_x(lab: CallLab, ax: Pool) -> None:
    a, x, sub = bind(ax, userData="ax-ud")
    c1, c2 = new_users(2)
    first = lab.call(c1, x, **QUICK)
    second = lab.call(c2, x, **QUICK, hang_up_by="callee")
    for caller, session in ((c1, first), (c2, second)):
        check_call(lab, ax.app, session, Expect(caller, x, 0, FULL, sub, callee=a, display=x, direction=0,
                                                user_data="ax-ud"))


def test_callee_num_display_shows_the_real_caller(lab: CallLab, ax: Pool) -> None:
    a, x, sub = bind(ax, calleeNumDisplay="1")
    (c,) = new_users(1)
    session = lab.call(c, x, **QUICK)
    check_call(lab, ax.app, session, Expect(c, x, 0, FULL, sub, callee=a, display=c, direction=0))


def test_a_reaches_the_temporary_callee(lab: CallLab, ax: Pool) -> None:
    a, x, sub = bind(ax, userData="binding-ud")
    a2, x2, sub2 = bind(ax)
    t, t2 = new_users(2)
    set_callee(ax, sub, t, duration=60, userData="temp-ud")
    set_callee(ax, sub2, t2)  # no userData of its own, none on the binding either
    with_ud = lab.call(a, x, **QUICK)
    without_ud = lab.call(a2, x2, **QUICK)
    check_call(lab, ax.app, with_ud, Expect(a, x, 0, FULL, sub, callee=t, display=x, direction=1,
                                            user_data="temp-ud"))
    check_call(lab, ax.app, without_ud, Expect(a2, x2, 0, FULL, sub2, callee=t2, display=x2, direction=1))


def test_a_without_temporary_callee_is_refused(lab: CallLab, ax: Pool) -> None:
    a, x, sub = bind(ax, userData="u-8013")
    session = lab.call(a, x)
    check_call(lab, ax.app, session, Expect(a, x, 8013, REFUSED, sub, user_data="u-8013"))


def test_temporary_callee_expires(lab: CallLab, ax: Pool) -> None:
    a, x, sub = bind(ax)
    (t,) = new_users(1)
    set_callee(ax, sub, t, duration=1)
    time.sleep(1.2)
    session = lab.call(a, x)
    check_call(lab, ax.app, session, Expect(a, x, 8013, REFUSED, sub))


def test_turn_flag_off_refuses_every_caller(lab: CallLab, ax: Pool) -> None:
    a, x, sub = bind(ax, turnFlag="off")
    (c, t) = new_users(2)
    set_callee(ax, sub, t)
    other = lab.call(c, x)
    own = lab.call(a, x)
    check_call(lab, ax.app, other, Expect(c, x, 8018, REFUSED, sub))
    check_call(lab, ax.app, own, Expect(a, x, 8018, REFUSED, sub))


def test_call_direction_only_a_refuses_others(lab: CallLab, ax: Pool) -> None:
    a, x, sub = bind(ax, callDirection=1, userData="dir1")
    c, t = new_users(2)
    set_callee(ax, sub, t)
    other = lab.call(c, x)
    own = lab.call(a, x, **QUICK)
    check_call(lab, ax.app, other, Expect(c, x, 8016, REFUSED, sub, user_data="dir1"))
    check_call(lab, ax.app, own, Expect(a, x, 0, FULL, sub, callee=t, display=x, direction=1, user_data="dir1"))


def test_call_direction_only_others_refuses_a(lab: CallLab, ax: Pool) -> None:
    a, x, sub = bind(ax, callDirection=2)
    c, t = new_users(2)
    set_callee(ax, sub, t)
    own = lab.call(a, x)
    other = lab.call(c, x, **QUICK)
    check_call(lab, ax.app, own, Expect(a, x, 8016, REFUSED, sub))
    check_call(lab, ax.app, other, Expect(c, x, 0, FULL, sub, callee=a, display=x, direction=0))


def test_unbound_x_is_refused(lab: CallLab, ax: Pool) -> None:
    x = ax.take()
    (c,) = new_users(1)
    session = lab.call(c, x)
    check_call(lab, ax.app, session, Expect(c, x, 8014, REFUSED, ""))
