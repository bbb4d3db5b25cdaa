"""Arrears (欠费, billing.md R-22…R-26): when a customer whose balance fell below its credit line is frozen, what a
frozen customer is refused, and when it recovers or is released. Pure: the caller reads the balance and the clock,
applies the change this module returns and calls again at ``recheck_at_ms``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from privnum.domain.calls.causes import Cause
from privnum.domain.number_status import NumberStatus, status_of
from privnum.domain.private_numbers import NumberState, PrivateNumber
from privnum.domain.result_codes import ResultCode
from privnum.domain.sms.results import SendResult

MINUTE_MS = 60_000
DAY_MS = 24 * 60 * MINUTE_MS


class AccountStanding(StrEnum):
    ACTIVE = "active"
    ARREARS = "arrears"
    RELEASED = "released"


class ArrearsPolicy(StrEnum):
    FREEZE_ALL = "freeze_all"  # Huawei's: binds, calls, SMS and recording URLs refused
    FREEZE_BINDS_ONLY = "freeze_binds_only"  # only the binding API refused; existing bindings keep working


@dataclass(frozen=True)
class ArrearsTerms:
    credit_limit_micros: int = 0  # 0: prepaid
    grace_minutes: int = 0  # 0: arrears at once
    recovery_delay_s: int = 0  # 600 reproduces Huawei's "10 minutes after payment"
    release_after_days: int | None = None  # None: never release (it is destructive)
    policy: ArrearsPolicy = ArrearsPolicy.FREEZE_ALL


@dataclass(frozen=True)
class Enforcement:
    """What the customer's use cases refuse while a standing holds (None or False: allowed)."""

    bind_refusal: ResultCode | None = None  # bind, unbind, modify, set-temporary-callee
    call_refusal: Cause | None = None  # a call to any of its X numbers is not forwarded
    sms_refusal: SendResult | None = None  # an SMS to X is not forwarded
    recording_url_refusal: ResultCode | None = None
    refuses_orders: bool = False  # ordering or assigning numbers, buying packages


ALLOWED = Enforcement()
FROZEN = Enforcement(ResultCode.SUBSCRIBER_FROZEN, Cause.USER_FROZEN, SendResult.ACCOUNT_FROZEN,
                     ResultCode.RECORD_NOT_EXIST, refuses_orders=True)
BINDS_FROZEN = Enforcement(ResultCode.SUBSCRIBER_FROZEN, refuses_orders=True)


class StatusPush(StrEnum):
    """The numStatus to push for every number of the customer when its standing changes."""

    ARREARS = "arrears"  # status 10, cause 2
    BINDS_FROZEN = "binds_frozen"  # status 11
    RECOVERED = "recovered"  # status 5


@dataclass(frozen=True)
class StandingChange:
    standing: AccountStanding
    enforcement: Enforcement
    push: StatusPush | None = None  # None: nothing to push (the state holds)
    release: bool = False  # remove every binding and unassign every number now
    recheck_at_ms: int | None = None  # when the standing changes if the balance does not move meanwhile


def enforcement(standing: AccountStanding, policy: ArrearsPolicy = ArrearsPolicy.FREEZE_ALL) -> Enforcement:
    """R-24: what is refused in ``standing``."""
    if standing is AccountStanding.ACTIVE:
        return ALLOWED
    if standing is AccountStanding.ARREARS and policy is ArrearsPolicy.FREEZE_BINDS_ONLY:
        return BINDS_FROZEN
    return FROZEN


def is_covered(balance_micros: int, credit_limit_micros: int) -> bool:
    """R-23/R-25: the balance is within the credit line (balance ≥ −credit_limit)."""
    return balance_micros >= -credit_limit_micros


def next_standing(current: AccountStanding, balance_micros: int, since_ms: int, now_ms: int,
                  terms: ArrearsTerms = ArrearsTerms()) -> StandingChange:
    """The standing at ``now_ms`` of a customer in ``current`` whose balance is ``balance_micros`` and has been on
    the same side of its credit line (covered or not) since ``since_ms``.

    Active and short for ``grace_minutes`` → arrears (R-23). In arrears and covered for ``recovery_delay_s`` →
    active, status 5 (R-25). In arrears and short for grace + ``release_after_days`` → released, when enabled
    (R-26). Released and covered for the recovery delay → active again, without its numbers."""
    covered = is_covered(balance_micros, terms.credit_limit_micros)
    recovers_at = since_ms + terms.recovery_delay_s * 1000
    if current is AccountStanding.ACTIVE:
        if covered:
            return StandingChange(current, ALLOWED)
        freezes_at = since_ms + terms.grace_minutes * MINUTE_MS
        if now_ms < freezes_at:
            return StandingChange(current, ALLOWED, recheck_at_ms=freezes_at)
        frozen = AccountStanding.ARREARS
        push = StatusPush.ARREARS if terms.policy is ArrearsPolicy.FREEZE_ALL else StatusPush.BINDS_FROZEN
        return StandingChange(frozen, enforcement(frozen, terms.policy), push,
                              recheck_at_ms=_release_at(since_ms, terms))
    if current is AccountStanding.ARREARS:
        if covered:
            if now_ms < recovers_at:
                return StandingChange(current, enforcement(current, terms.policy), recheck_at_ms=recovers_at)
            return StandingChange(AccountStanding.ACTIVE, ALLOWED, StatusPush.RECOVERED)
        release_at = _release_at(since_ms, terms)
        if release_at is not None and now_ms >= release_at:
            released = AccountStanding.RELEASED
            return StandingChange(released, enforcement(released), release=True)
        return StandingChange(current, enforcement(current, terms.policy), recheck_at_ms=release_at)
    if covered:
        if now_ms < recovers_at:
            return StandingChange(current, enforcement(current), recheck_at_ms=recovers_at)
        return StandingChange(AccountStanding.ACTIVE, ALLOWED)
    return StandingChange(current, enforcement(current))


def status_pushes(push: StatusPush, numbers: Iterable[PrivateNumber]) -> list[NumberStatus]:
    """The numStatus entries ``push`` sends, one per number of the customer that is itself available: a number
    an operator froze, stopped or blacklisted already reads unavailable, and stays so on recovery. On recovery an
    operator's lock shows again (11)."""
    available = [n for n in numbers if n.state is NumberState.AVAILABLE]
    if push is StatusPush.ARREARS:
        return [status_of(n.number, NumberState.FROZEN) for n in available]
    if push is StatusPush.BINDS_FROZEN:
        return [status_of(n.number, NumberState.AVAILABLE, locked=True) for n in available]
    return [status_of(n.number, NumberState.AVAILABLE, locked=n.locked) for n in available]


@dataclass(frozen=True)
class BalanceSide:
    """Which side of its credit line a balance is on, and since when: ``short_since_ms`` while short (None while
    covered), ``covered_since_ms`` while covered (None while short, and for an account never short)."""

    short_since_ms: int | None = None
    covered_since_ms: int | None = None

    def at(self, covered: bool, now_ms: int) -> BalanceSide:
        """The side after the balance was found ``covered`` or not at ``now_ms``: unchanged on the same side, else
        crossed at ``now_ms`` (balances move only by postings, and the side is looked at after each one)."""
        if covered:
            return self if self.short_since_ms is None else BalanceSide(None, now_ms)
        return self if self.short_since_ms is not None else BalanceSide(now_ms, None)

    def since_ms(self, default_ms: int) -> int:
        """Since when the balance has been on this side (``default_ms`` for an account never short)."""
        since = self.short_since_ms if self.short_since_ms is not None else self.covered_since_ms
        return default_ms if since is None else since


def _release_at(short_since_ms: int, terms: ArrearsTerms) -> int | None:
    if terms.release_after_days is None:
        return None
    return short_since_ms + terms.grace_minutes * MINUTE_MS + terms.release_after_days * DAY_MS
