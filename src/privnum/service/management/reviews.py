"""The one review workflow, for every kind of subject: submit (or resubmit), approve or reject with a reason,
nudge, cancel; the operator's queue; auto-approval per kind.

A kind's subject (an enterprise, a number order, a voice file) follows its reviews through a
``ReviewSubject``: told of a decision in the same transaction, it moves the subject to its approved or
rejected state, so a decision and its effect commit together.
"""

from __future__ import annotations

from typing import Protocol

from privnum.domain.access import Actor, Permission
from privnum.domain.audit import AuditEvent
from privnum.domain.management_errors import Conflict, NotFound
from privnum.domain.reviews import (
    Decision,
    Review,
    ReviewKind,
    ReviewState,
    check_decidable,
    check_decision,
    check_nudge,
)
from privnum.service.clock import now_ms
from privnum.service.management.ports import ManagementTx, ManagementUnit, NewReview
from privnum.service.paging import Page, PageRequest

AUTO_APPROVE_KEY = "auto_approve.{kind}"


class ReviewSubject(Protocol):
    async def decided(self, tx: ManagementTx, review: Review, actor: Actor, now_ms: int) -> None:
        """Apply the decision recorded in ``review`` (approved or rejected) to the subject."""
        ...


def _review_view(review: Review) -> dict[str, object]:
    return {"state": review.state.value, "revision": review.revision, "reason_code": review.reason_code,
            "message": review.message}


class Reviews:
    def __init__(self, unit: ManagementUnit, subjects: dict[ReviewKind, ReviewSubject] | None = None) -> None:
        self.unit = unit
        self.subjects: dict[ReviewKind, ReviewSubject] = dict(subjects or {})

    def register(self, kind: ReviewKind, subject: ReviewSubject) -> None:
        self.subjects[kind] = subject

    # called by the kinds' use cases, inside their transaction

    async def submit_in(self, tx: ManagementTx, actor: Actor, kind: ReviewKind, subject_id: int,
                        tenant_id: int | None, label: str) -> Review:
        """Open a pending review of the subject (a resubmission after a rejection is the next revision); when
        the operators auto-approve this kind, it is approved at once, the subject told."""
        latest = await tx.latest_review(kind, subject_id)
        if latest is not None and latest.state is ReviewState.PENDING:
            raise Conflict("already_pending", "this is already waiting for review; nudge the reviewers instead")
        now = now_ms()
        review = await tx.insert_review(NewReview(kind, subject_id, tenant_id, label[:128], actor.login), now)
        await tx.audit(AuditEvent(actor, "review.submit", f"{kind.value}:{subject_id}", tenant_id,
                                  after=_review_view(review)), now)
        if await self.auto_approves_in(tx, kind):
            review = await self._decide_in(tx, Actor.system(), review, Decision(True, None, "auto-approved"), now)
        return review

    async def cancel_in(self, tx: ManagementTx, actor: Actor, kind: ReviewKind, subject_id: int) -> None:
        """Withdraw the subject's pending review (e.g. a number order cancelled while pending)."""
        latest = await tx.latest_review(kind, subject_id)
        if latest is None or latest.state is not ReviewState.PENDING:
            return
        now = now_ms()
        if await tx.decide_review(latest.id, ReviewState.CANCELLED, None, None, actor.login, now):
            await tx.audit(AuditEvent(actor, "review.cancel", f"{kind.value}:{subject_id}", latest.tenant_id,
                                      before=_review_view(latest)), now)

    async def auto_approves_in(self, tx: ManagementTx, kind: ReviewKind) -> bool:
        return (await tx.setting(AUTO_APPROVE_KEY.format(kind=kind.value))) == "1"

    # the operator's side

    async def decide(self, actor: Actor, review_id: int, decision: Decision) -> Review:
        actor.require(Permission.DECIDE_REVIEWS)

        async def work(tx: ManagementTx) -> Review:
            review = await tx.review(review_id)
            if review is None:
                raise NotFound("review")
            check_decidable(review)
            return await self._decide_in(tx, actor, review, check_decision(review.kind, decision), now_ms())

        return await self.unit.run(work)

    async def _decide_in(self, tx: ManagementTx, actor: Actor, review: Review, decision: Decision,
                         now: int) -> Review:
        state = ReviewState.APPROVED if decision.approve else ReviewState.REJECTED
        if not await tx.decide_review(review.id, state, decision.reason_code, decision.message, actor.login, now):
            raise Conflict("review_not_pending", "someone decided this review a moment ago; reload it")
        decided = await tx.review(review.id)
        assert decided is not None
        subject = self.subjects.get(review.kind)
        if subject is not None:
            await subject.decided(tx, decided, actor, now)
        await tx.audit(AuditEvent(actor, f"review.{'approve' if decision.approve else 'reject'}",
                                  f"{review.kind.value}:{review.subject_id}", review.tenant_id,
                                  before=_review_view(review), after=_review_view(decided)), now)
        return decided

    async def queue(self, actor: Actor, *, state: ReviewState | None = ReviewState.PENDING,
                    kind: ReviewKind | None = None, page: PageRequest = PageRequest()) -> Page[Review]:
        """Reviews, oldest pending first: every tenant's for operators, the actor's own tenant's otherwise."""
        actor.require(Permission.READ)
        scope = actor.tenant_scope()
        return await self.unit.run(lambda tx: tx.reviews(state, kind, scope, page), read_only=True)

    async def history(self, actor: Actor, kind: ReviewKind, subject_id: int) -> list[Review]:
        found = await self.unit.run(lambda tx: tx.reviews_of(kind, subject_id), read_only=True)
        return [r for r in found if actor.sees(r.tenant_id)]

    async def nudge(self, actor: Actor, kind: ReviewKind, subject_id: int) -> Review:
        """Remind the reviewers of the subject's pending review (催审), at most once an hour."""
        async def work(tx: ManagementTx) -> Review:
            review = await tx.latest_review(kind, subject_id)
            if review is None or not actor.sees(review.tenant_id):
                raise NotFound(kind.value.replace("_", " "))
            now = now_ms()
            check_nudge(review, now)
            await tx.nudge_review(review.id, now)
            await tx.audit(AuditEvent(actor, "review.nudge", f"{kind.value}:{subject_id}", review.tenant_id), now)
            nudged = await tx.review(review.id)
            assert nudged is not None
            return nudged

        return await self.unit.run(work)

    # auto-approval (single-tenant installs)

    async def auto_approval(self) -> dict[ReviewKind, bool]:
        async def work(tx: ManagementTx) -> dict[ReviewKind, bool]:
            return {kind: await self.auto_approves_in(tx, kind) for kind in ReviewKind}

        return await self.unit.run(work, read_only=True)

    async def set_auto_approval(self, actor: Actor, kind: ReviewKind, on: bool) -> None:
        actor.require(Permission.MANAGE_SETTINGS)

        async def work(tx: ManagementTx) -> None:
            before = await self.auto_approves_in(tx, kind)
            now = now_ms()
            await tx.put_setting(AUTO_APPROVE_KEY.format(kind=kind.value), "1" if on else "0", now)
            await tx.audit(AuditEvent(actor, "settings.auto_approve", f"setting:auto_approve.{kind.value}", None,
                                      before={"on": before}, after={"on": on}), now)

        await self.unit.run(work)
