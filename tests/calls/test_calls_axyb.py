"""AXYB calls end to end: B → X reaches A showing B's Y, A → Y reaches B showing X
(docs/contract/calls.md#axyb)."""

from __future__ import annotations

from typing import Any

import pytest
from test_calls_axb import FULL, QUICK, REFUSED, Expect, Pool, check_call, finished

from call_lab import CallLab
from servers import new_users

AREA = "0755"


@pytest.fixture(scope="module")
def axyb(lab: CallLab) -> Pool:
    return Pool(lab.app("AXYB", 10, AREA))


def ax(pool: Pool, a: str, **extra: Any) -> tuple[str, str]:
    """The AX step; (subscriptionId, X)."""
    r = pool.app.client.axyb_bind(origNum=a, areaCode=AREA, **extra)
    assert r.ok, r
    return r.body["subscriptionId"], r.body["relationNumber"]


def yb(pool: Pool, sub: str, b: str) -> str:
    """The YB step; Y."""
    r = pool.app.client.axyb_bind(subscriptionId=sub, origNum=b)
    assert r.ok, r
    return r.body["relationNumber"]


def relations(pool: Pool, sub: str) -> list[dict[str, Any]]:
    r = pool.app.client.axyb_query(subscriptionId=sub)
    assert r.ok, r
    return r.body["xyRelationNumList"]


def test_b_reaches_a_showing_y_and_a_reaches_b_showing_x(lab: CallLab, axyb: Pool) -> None:
    a, b = new_users(2)
    sub, x = ax(axyb, a, userData="axyb-ud")
    y = yb(axyb, sub, b)
    assert y != x
    b_to_a = lab.call(b, x, **QUICK)
    a_to_b = lab.call(a, y, **QUICK, hang_up_by="callee")
    check_call(lab, axyb.app, b_to_a, Expect(b, x, 0, FULL, sub, callee=a, display=y, direction=0,
                                             user_data="axyb-ud"))
    check_call(lab, axyb.app, a_to_b, Expect(a, y, 0, FULL, sub, callee=b, display=x, direction=1,
                                             user_data="axyb-ud"))


def test_b_without_y_gets_one_allocated(lab: CallLab, axyb: Pool) -> None:
    a, b = new_users(2)
    sub, x = ax(axyb, a)
    assert [r.get("numY") for r in relations(axyb, sub)] == [None]
    session = lab.call(b, x, **QUICK)
    finished(lab, axyb.app, session)
    (relation,) = relations(axyb, sub)
    assert relation["numB"] == b and relation["numY"] not in (None, x), relation
    y = relation["numY"]
    check_call(lab, axyb.app, session, Expect(b, x, 0, FULL, sub, callee=a, display=y, direction=0))
    again = lab.call(b, x, **QUICK)  # the allocated Y is kept
    check_call(lab, axyb.app, again, Expect(b, x, 0, FULL, sub, callee=a, display=y, direction=0))
    assert len(relations(axyb, sub)) == 1


def test_a_dialling_its_own_x_is_refused(lab: CallLab, axyb: Pool) -> None:
    (a,) = new_users(1)
    sub, x = ax(axyb, a, userData="own-x")
    session = lab.call(a, x)
    check_call(lab, axyb.app, session, Expect(a, x, 8032, REFUSED, sub, user_data="own-x"))


def test_unknown_caller_to_y_is_refused(lab: CallLab, axyb: Pool) -> None:
    a, b, stranger = new_users(3)
    sub, _ = ax(axyb, a)
    y = yb(axyb, sub, b)
    for caller in (stranger, b):  # B calls X, not its own Y
        session = lab.call(caller, y)
        check_call(lab, axyb.app, session, Expect(caller, y, 8030, REFUSED, ""))


def test_no_y_to_allocate(lab: CallLab) -> None:
    app = lab.app("AXYB", 1, AREA)  # the only number becomes the X
    pool = Pool(app)
    a, b = new_users(2)
    sub, x = ax(pool, a, userData="no-y")
    assert x == app.pool[0]
    session = lab.call(b, x)
    check_call(lab, app, session, Expect(b, x, 8031, REFUSED, sub, user_data="no-y"))
    assert [r.get("numY") for r in relations(pool, sub)] == [None]


def test_call_direction_refusals(lab: CallLab, axyb: Pool) -> None:
    a1, b1, a2, b2 = new_users(4)
    sub1, x1 = ax(axyb, a1, callDirection=1)  # only A → Y → B
    y1 = yb(axyb, sub1, b1)
    sub2, x2 = ax(axyb, a2, callDirection=2)  # only B → X → A
    y2 = yb(axyb, sub2, b2)
    refused_b = lab.call(b1, x1)
    refused_a = lab.call(a2, y2)
    allowed_a = lab.call(a1, y1, **QUICK)
    allowed_b = lab.call(b2, x2, **QUICK)
    check_call(lab, axyb.app, refused_b, Expect(b1, x1, 8016, REFUSED, sub1))
    check_call(lab, axyb.app, refused_a, Expect(a2, y2, 8016, REFUSED, sub2))
    check_call(lab, axyb.app, allowed_a, Expect(a1, y1, 0, FULL, sub1, callee=b1, display=x1, direction=1))
    check_call(lab, axyb.app, allowed_b, Expect(b2, x2, 0, FULL, sub2, callee=a2, display=y2, direction=0))
