"""The numbers area's pure rules: release rent (the 25th in Beijing time), inventory CSV lines, order lines, the
numStatus of a lock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from privnum.domain.management_errors import Invalid
from privnum.domain.number_inventory import InventoryRefused, NumberType, parse_inventory, parse_number
from privnum.domain.number_orders import MAX_LINES, RequestedLine, check_lines
from privnum.domain.number_releases import rent_through
from privnum.domain.number_status import status_change
from privnum.domain.private_numbers import NumberState

BEIJING = timezone(timedelta(hours=8))


def _ms(*parts: int) -> int:
    return int(datetime(*parts, tzinfo=BEIJING).timestamp() * 1000)


def test_released_on_the_25th_owes_this_month_only():
    assert rent_through(_ms(2026, 3, 25, 23, 59, 59)) == "2026-03"


def test_released_after_the_25th_owes_next_month_too():
    assert rent_through(_ms(2026, 3, 26, 0, 0, 0)) == "2026-04"


def test_the_25th_is_counted_in_beijing_time_not_utc():
    # 2026-03-25 17:00 UTC is already the 26th, 01:00, in Beijing
    assert rent_through(int(datetime(2026, 3, 25, 17, 0, tzinfo=UTC).timestamp() * 1000)) == "2026-04"


def test_released_late_in_december_owes_january_of_next_year():
    assert rent_through(_ms(2026, 12, 26, 0, 0)) == "2027-01"
    assert rent_through(_ms(2026, 12, 25, 23, 59)) == "2026-12"


def test_number_formats():
    assert parse_number("+8617012345678") == "+8617012345678"
    assert parse_number("17012345678") == "+8617012345678"
    assert parse_number("8617012345678") == "+8617012345678"
    assert parse_number("+86755123456") is None  # fixed line: not an X number
    assert parse_number("hello") is None


def test_inventory_lines_are_checked_all_at_once():
    text = ("number,area_code,city,type\n+8617000000001,0755,Shenzhen,virtual\nbad,0755,Shenzhen,virtual\n"
            "+8617000000001,755,Shenzhen,carrier\n+8617000000002,0755,Shenzhen,mobile\n")
    with pytest.raises(InventoryRefused) as refused:
        parse_inventory(text)
    assert [line for line, _ in refused.value.errors] == [3, 4, 5]
    assert "already on line 2" in refused.value.errors[1][1]


def test_inventory_known_numbers_are_errors():
    text = "number,area_code,city,type,sms\n+8617000000001,0755,Shenzhen,carrier,no\n"
    [stock] = parse_inventory(text)
    assert stock.number_type is NumberType.CARRIER and stock.sms_capable is False and stock.province
    with pytest.raises(InventoryRefused):
        parse_inventory(text, known={"+8617000000001"})


def test_inventory_header_is_required():
    with pytest.raises(Invalid) as refused:
        parse_inventory("+8617000000001,0755,Shenzhen,carrier\n")
    assert refused.value.code == "invalid_header"


def test_order_lines():
    [line] = check_lines([RequestedLine("755", "virtual", 2)])
    assert line.area_code == "0755" and line.number_type is NumberType.VIRTUAL
    for bad, code in (([RequestedLine("0755", "virtual", 0)], "invalid_quantity"),
                      ([RequestedLine("0755", "virtual", 1001)], "invalid_quantity"),
                      ([RequestedLine("0755", "virtual", 1), RequestedLine("755", "virtual", 3)], "duplicate_line"),
                      ([RequestedLine("x", "virtual", 1)], "invalid_area_code"),
                      ([RequestedLine(f"0{100 + i}", "virtual", 1) for i in range(MAX_LINES + 1)], "too_many_lines"),
                      ([], "no_lines")):
        with pytest.raises(Invalid) as refused:
            check_lines(bad)
        assert refused.value.code == code


def test_a_lock_pushes_binding_frozen_and_an_unlock_normal():
    x = "+8617000000001"
    locked = status_change(x, NumberState.AVAILABLE, NumberState.AVAILABLE, was_locked=False, locked=True)
    assert locked is not None and locked.status == "11" and locked.cause is None
    unlocked = status_change(x, NumberState.AVAILABLE, NumberState.AVAILABLE, was_locked=True, locked=False)
    assert unlocked is not None and unlocked.status == "5"
    # a frozen number's status stays unavailable whether locked or not
    assert status_change(x, NumberState.FROZEN, NumberState.FROZEN, was_locked=False, locked=True) is None


def test_the_status_people_see_puts_the_state_before_the_lock_and_the_lock_before_stock():
    from privnum.domain.private_numbers import PrivateNumber

    def status(**kw: object) -> str:
        values = {"number": "+8617000000001", "app_id": 1, "area_code": "0755", "province": None,
                  "state": NumberState.AVAILABLE, **kw}
        return PrivateNumber(**values).status  # type: ignore[arg-type]

    assert status() == "idle" and status(load=2) == "bound"
    assert status(app_id=None) == "in_stock" and status(app_id=None, locked=True) == "locked"
    assert status(locked=True, load=1) == "locked"
    assert status(state=NumberState.FROZEN, locked=True) == "frozen"


def test_orders_change_only_while_pending_or_rejected_and_cancel_only_while_pending():
    from privnum.domain.management_errors import Conflict
    from privnum.domain.number_orders import (
        NumberOrder,
        OrderState,
        check_cancellable,
        check_editable,
        check_issuable,
    )

    def order(state: OrderState) -> NumberOrder:
        return NumberOrder(1, 1, 1, 1, state, False, "", (), "t", 0, 0)

    check_editable(order(OrderState.PENDING_REVIEW))
    check_editable(order(OrderState.REJECTED))
    check_cancellable(order(OrderState.PENDING_REVIEW))
    check_issuable(order(OrderState.PROCESSING))
    for state, check, code in ((OrderState.PROCESSING, check_editable, "not_editable"),
                               (OrderState.COMPLETED, check_editable, "not_editable"),
                               (OrderState.REJECTED, check_cancellable, "not_cancellable"),
                               (OrderState.PENDING_REVIEW, check_issuable, "not_issuable"),
                               (OrderState.COMPLETED, check_issuable, "not_issuable")):
        with pytest.raises(Conflict) as refused:
            check(order(state))
        assert refused.value.code == code
