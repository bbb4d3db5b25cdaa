"""Pushes to customers' servers: list (dead letters too), one with its body and every attempt, replay a dead one."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from privnum.domain.pushes import PushKind
from privnum.entrypoints.mgmt.principal import ActorDep, ManagementDep
from privnum.entrypoints.mgmt.records_routes import MAX_ID, MAX_PAGE
from privnum.entrypoints.mgmt.records_views import PushDetailView, PushView, push_detail_view, push_view
from privnum.entrypoints.mgmt.views import PageView, page_view
from privnum.service.management.records_ports import PushFilter
from privnum.service.paging import MAX_PER_PAGE, PageRequest

router = APIRouter(prefix="/mgmt/v1", tags=["management: pushes"])


@router.get("/pushes", response_model=PageView[PushView])
async def list_pushes(actor: ActorDep, plane: ManagementDep, dead: bool = Query(False),
                      app_id: int | None = Query(None, ge=1, le=MAX_ID), kind: PushKind | None = Query(None),
                      page: int = Query(1, ge=1, le=MAX_PAGE),
                      per_page: int = Query(50, ge=1, le=MAX_PER_PAGE)) -> dict[str, Any]:
    """Newest first; ``dead=true`` only dead-lettered ones (replayable)."""
    where = PushFilter(dead_only=dead, app_id=app_id, kind=kind.value if kind else None)
    return page_view(await plane.pushes.list(actor, where, PageRequest(page, per_page)), push_view)


@router.get("/pushes/{ref}", response_model=PushDetailView)
async def show_push(actor: ActorDep, plane: ManagementDep, ref: str,
                    reveal: bool = Query(False)) -> PushDetailView:
    """One push by row id or push id: its body as sent (real numbers masked unless revealed) and every attempt."""
    return push_detail_view(await plane.pushes.show(actor, ref, reveal=reveal))


@router.post("/pushes/{ref}/replay", response_model=PushView)
async def replay_push(actor: ActorDep, plane: ManagementDep, ref: str) -> PushView:
    """Send a dead-lettered push again from the start of the retry ladder, same push id (409 unless dead)."""
    return push_view(await plane.pushes.replay(actor, ref))
