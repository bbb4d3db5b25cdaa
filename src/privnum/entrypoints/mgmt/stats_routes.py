"""Statistics (业务统计): calls, answered, connect rate, minutes and bindings per day or month (Beijing time)."""

from __future__ import annotations

from fastapi import APIRouter, Query

from privnum.domain.records.windows import Bucket, parse_instant
from privnum.entrypoints.mgmt.principal import ActorDep, ManagementDep
from privnum.entrypoints.mgmt.records_routes import MAX_ID
from privnum.entrypoints.mgmt.records_views import StatsView, bucket_view

router = APIRouter(prefix="/mgmt/v1", tags=["management: statistics"])


@router.get("/stats/calls", response_model=StatsView)
async def call_stats(actor: ActorDep, plane: ManagementDep,
                     from_: str | None = Query(None, alias="from", max_length=40),
                     to: str | None = Query(None, max_length=40), bucket: Bucket | None = Query(None),
                     by: str | None = Query(None, max_length=16),
                     app_id: int | None = Query(None, ge=1, le=MAX_ID)) -> StatsView:
    """At most 183 days within the last 2 years; day buckets up to 31 days (the default there), else months."""
    stats = await plane.statistics.calls(actor, parse_instant(from_, "from"), parse_instant(to, "to", end=True),
                                         bucket=bucket, by=by or None, app_id=app_id)
    return StatsView(from_ms=stats.window.from_ms, to_ms=stats.window.to_ms, bucket=stats.bucket.value, by=by or None,
                     timezone="UTC+08:00 (Beijing)", rows=[bucket_view(r, by, stats.app_names) for r in stats.rows])
