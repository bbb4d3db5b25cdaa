"""The operators' review queue, one for every kind of subject (enterprises, number orders, voice files, …):
filter by kind and state, approve, or reject with a reason of the kind and a message. Decisions swap the
row in place (htmx)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import Response

from privnum.domain.access import Actor, Permission
from privnum.domain.management_errors import ManagementError
from privnum.domain.reviews import REJECTION_REASONS, Decision, Review, ReviewKind, ReviewState
from privnum.entrypoints.console.form_refusals import sentence
from privnum.entrypoints.console.i18n import N_
from privnum.entrypoints.console.pages_base import OverviewCard, overview_cards
from privnum.entrypoints.console.paging import Page
from privnum.entrypoints.console.rendering import render
from privnum.entrypoints.console.session import Forbidden, requires
from privnum.entrypoints.mgmt.principal import management_of
from privnum.service.paging import PageRequest

router = APIRouter()
Reader = Annotated[Actor, Depends(requires(Permission.READ))]
Decider = Annotated[Actor, Depends(requires(Permission.DECIDE_REVIEWS))]

KIND_LABELS = {ReviewKind.ENTERPRISE: N_("Enterprise"), ReviewKind.NUMBER_ORDER: N_("Number order"),
               ReviewKind.VOICE_FILE: N_("Voice file")}
STATE_CHOICES = {"pending": N_("Pending review"), "approved": N_("Approved"), "rejected": N_("Rejected"),
                 "all": N_("All")}


def at(ms: int | None) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d %H:%M UTC") if ms else ""


def _row(review: Review, error: str | None = None) -> dict[str, object]:
    return {"r": review, "kind_label": KIND_LABELS.get(review.kind, review.kind.value),
            "submitted": at(review.submitted_at_ms), "reasons": REJECTION_REASONS.get(review.kind, {}),
            "error": error}


def _kind(value: str | None) -> ReviewKind | None:
    try:
        return ReviewKind(value) if value else None
    except ValueError:
        return None


@router.get("/admin/reviews")
async def review_queue(request: Request, actor: Reader, kind: str | None = None, state: str = "pending"
                       ) -> Response:
    if not actor.is_operator:
        raise Forbidden("operators only")
    chosen_state = None if state == "all" else ReviewState(state) if state in ReviewState._value2member_map_ \
        else ReviewState.PENDING
    chosen_kind = _kind(kind)
    plane = management_of(request)
    total = (await plane.reviews.queue(actor, state=chosen_state, kind=chosen_kind, page=PageRequest(1, 1))).total
    page = Page.of(request, total)
    found = await plane.reviews.queue(actor, state=chosen_state, kind=chosen_kind,
                                      page=PageRequest(page.number, page.size))
    return render(request, "reviews/queue.html", {
        "rows": [_row(r) for r in found.items], "page": page, "kinds": KIND_LABELS, "states": STATE_CHOICES,
        "kind": chosen_kind.value if chosen_kind else "", "state": state if state in STATE_CHOICES else "pending",
        "may_decide": actor.can(Permission.DECIDE_REVIEWS)})


async def _decided(request: Request, actor: Actor, review_id: int, decision: Decision) -> Response:
    plane = management_of(request)
    try:
        review = await plane.reviews.decide(actor, review_id, decision)
    except ManagementError as refused:
        if refused.kind.value not in ("invalid", "conflict"):
            raise
        current = next((r for r in (await plane.reviews.queue(actor, state=None, page=PageRequest(1, 200))).items
                        if r.id == review_id), None)
        if current is None:
            raise
        return render(request, "reviews/_row.html", {"row": _row(current, sentence(refused)), "may_decide": True},
                      status=422)
    return render(request, "reviews/_row.html", {"row": _row(review), "may_decide": True})


@router.post("/admin/reviews/{review_id}/approve")
async def approve(request: Request, review_id: int, actor: Decider) -> Response:
    return await _decided(request, actor, review_id, Decision(True))


@router.post("/admin/reviews/{review_id}/reject")
async def reject(request: Request, review_id: int, actor: Decider) -> Response:
    form = await request.form()
    return await _decided(request, actor, review_id, Decision(False, str(form.get("reason_code", "")) or None,
                                                              str(form.get("message", "")) or None))


async def reviews_card(request: Request, actor: Actor) -> OverviewCard | None:
    """The overview's card: what waits for review (operators: the queue; tenants: their own submissions) and,
    for tenants, what was rejected and waits for a fix."""
    if not actor.can(Permission.READ):
        return None
    reviews = management_of(request).reviews
    one = PageRequest(1, 1)
    pending = (await reviews.queue(actor, state=ReviewState.PENDING, page=one)).total
    rejected = None if actor.is_operator else (await reviews.queue(actor, state=ReviewState.REJECTED, page=one)).total
    link = "/console/admin/reviews" if actor.can(Permission.DECIDE_REVIEWS) else None
    return OverviewCard(N_("Reviews"), "reviews/_card.html", {"pending": pending, "rejected": rejected, "link": link})


overview_cards.append(reviews_card)
