"""Call statistics (业务统计): per day or month bucket (Beijing time), optionally per app or per city (the X's
area code): calls, answered, connect rate, billed minutes, bindings made, SMS sent (sendResult 0) and their
segments. A tenant sees its own apps only; the database counts per day, ``roll_up`` makes the buckets."""

from __future__ import annotations

from dataclasses import dataclass, field

from privnum.domain.access import Actor, Permission
from privnum.domain.management_errors import Invalid
from privnum.domain.records.statistics import BucketStats, roll_up
from privnum.domain.records.windows import Bucket, Window, stats_window
from privnum.service.clock import now_ms
from privnum.service.management.ports import ManagementTx, ManagementUnit
from privnum.service.management.records_ports import StatsFilter

GROUPS = ("app", "city")


@dataclass(frozen=True)
class CallStats:
    window: Window
    bucket: Bucket  # day for ≤ 31 days unless asked, else month
    rows: list[BucketStats]  # one per bucket and group that had any call, binding or SMS sent
    app_names: dict[str, str] = field(default_factory=dict)  # by=app: the group (app id) → the app's name


class CallStatistics:
    def __init__(self, unit: ManagementUnit) -> None:
        self.unit = unit

    async def calls(self, actor: Actor, from_ms: int | None, to_ms: int | None, *, bucket: Bucket | None = None,
                    by: str | None = None, app_id: int | None = None) -> CallStats:
        actor.require(Permission.READ)
        if by is not None and by not in GROUPS:
            raise Invalid("invalid_group", "by is app or city", field="by")
        window, chosen = stats_window(from_ms, to_ms, now_ms(), bucket)
        where = StatsFilter(window, tenant_id=actor.tenant_scope(), app_id=app_id, by=by)

        async def work(tx: ManagementTx) -> CallStats:
            rows = roll_up([*await tx.call_days(where), *await tx.bind_days(where), *await tx.sms_days(where)],
                           chosen)
            names: dict[str, str] = {}
            for group in {r.group for r in rows} if by == "app" else ():
                app = await tx.app_by_id(int(group))
                names[group] = app.name if app is not None else ""
            return CallStats(window, chosen, rows, names)

        return await self.unit.run(work, read_only=True)
