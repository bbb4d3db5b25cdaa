"""Statistics (业务统计) in the console: the window and grouping form, the bucketed table, and a server-rendered
SVG bar chart of calls and answered calls per bucket (no chart library, no script)."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import HTMLResponse

from privnum.domain.management_errors import Invalid
from privnum.domain.records.statistics import BucketStats
from privnum.domain.records.windows import Bucket, bucket_labels, parse_instant
from privnum.entrypoints.console.i18n import N_
from privnum.entrypoints.console.records import Reader
from privnum.entrypoints.console.rendering import render
from privnum.entrypoints.mgmt.principal import management_of
from privnum.entrypoints.mgmt.records_views import bucket_view

router = APIRouter()
CHART_WIDTH, CHART_HEIGHT, AXIS, MAX_BAR_WIDTH = 720, 220, 24, 18
GROUP_LABELS = {"": N_("No grouping"), "app": N_("Per app"), "city": N_("Per city")}


@dataclass(frozen=True)
class Bar:
    label: str
    x: float
    width: float
    calls_y: float
    calls_height: float
    answered_y: float
    answered_height: float
    calls: int
    answered: int


def chart_bars(labels: list[str], rows: list[BucketStats]) -> list[Bar]:
    """One pair of bars (calls, answered) per bucket of the window (empty ones too), groups summed, scaled to the
    chart's height; none when nothing happened."""
    totals = {label: [0, 0] for label in labels}
    for row in rows:
        total = totals.setdefault(row.bucket, [0, 0])
        total[0] += row.calls
        total[1] += row.answered
    if not any(calls for calls, _ in totals.values()):
        return []
    top = max(calls for calls, _ in totals.values())
    slot = CHART_WIDTH / len(totals)
    width = min(slot * 0.4, MAX_BAR_WIDTH)
    plot = CHART_HEIGHT - AXIS
    bars = []
    for n, (label, (calls, answered)) in enumerate(totals.items()):
        calls_h, answered_h = plot * calls / top, plot * answered / top
        bars.append(Bar(label, round(n * slot + slot / 2 - width, 1), round(width, 1), round(plot - calls_h, 1),
                        round(calls_h, 1), round(plot - answered_h, 1), round(answered_h, 1), calls, answered))
    return bars


@router.get("/statistics")
async def statistics_page(request: Request, actor: Reader) -> HTMLResponse:
    values = {k: request.query_params.get(k, "").strip() for k in ("from", "to", "bucket", "by")}
    errors: dict[str, str] = {}
    rows: list[BucketStats] = []
    names: dict[str, str] = {}
    labels: list[str] = []
    bucket = None
    try:
        if values["bucket"] and values["bucket"] not in ("day", "month"):
            raise Invalid("invalid_bucket", "bucket is day or month", field="bucket")
        stats = await management_of(request).statistics.calls(
            actor, parse_instant(values["from"], "from"), parse_instant(values["to"], "to", end=True),
            bucket=Bucket(values["bucket"]) if values["bucket"] else None, by=values["by"] or None)
        rows, bucket, labels = stats.rows, stats.bucket.value, bucket_labels(stats.window, stats.bucket)
        names = stats.app_names
    except Invalid as refused:
        errors[refused.field or "from"] = refused.message
    by = values["by"] or None
    return render(request, "statistics/page.html", {
        "values": values, "errors": errors, "rows": [bucket_view(r, by, names) for r in rows], "bucket": bucket,
        "by": by, "bars": chart_bars(labels, rows), "groups": GROUP_LABELS, "chart_width": CHART_WIDTH,
        "chart_height": CHART_HEIGHT, "axis": AXIS}, status=422 if errors else 200)
