"""The review workflow's rules without I/O: what a decision needs, when one can be made, when to nudge."""

from __future__ import annotations

import pytest

from privnum.domain.management_errors import Conflict, Invalid
from privnum.domain.reviews import (
    NUDGE_INTERVAL_MS,
    REJECTION_REASONS,
    Decision,
    Review,
    ReviewKind,
    ReviewState,
    check_decidable,
    check_decision,
    check_nudge,
)


def review(state: ReviewState = ReviewState.PENDING, nudged_at_ms: int | None = None) -> Review:
    return Review(id=1, kind=ReviewKind.ENTERPRISE, subject_id=3, tenant_id=7, revision=1, state=state,
                  subject_label="Acme", submitted_at_ms=0, submitted_by="alice", nudged_at_ms=nudged_at_ms)


def test_a_rejection_names_a_reason_of_its_kind() -> None:
    with pytest.raises(Invalid) as refused:
        check_decision(ReviewKind.ENTERPRISE, Decision(False, "no_stock_in_city"))
    assert refused.value.field == "reason_code"
    decided = check_decision(ReviewKind.ENTERPRISE, Decision(False, "materials_unclear", "  licence blurred "))
    assert decided == Decision(False, "materials_unclear", "licence blurred")


def test_other_needs_a_message_and_messages_have_a_limit() -> None:
    with pytest.raises(Invalid, match="message"):
        check_decision(ReviewKind.VOICE_FILE, Decision(False, "other", " "))
    with pytest.raises(Invalid):
        check_decision(ReviewKind.VOICE_FILE, Decision(True, None, "x" * 501))


def test_an_approval_drops_any_reason() -> None:
    assert check_decision(ReviewKind.NUMBER_ORDER, Decision(True, "contact_unreachable")).reason_code is None


@pytest.mark.parametrize("state", [ReviewState.APPROVED, ReviewState.REJECTED, ReviewState.CANCELLED])
def test_only_pending_reviews_are_decided_or_nudged(state: ReviewState) -> None:
    with pytest.raises(Conflict):
        check_decidable(review(state))
    with pytest.raises(Conflict):
        check_nudge(review(state), 10**12)


def test_nudges_at_most_once_an_hour() -> None:
    check_nudge(review(nudged_at_ms=None), 5_000)
    with pytest.raises(Conflict, match="minutes"):
        check_nudge(review(nudged_at_ms=1_000), 1_000 + NUDGE_INTERVAL_MS - 1)
    check_nudge(review(nudged_at_ms=1_000), 1_000 + NUDGE_INTERVAL_MS)


def test_every_kind_has_reasons_with_a_sentence() -> None:
    assert set(REJECTION_REASONS) == set(ReviewKind)
    assert all(text.endswith(".") for reasons in REJECTION_REASONS.values() for text in reasons.values())
    assert review().reason_text is None
