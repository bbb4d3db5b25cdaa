"""One review workflow for everything a tenant submits and an operator decides: enterprises (企业资质审核),
number orders (号码订购) and voice files (放音文件).

A subject is submitted (a pending review), approved or rejected with a reason code and a message the
tenant sees, and resubmitted after a rejection (a new review, revision + 1). While it is pending the
tenant may nudge (催审) once per ``NUDGE_INTERVAL_MS``, and some subjects may be cancelled. An operator
setting approves a kind on submission, for single-tenant installs.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from privnum.domain.management_errors import Conflict, Invalid

NUDGE_INTERVAL_MS = 3_600_000
MAX_MESSAGE_LENGTH = 500


class ReviewKind(StrEnum):
    ENTERPRISE = "enterprise"
    NUMBER_ORDER = "number_order"
    VOICE_FILE = "voice_file"


class ReviewState(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


# Reason codes an operator picks when rejecting, with the sentence the tenant sees (the console translates it).
# The first two of enterprises and both of orders are Huawei's own; the rest follow its review standards.
REJECTION_REASONS: dict[ReviewKind, dict[str, str]] = {
    ReviewKind.ENTERPRISE: {
        "business_abnormal": "The enterprise's business status is abnormal; numbers cannot be applied for yet.",
        "carrier_blacklist": "The enterprise is on a carrier's blacklist; numbers cannot be applied for yet.",
        "materials_unclear": "Some materials are unclear; upload legible copies and resubmit.",
        "materials_missing": "Required materials are missing; add them and resubmit.",
        "name_or_code_mismatch": "The name or credit code does not match the business licence.",
        "prohibited_business": "The business scenario is not allowed on privacy numbers.",
        "authorization_expired": "The authorisation letter has expired; upload a valid one and resubmit.",
    },
    ReviewKind.NUMBER_ORDER: {
        "contact_unreachable": "The contact could not be reached; correct the contact or keep the phone "
                               "reachable, then resubmit.",
        "no_stock_in_city": "There are no numbers in stock in a requested city; order another city.",
        "other": "See the reviewer's message.",
    },
    ReviewKind.VOICE_FILE: {
        "format_invalid": "The file is not a playable prompt; upload an 8 kHz mono A-law WAV.",
        "content_noncompliant": "The content of the prompt is not allowed.",
        "other": "See the reviewer's message.",
    },
}


@dataclass(frozen=True)
class Review:
    id: int
    kind: ReviewKind
    subject_id: int
    tenant_id: int | None
    revision: int
    state: ReviewState
    subject_label: str
    submitted_at_ms: int
    submitted_by: str
    reason_code: str | None = None
    message: str | None = None
    decided_at_ms: int | None = None
    decided_by: str | None = None
    nudged_at_ms: int | None = None
    nudges: int = 0

    @property
    def reason_text(self) -> str | None:
        if self.reason_code is None:
            return None
        return REJECTION_REASONS.get(self.kind, {}).get(self.reason_code)


@dataclass(frozen=True)
class Decision:
    approve: bool
    reason_code: str | None = None
    message: str | None = None


def check_decidable(review: Review) -> None:
    if review.state is not ReviewState.PENDING:
        raise Conflict("review_not_pending", f"this review is already {review.state.value}; only a pending review "
                       "can be decided")


def check_decision(kind: ReviewKind, decision: Decision) -> Decision:
    message = (decision.message or "").strip() or None
    if message is not None and len(message) > MAX_MESSAGE_LENGTH:
        raise Invalid("message_too_long", f"a review message has at most {MAX_MESSAGE_LENGTH} characters",
                      field="message")
    if decision.approve:
        return Decision(True, None, message)
    reasons = REJECTION_REASONS[kind]
    if decision.reason_code not in reasons:
        raise Invalid("invalid_reason", f"a rejection of a {kind.value} names one of the reasons "
                      f"{', '.join(reasons)}", field="reason_code")
    if decision.reason_code == "other" and message is None:
        raise Invalid("message_required", "say why in the message when the reason is 'other'", field="message")
    return Decision(False, decision.reason_code, message)


def check_nudge(review: Review, now_ms: int) -> None:
    if review.state is not ReviewState.PENDING:
        raise Conflict("review_not_pending", "only a pending review can be nudged")
    if review.nudged_at_ms is not None and now_ms - review.nudged_at_ms < NUDGE_INTERVAL_MS:
        minutes = (NUDGE_INTERVAL_MS - (now_ms - review.nudged_at_ms)) // 60_000 + 1
        raise Conflict("already_nudged", f"the reviewers were reminded less than an hour ago; nudge again in "
                       f"{minutes} minutes")
