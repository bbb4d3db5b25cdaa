"""Reviews: a tenant's own (state, reason, message), and the operators' queue with approve and reject."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from privnum.domain.access import Permission
from privnum.domain.management_errors import Invalid
from privnum.domain.reviews import Decision, ReviewKind, ReviewState
from privnum.entrypoints.mgmt.principal import ActorDep, ManagementDep
from privnum.entrypoints.mgmt.views import PageView, ReviewView, page_view, review_view
from privnum.service.paging import PageRequest

router = APIRouter(prefix="/mgmt/v1", tags=["management: reviews"])


class RejectBody(BaseModel):
    reason_code: str = Field(max_length=64)
    message: str | None = Field(None, max_length=500)


class ApproveBody(BaseModel):
    message: str | None = Field(None, max_length=500)


class AutoApproval(BaseModel):
    enterprise: bool | None = None
    number_order: bool | None = None
    voice_file: bool | None = None


def _state(value: str | None) -> ReviewState | None:
    if value in (None, "", "all"):
        return None
    try:
        return ReviewState(value)
    except ValueError:
        raise Invalid("invalid_state", f"a review state is one of {', '.join(ReviewState)} or all",
                      field="state") from None


def _kind(value: str | None) -> ReviewKind | None:
    if value in (None, ""):
        return None
    try:
        return ReviewKind(value)
    except ValueError:
        raise Invalid("invalid_kind", f"a review kind is one of {', '.join(ReviewKind)}", field="kind") from None


async def _list(actor: Any, plane: Any, state: str | None, kind: str | None, page: int, per_page: int
                ) -> dict[str, Any]:
    found = await plane.reviews.queue(actor, state=_state(state), kind=_kind(kind), page=PageRequest(page, per_page))
    return page_view(found, review_view)


@router.get("/reviews", response_model=PageView[ReviewView])
async def my_reviews(actor: ActorDep, plane: ManagementDep, state: str | None = Query("all"),
                     kind: str | None = Query(None), page: int = Query(1), per_page: int = Query(20)
                     ) -> dict[str, Any]:
    """The reviews of my tenant's submissions (operators: everyone's)."""
    return await _list(actor, plane, state, kind, page, per_page)


@router.get("/admin/reviews", response_model=PageView[ReviewView])
async def review_queue(actor: ActorDep, plane: ManagementDep, state: str | None = Query("pending"),
                       kind: str | None = Query(None), page: int = Query(1), per_page: int = Query(20)
                       ) -> dict[str, Any]:
    """The review queue: pending first, oldest first."""
    actor.require(Permission.DECIDE_REVIEWS)
    return await _list(actor, plane, state, kind, page, per_page)


@router.post("/admin/reviews/{review_id}/approve", response_model=ReviewView)
async def approve(review_id: int, actor: ActorDep, plane: ManagementDep, body: ApproveBody | None = None
                  ) -> ReviewView:
    message = body.message if body else None
    return review_view(await plane.reviews.decide(actor, review_id, Decision(True, None, message)))


@router.post("/admin/reviews/{review_id}/reject", response_model=ReviewView)
async def reject(review_id: int, body: RejectBody, actor: ActorDep, plane: ManagementDep) -> ReviewView:
    return review_view(await plane.reviews.decide(actor, review_id, Decision(False, body.reason_code, body.message)))


@router.get("/admin/settings/auto-approve", response_model=AutoApproval)
async def auto_approval(actor: ActorDep, plane: ManagementDep) -> AutoApproval:
    actor.require(Permission.MANAGE_SETTINGS)
    current = await plane.reviews.auto_approval()
    return AutoApproval(**{kind.value: on for kind, on in current.items()})


@router.put("/admin/settings/auto-approve", response_model=AutoApproval)
async def set_auto_approval(body: AutoApproval, actor: ActorDep, plane: ManagementDep) -> AutoApproval:
    """Approve submissions of a kind at once (single-tenant installs); unnamed kinds stay as they are."""
    for kind in ReviewKind:
        value = getattr(body, kind.value)
        if value is not None:
            await plane.reviews.set_auto_approval(actor, kind, value)
    current = await plane.reviews.auto_approval()
    return AutoApproval(**{kind.value: on for kind, on in current.items()})
