"""The ledger's invariants (billing.md §3.8), as properties: every journal sums to zero (and one that does not is
refused); the balance is what the top-ups, charges and adjustments made it, from the wallet postings alone; a
statement's opening + top-ups − charges ± adjustments is its closing balance."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from privnum.domain.billing.ledger import (
    ADJUSTMENTS,
    REVENUE_PACKAGES,
    REVENUE_RENT,
    REVENUE_USAGE,
    ROUNDING,
    TOPUPS,
    Journal,
    JournalKind,
    Posting,
    UnbalancedJournal,
    balance,
    journal,
    settle_key,
    statement,
    wallet,
)

CUSTOMERS = (1, 2, 3)
MONTH_MS = 30 * 24 * 3_600_000


@dataclass(frozen=True)
class Movement:
    """One money movement as a customer sees it, and the journal the ledger records for it."""

    customer_id: int
    kind: JournalKind
    change_micros: int  # what it does to the customer's balance
    entry: Journal


amounts = st.integers(min_value=1, max_value=10**12)


@st.composite
def movements(draw: st.DrawFn) -> Movement:
    customer = draw(st.sampled_from(CUSTOMERS))
    kind = draw(st.sampled_from(list(JournalKind)))
    at = draw(st.integers(min_value=0, max_value=3 * MONTH_MS))
    key = f"{kind}:{customer}:{draw(st.uuids())}"
    amount = draw(amounts)
    me = wallet(customer)
    if kind is JournalKind.TOPUP:
        postings, change = [Posting(TOPUPS, amount), Posting(me, -amount)], amount
    elif kind is JournalKind.ADJUSTMENT:
        signed = draw(st.sampled_from((amount, -amount)))
        postings, change = [Posting(ADJUSTMENTS, signed), Posting(me, -signed)], signed
    elif kind is JournalKind.SETTLEMENT:
        dropped = draw(st.integers(min_value=0, max_value=min(amount - 1, 9_999)))  # 抹零: cents truncated
        postings = [Posting(me, amount - dropped), Posting(ROUNDING, dropped), Posting(REVENUE_USAGE, -amount)]
        change = -(amount - dropped)
    else:
        revenue = REVENUE_RENT if kind is JournalKind.RENT else REVENUE_PACKAGES
        postings, change = [Posting(me, amount), Posting(revenue, -amount)], -amount
    return Movement(customer, kind, change, journal(key, draw(st.permutations(postings)), kind=kind, at_ms=at))


@given(st.lists(movements(), max_size=40))
def test_every_journal_sums_to_zero(history: list[Movement]) -> None:
    for m in history:
        assert sum(p.amount_micros for p in m.entry.postings) == 0


@given(st.lists(st.tuples(st.sampled_from((TOPUPS, wallet(1), REVENUE_USAGE)),
                          st.integers(min_value=-10**9, max_value=10**9)), min_size=1, max_size=6))
def test_a_journal_that_does_not_sum_to_zero_is_refused(lines: list[tuple[str, int]]) -> None:
    postings = [Posting(account, amount) for account, amount in lines]
    if sum(amount for _, amount in lines) == 0:
        assert journal("k", postings).postings == tuple(postings)
    else:
        with pytest.raises(UnbalancedJournal):
            journal("k", postings)


def test_an_empty_journal_is_refused() -> None:
    with pytest.raises(UnbalancedJournal):
        journal("k", [])


@given(st.lists(movements(), max_size=40))
def test_the_balance_is_the_sum_of_what_moved_the_wallet(history: list[Movement]) -> None:
    journals = [m.entry for m in history]
    for customer in CUSTOMERS:
        expected = sum(m.change_micros for m in history if m.customer_id == customer)
        assert balance(customer, journals) == expected
        wallet_postings = [p.amount_micros for j in journals for p in j.postings if p.account == wallet(customer)]
        assert balance(customer, journals) == -sum(wallet_postings)  # the wallet is credit-normal


@given(st.lists(movements(), max_size=40), st.integers(min_value=0, max_value=3 * MONTH_MS),
       st.integers(min_value=0, max_value=MONTH_MS))
def test_opening_plus_topups_minus_charges_plus_adjustments_is_closing(history: list[Movement], start: int,
                                                                       length: int) -> None:
    journals = [m.entry for m in history]
    for customer in CUSTOMERS:
        s = statement(customer, journals, start, start + length)
        assert s.opening_micros + s.topups_micros - s.charges_micros + s.adjustments_micros == s.closing_micros
        inside = [m for m in history if m.customer_id == customer and start <= m.entry.at_ms < start + length]
        assert s.topups_micros == sum(m.change_micros for m in inside if m.kind is JournalKind.TOPUP)
        assert s.adjustments_micros == sum(m.change_micros for m in inside if m.kind is JournalKind.ADJUSTMENT)
        assert s.charges_micros == -sum(m.change_micros for m in inside
                                        if m.kind not in (JournalKind.TOPUP, JournalKind.ADJUSTMENT))
        assert s.closing_micros == sum(m.change_micros for m in history
                                       if m.customer_id == customer and m.entry.at_ms < start + length)


def test_settle_key_names_the_customer_and_the_utc_hour() -> None:
    assert settle_key(7, 1_796_119_200_000) == "settle:7:2026-12-01T10"
    with pytest.raises(ValueError, match="full hour"):
        settle_key(7, 1_796_119_200_001)
