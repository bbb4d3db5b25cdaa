"""Arrears (billing.md R-22…R-26): a customer short of its credit line is frozen after its grace, recovers once
covered for its recovery delay, and is released only when the operator enabled release; what each policy refuses
and which numStatus it pushes."""

from __future__ import annotations

from privnum.domain.billing.arrears import (
    AccountStanding,
    ArrearsPolicy,
    ArrearsTerms,
    BalanceSide,
    StatusPush,
    enforcement,
    next_standing,
    status_pushes,
)
from privnum.domain.calls.causes import Cause
from privnum.domain.number_status import NumberStatus
from privnum.domain.private_numbers import NumberState, PrivateNumber
from privnum.domain.sms.results import SendResult

ACTIVE, ARREARS, RELEASED = AccountStanding.ACTIVE, AccountStanding.ARREARS, AccountStanding.RELEASED
MINUTE = 60_000
DAY = 24 * 60 * MINUTE
T0 = 1_796_000_000_000


def _number(number: str, state: NumberState = NumberState.AVAILABLE, locked: bool = False) -> PrivateNumber:
    return PrivateNumber(number, 1, "755", None, state, locked=locked)


def test_a_prepaid_customer_below_zero_is_frozen_at_once_and_pushed_unavailable_for_arrears() -> None:
    change = next_standing(ACTIVE, -1, T0, T0)
    assert change.standing is ARREARS
    assert change.push is StatusPush.ARREARS
    assert change.enforcement.bind_refusal is not None and change.enforcement.bind_refusal.value.code == "1010029"
    assert change.enforcement.bind_refusal.value.http_status == 403
    assert change.enforcement.call_refusal is Cause.USER_FROZEN
    assert change.enforcement.sms_refusal is SendResult.ACCOUNT_FROZEN
    assert change.enforcement.recording_url_refusal is not None
    assert change.enforcement.recording_url_refusal.value.code == "1012007"
    assert change.enforcement.refuses_orders
    assert status_pushes(StatusPush.ARREARS, [_number("+861"), _number("+862")]) == [
        NumberStatus("+861", "10", "2"), NumberStatus("+862", "10", "2")]


def test_a_balance_of_exactly_zero_or_within_the_credit_line_is_not_arrears() -> None:
    assert next_standing(ACTIVE, 0, T0, T0).standing is ACTIVE
    postpaid = ArrearsTerms(credit_limit_micros=50_000_000)
    assert next_standing(ACTIVE, -50_000_000, T0, T0, postpaid).standing is ACTIVE
    assert next_standing(ACTIVE, -50_000_001, T0, T0, postpaid).standing is ARREARS


def test_arrears_wait_for_the_grace_minutes() -> None:
    terms = ArrearsTerms(grace_minutes=30)
    waiting = next_standing(ACTIVE, -1, T0, T0 + 29 * MINUTE, terms)
    assert (waiting.standing, waiting.push, waiting.recheck_at_ms) == (ACTIVE, None, T0 + 30 * MINUTE)
    assert waiting.enforcement.bind_refusal is None and waiting.enforcement.call_refusal is None
    assert next_standing(ACTIVE, -1, T0, T0 + 30 * MINUTE, terms).standing is ARREARS


def test_the_state_holding_pushes_nothing_again() -> None:
    assert next_standing(ARREARS, -1, T0, T0 + DAY).push is None
    assert next_standing(ACTIVE, 10, T0, T0 + DAY).push is None


def test_a_top_up_recovers_at_once_by_default_and_pushes_normal() -> None:
    change = next_standing(ARREARS, 0, T0, T0)
    assert (change.standing, change.push) == (ACTIVE, StatusPush.RECOVERED)
    assert change.enforcement.bind_refusal is None and change.enforcement.call_refusal is None
    assert status_pushes(StatusPush.RECOVERED, [_number("+861")]) == [NumberStatus("+861", "5")]


def test_recovery_waits_for_the_recovery_delay() -> None:
    terms = ArrearsTerms(recovery_delay_s=600)
    waiting = next_standing(ARREARS, 5, T0, T0 + 9 * MINUTE, terms)
    assert (waiting.standing, waiting.push, waiting.recheck_at_ms) == (ARREARS, None, T0 + 10 * MINUTE)
    assert waiting.enforcement.call_refusal is Cause.USER_FROZEN
    assert next_standing(ARREARS, 5, T0, T0 + 10 * MINUTE, terms).push is StatusPush.RECOVERED


def test_freeze_binds_only_refuses_the_binding_api_and_keeps_calls_and_sms() -> None:
    terms = ArrearsTerms(policy=ArrearsPolicy.FREEZE_BINDS_ONLY)
    change = next_standing(ACTIVE, -1, T0, T0, terms)
    assert (change.standing, change.push) == (ARREARS, StatusPush.BINDS_FROZEN)
    assert change.enforcement.bind_refusal is not None and change.enforcement.bind_refusal.value.code == "1010029"
    assert change.enforcement.call_refusal is None and change.enforcement.sms_refusal is None
    assert change.enforcement.refuses_orders
    assert status_pushes(StatusPush.BINDS_FROZEN, [_number("+861")]) == [NumberStatus("+861", "11")]
    recovered = next_standing(ARREARS, 1, T0 + DAY, T0 + DAY, terms)
    assert (recovered.standing, recovered.push) == (ACTIVE, StatusPush.RECOVERED)


def test_no_release_unless_the_operator_enabled_it() -> None:
    change = next_standing(ARREARS, -1, T0, T0 + 365 * DAY)
    assert (change.standing, change.release, change.recheck_at_ms) == (ARREARS, False, None)


def test_release_after_grace_plus_the_days_in_arrears() -> None:
    terms = ArrearsTerms(grace_minutes=60, release_after_days=15)
    due = T0 + 60 * MINUTE + 15 * DAY
    frozen = next_standing(ACTIVE, -1, T0, T0 + 60 * MINUTE, terms)
    assert (frozen.standing, frozen.recheck_at_ms) == (ARREARS, due)
    assert next_standing(ARREARS, -1, T0, due - 1, terms).standing is ARREARS
    released = next_standing(ARREARS, -1, T0, due, terms)
    assert (released.standing, released.release, released.push) == (RELEASED, True, None)
    assert released.enforcement.refuses_orders and released.enforcement.bind_refusal is not None


def test_paying_a_released_account_reopens_it_after_the_recovery_delay_without_pushes() -> None:
    terms = ArrearsTerms(recovery_delay_s=600, release_after_days=15)
    assert next_standing(RELEASED, -1, T0, T0 + DAY, terms).standing is RELEASED
    waiting = next_standing(RELEASED, 0, T0, T0 + 5 * MINUTE, terms)
    assert (waiting.standing, waiting.recheck_at_ms) == (RELEASED, T0 + 10 * MINUTE)
    reopened = next_standing(RELEASED, 0, T0, T0 + 10 * MINUTE, terms)
    assert (reopened.standing, reopened.push, reopened.release) == (ACTIVE, None, False)


def test_active_refuses_nothing() -> None:
    allowed = enforcement(ACTIVE)
    assert (allowed.bind_refusal, allowed.call_refusal, allowed.sms_refusal, allowed.recording_url_refusal,
            allowed.refuses_orders) == (None, None, None, None, False)


def test_numbers_an_operator_took_out_of_service_are_not_pushed_and_a_lock_shows_again_on_recovery() -> None:
    numbers = [_number("+861"), _number("+862", NumberState.FROZEN), _number("+863", NumberState.BLACKLISTED),
               _number("+864", locked=True)]
    assert status_pushes(StatusPush.ARREARS, numbers) == [NumberStatus("+861", "10", "2"),
                                                          NumberStatus("+864", "10", "2")]
    assert status_pushes(StatusPush.RECOVERED, numbers) == [NumberStatus("+861", "5"), NumberStatus("+864", "11")]


def test_the_balance_side_moves_only_when_the_balance_crosses_the_line() -> None:
    never_short = BalanceSide()
    assert never_short.at(True, T0) == never_short and never_short.since_ms(T0 + 5) == T0 + 5
    short = never_short.at(False, T0)
    assert short == BalanceSide(T0, None) and short.at(False, T0 + MINUTE) == short
    assert short.since_ms(T0 + MINUTE) == T0
    covered = short.at(True, T0 + 2 * MINUTE)
    assert covered == BalanceSide(None, T0 + 2 * MINUTE)
    assert covered.at(True, T0 + DAY).since_ms(T0 + DAY) == T0 + 2 * MINUTE
    assert covered.at(False, T0 + DAY) == BalanceSide(T0 + DAY, None)
