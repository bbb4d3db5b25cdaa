"""The ledger's arithmetic (billing.md R-17, R-22, §3.8, §4): journals of postings that sum to zero, keyed so a
money movement is written once; a customer's balance from its wallet postings; a monthly statement.

Sign convention (§4): a posting's amount is a debit when positive, a credit when negative. The wallet is what the
operator owes the customer, so a top-up credits it (−) and a charge debits it (+): a customer's balance is the
negated sum of its wallet postings."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

HOUR_MS = 3_600_000

WALLET_PREFIX = "wallet:"
REVENUE_USAGE = "revenue:usage"
REVENUE_RENT = "revenue:rent"
REVENUE_PACKAGES = "revenue:packages"
TOPUPS = "topups"
ADJUSTMENTS = "adjustments"
ROUNDING = "rounding"


def wallet(customer_id: int) -> str:
    """The ledger account of a customer's wallet: ``wallet:<customer>``."""
    return f"{WALLET_PREFIX}{customer_id}"


class JournalKind(StrEnum):
    TOPUP = "topup"
    SETTLEMENT = "settlement"
    RENT = "rent"
    PACKAGE = "package"
    ADJUSTMENT = "adjustment"


CHARGE_KINDS = frozenset({JournalKind.SETTLEMENT, JournalKind.RENT, JournalKind.PACKAGE})


class UnbalancedJournal(ValueError):
    """A journal whose postings do not sum to zero, or that posts nothing."""


@dataclass(frozen=True)
class Posting:
    account: str
    amount_micros: int  # debit +, credit −


@dataclass(frozen=True)
class Journal:
    key: str  # unique: the idempotency key of this money movement
    postings: tuple[Posting, ...]
    kind: JournalKind = JournalKind.ADJUSTMENT
    at_ms: int = 0


def journal(key: str, postings: Iterable[Posting], *, kind: JournalKind = JournalKind.ADJUSTMENT,
            at_ms: int = 0) -> Journal:
    """A journal of ``postings``; refuses (UnbalancedJournal) one that is empty or does not sum to zero."""
    lines = tuple(postings)
    if not lines:
        raise UnbalancedJournal(f"journal {key!r} posts nothing")
    total = sum(line.amount_micros for line in lines)
    if total != 0:
        raise UnbalancedJournal(f"journal {key!r} is off by {total} micros")
    return Journal(key, lines, kind, at_ms)


def settle_key(customer_id: int, window_start_ms: int) -> str:
    """R-17: ``settle:<customer>:<window start, UTC hour YYYY-MM-DDTHH>``; the window starts on a full hour."""
    if window_start_ms % HOUR_MS:
        raise ValueError(f"a settlement window starts on a full hour, not at {window_start_ms} ms")
    hour = datetime.fromtimestamp(window_start_ms / 1000, UTC)
    return f"settle:{customer_id}:{hour:%Y-%m-%dT%H}"


def wallet_change(entry: Journal, customer_id: int) -> int:
    """What ``entry`` adds to the customer's balance (negative for a charge)."""
    account = wallet(customer_id)
    return -sum(line.amount_micros for line in entry.postings if line.account == account)


def balance(customer_id: int, journals: Iterable[Journal]) -> int:
    """R-22: the customer's balance, micros: top-ups − charges ± adjustments, from the wallet's postings."""
    return sum(wallet_change(entry, customer_id) for entry in journals)


@dataclass(frozen=True)
class Statement:
    customer_id: int
    start_ms: int
    end_ms: int
    opening_micros: int
    topups_micros: int
    charges_micros: int  # positive: what the period's settlements, rent and packages took
    adjustments_micros: int  # signed
    closing_micros: int


def statement(customer_id: int, journals: Sequence[Journal], start_ms: int, end_ms: int) -> Statement:
    """The statement of [start_ms, end_ms): the balances before its start and before its end, and the period's
    top-ups, charges and adjustments between them (opening + top-ups − charges ± adjustments = closing)."""
    opening = balance(customer_id, (entry for entry in journals if entry.at_ms < start_ms))
    topups = charges = adjustments = 0
    for entry in journals:
        if not start_ms <= entry.at_ms < end_ms:
            continue
        change = wallet_change(entry, customer_id)
        if entry.kind is JournalKind.TOPUP:
            topups += change
        elif entry.kind in CHARGE_KINDS:
            charges -= change
        else:
            adjustments += change
    closing = balance(customer_id, (entry for entry in journals if entry.at_ms < end_ms))
    return Statement(customer_id, start_ms, end_ms, opening, topups, charges, adjustments, closing)
