"""Usage ingestion (billing.md R-1, R-7): a usage record per meter for every answered call in ``cdrs`` and every
sent text in ``sms_messages`` of a tenant with a billing account. Records are unique per (app, source, key, meter),
so ingesting again — after a crash, or twice at once — adds nothing."""

from __future__ import annotations

from privnum.domain.billing.plans import PricePlan
from privnum.domain.billing.rent import BILLING_ZONE
from privnum.domain.billing.usage import UsageRecord, call_usage, sms_usage
from privnum.service.billing.ports import BillingTx, BillingUnit, NewUsage

BATCH = 500


def stored(record: UsageRecord, tenant_id: int, source: str) -> NewUsage:
    return NewUsage(tenant_id=tenant_id, app_id=record.app_id, source=source, key=record.key,
                    meter=record.meter.value, number_class=record.number_class.value,
                    x_number=record.privacy_number, quantity=record.quantity, units=record.units,
                    occurred_at_ms=record.occurred_at_ms)


class UsageIngestion:
    def __init__(self, unit: BillingUnit) -> None:
        self.unit = unit

    async def ingest(self, now_ms: int) -> int:
        """Ingest everything not yet ingested, in batches; how many usage records were added."""
        added = 0
        while True:
            batch, more = await self.unit.run(lambda tx: self._batch(tx, now_ms))
            added += batch
            if not more:
                return added

    async def _batch(self, tx: BillingTx, now_ms: int) -> tuple[int, bool]:
        """(records added, whether a full batch was read: there may be more)."""
        plans: dict[str, PricePlan | None] = {}
        records: list[NewUsage] = []
        calls, texts = await tx.calls_to_rate(BATCH), await tx.texts_to_rate(BATCH)
        for call in calls:
            if call.price_plan not in plans:
                plans[call.price_plan] = await tx.plan(call.price_plan)
            plan = plans[call.price_plan]
            if plan is None:
                continue
            usage = call_usage(app_id=call.app_id, icid=call.icid, privacy_number=call.privacy_number,
                               number_type=call.number_type, fwd_answer_time=call.answered_at_ms,
                               call_end_time=call.ended_at_ms, recorded=call.recorded, plan=plan,
                               billing_zone=BILLING_ZONE)
            records.extend(stored(record, call.tenant_id, "cdr") for record in usage)
        for text in texts:
            record = sms_usage(app_id=text.app_id, sms_id=text.sms_id, privacy_number=text.privacy_number,
                               number_type=text.number_type, segments=text.segments, send_result=text.send_result,
                               sent_at_ms=text.received_at_ms, billing_zone=BILLING_ZONE)
            if record is not None:
                records.append(stored(record, text.tenant_id, "sms"))
        added = await tx.add_usage(records, now_ms) if records else 0
        return added, len(calls) == BATCH or len(texts) == BATCH
