"""Review rows: one per submission of a subject (revision 1, 2, … per subject), decided at most once."""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, func, insert, select, update

from privnum.adapters.db.database import Conn
from privnum.adapters.db.tables import reviews
from privnum.domain.reviews import Review, ReviewKind, ReviewState
from privnum.service.management.ports import NewReview
from privnum.service.paging import Page, PageRequest


def review_from_row(row: Any) -> Review:
    return Review(id=row.id, kind=ReviewKind(row.kind), subject_id=row.subject_id, tenant_id=row.tenant_id,
                  revision=row.revision, state=ReviewState(row.state), subject_label=row.subject_label,
                  submitted_at_ms=row.submitted_at_ms, submitted_by=row.submitted_by, reason_code=row.reason_code,
                  message=row.message, decided_at_ms=row.decided_at_ms, decided_by=row.decided_by,
                  nudged_at_ms=row.nudged_at_ms, nudges=row.nudges)


class ReviewRows:
    conn: Conn

    async def insert_review(self, review: NewReview, now_ms: int) -> Review:
        last = (await self.conn.execute(
            select(func.max(reviews.c.revision))
            .where(reviews.c.kind == review.kind.value, reviews.c.subject_id == review.subject_id))).scalar()
        revision = (last or 0) + 1
        # unique (kind, subject_id, revision): two submissions at once cannot both open a revision
        await self.conn.execute(insert(reviews).values(
            kind=review.kind.value, subject_id=review.subject_id, tenant_id=review.tenant_id, revision=revision,
            state=ReviewState.PENDING.value, subject_label=review.subject_label, submitted_at_ms=now_ms,
            submitted_by=review.submitted_by))
        found = await self.latest_review(review.kind, review.subject_id)
        assert found is not None
        return found

    async def review(self, review_id: int) -> Review | None:
        row = (await self.conn.execute(select(reviews).where(reviews.c.id == review_id))).first()
        return review_from_row(row) if row else None

    async def latest_review(self, kind: ReviewKind, subject_id: int) -> Review | None:
        row = (await self.conn.execute(
            select(reviews).where(reviews.c.kind == kind.value, reviews.c.subject_id == subject_id)
            .order_by(reviews.c.revision.desc()).limit(1))).first()
        return review_from_row(row) if row else None

    async def reviews_of(self, kind: ReviewKind, subject_id: int) -> list[Review]:
        rows = (await self.conn.execute(
            select(reviews).where(reviews.c.kind == kind.value, reviews.c.subject_id == subject_id)
            .order_by(reviews.c.revision.desc()))).all()
        return [review_from_row(r) for r in rows]

    async def reviews(self, state: ReviewState | None, kind: ReviewKind | None, tenant_id: int | None,
                      page: PageRequest) -> Page[Review]:
        conditions = []
        if state is not None:
            conditions.append(reviews.c.state == state.value)
        if kind is not None:
            conditions.append(reviews.c.kind == kind.value)
        if tenant_id is not None:
            conditions.append(reviews.c.tenant_id == tenant_id)
        total = (await self.conn.execute(select(func.count()).select_from(reviews).where(*conditions))).scalar_one()
        pending_first = case((reviews.c.state == ReviewState.PENDING.value, 0), else_=1)
        # pending: oldest first (the queue); decided: newest first
        order = [pending_first, case((reviews.c.state == ReviewState.PENDING.value, reviews.c.id), else_=-reviews.c.id)]
        rows = (await self.conn.execute(select(reviews).where(*conditions).order_by(*order)
                                        .limit(page.per_page).offset(page.offset))).all()
        return Page([review_from_row(r) for r in rows], total, page.page, page.per_page)

    async def decide_review(self, review_id: int, state: ReviewState, reason_code: str | None, message: str | None,
                            decided_by: str, now_ms: int) -> bool:
        done = await self.conn.execute(
            update(reviews).where(reviews.c.id == review_id, reviews.c.state == ReviewState.PENDING.value)
            .values(state=state.value, reason_code=reason_code, message=message, decided_by=decided_by,
                    decided_at_ms=now_ms))
        return bool(done.rowcount == 1)

    async def nudge_review(self, review_id: int, now_ms: int) -> None:
        await self.conn.execute(update(reviews).where(reviews.c.id == review_id)
                                .values(nudged_at_ms=now_ms, nudges=reviews.c.nudges + 1))
