"""The SMS relay: records what gateways hand over, decides each text, sends it, reports it.

- ``arrived`` writes the text and returns at once (a gateway retries until it gets its answer, and drops
  the text after its last retry: recording first is what makes a text, once acknowledged, safe).
- The worker (``start``) claims due messages under a lease (several processes share the work), decides
  them (domain/sms/routing), asks the customer for Block ones (each in its own task: the customer may take
  seconds), sends through the gateway, and settles them with their Notify in one transaction.
- Writes are conditional on the state and on the claim's lease: a message is settled and notified once,
  whoever (this worker, another process, a delivery report) gets there first.
- A send whose outcome is unknown (the process died during it) is in doubt: a delivery report naming the
  message settles it as sent; without one it is sent again after ``in_doubt_ms``.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from privnum.domain.apps import App
from privnum.domain.private_numbers import PrivateNumber
from privnum.domain.pushes import OutboundPush, PushKind
from privnum.domain.sms.answers import BlockAnswer, Discard
from privnum.domain.sms.message import Delivery, SmsMessage, SmsState
from privnum.domain.sms.results import SendResult
from privnum.domain.sms.routing import (
    UNKNOWN,
    AskCustomer,
    Deliver,
    Drop,
    SmsDecision,
    SmsFacts,
    deliver,
    route_sms,
)
from privnum.domain.sms.segments import segment_count
from privnum.service.background import cancel_and_wait
from privnum.service.clock import now_ms
from privnum.service.metrics import NO_METER, Meter
from privnum.service.sms.facts import load_sms_facts
from privnum.service.sms.ports import (
    OutboundSms,
    SendOutcome,
    SendStatus,
    SmsBlockAsker,
    SmsGateway,
    SmsPushFormatter,
    SmsStore,
    SmsTx,
)

log = logging.getLogger("privnum.sms")

MAX_TEXT = 2000  # smsContent is String(1-2000); longer texts are cut by gateways anyway


class Apps(Protocol):
    async def by_id(self, app_id: int) -> App | None: ...


@dataclass(frozen=True)
class RelaySettings:
    max_segments: int = 10  # Kannel's sendsms-user max-messages: it cuts longer texts silently
    give_up_ms: int = 3_600_000  # a gateway unreachable this long after arrival: sendResult 10
    in_doubt_ms: int = 30_000
    block_timeout_s: float = 5.0
    batch: int = 64
    idle_s: float = 0.05

    @property
    def lease_ms(self) -> int:
        return int(self.block_timeout_s * 1000) + 20_000


def retry_delay_ms(attempts: int) -> int:
    """After ``attempts`` failed sends: 1 s, doubling, at most 60 s."""
    return min(60_000, 1000 * 2 ** max(0, attempts - 1))


class SmsRelay:
    def __init__(self, store: SmsStore, apps: Apps, gateway: SmsGateway, asker: SmsBlockAsker,
                 formatter: SmsPushFormatter, settings: RelaySettings | None = None,
                 on_enqueued: Callable[[], None] | None = None, meter: Meter = NO_METER) -> None:
        self.store = store
        self.meter = meter
        self.apps = apps
        self.gateway = gateway
        self.asker = asker
        self.formatter = formatter
        self.settings = settings or RelaySettings()
        self._on_enqueued = on_enqueued
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._asking: set[asyncio.Task[None]] = set()

    # what gateways tell the relay (SmsSignals)

    async def arrived(self, gateway: str, reference: str, sender: str, x_number: str, text: str) -> str:
        now = now_ms()
        message = SmsMessage(id=0, sms_id=uuid.uuid4().hex, gateway=gateway, gateway_ref=reference, sender=sender,
                             x_number=x_number, text=text[:MAX_TEXT], received_at_ms=now, state=SmsState.RECEIVED)
        arrival = await self.store.run(lambda tx: tx.arrive(message))
        if arrival.new:
            self._wake.set()
        return arrival.sms_id

    async def reported(self, sms_id: str, delivery: Delivery, detail: str) -> bool:
        now = now_ms()

        async def work(tx: SmsTx) -> SmsMessage | None:
            message = await tx.report(sms_id, delivery, detail, now)
            if message is None or message.state is not SmsState.SENDING or delivery is Delivery.BUFFERED:
                return message
            settled = _sent(message, now)  # the gateway has it: a send in doubt, or one that looked failed, went
            if await tx.save_message(settled, expect=SmsState.SENDING, lease=message.lease_until_ms,
                                     next_attempt_at_ms=0):
                await self._notify(tx, settled, now)
            return message

        found = await self.store.run(work)
        return found is not None

    async def message(self, sms_id: str) -> SmsMessage | None:
        return await self.store.run(lambda tx: tx.message(sms_id), read_only=True)

    # the worker

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="privnum-sms-relay")

    async def stop(self) -> None:
        await cancel_and_wait(self._task)
        self._task = None
        for task in list(self._asking):
            await cancel_and_wait(task)
        await self.asker.close()
        await self.gateway.close()

    async def _run(self) -> None:
        while True:
            try:
                worked = await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("SMS relay pass failed; trying again")
                worked = False
            if not worked:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.settings.idle_s)

    async def run_once(self) -> bool:
        """Claim and handle one batch of due messages; False when none was due."""
        s = self.settings
        now = now_ms()
        if not await self.store.any_due(now):  # a read: idle processes take no write lock every pass
            return False
        batch = await self.store.run(lambda tx: tx.claim_messages(now, s.batch, s.lease_ms))
        if not batch:
            return False
        fresh = [m for m in batch if m.state is SmsState.RECEIVED]
        again = [m for m in batch if m.state is SmsState.SENDING]
        decided = await self._decide(fresh) if fresh else []
        direct: list[tuple[SmsMessage, App | None, SmsDecision]] = []
        for message, app, decision in decided:
            if isinstance(decision, AskCustomer) and app is not None:
                task = asyncio.create_task(self._ask(message, app, decision), name=f"sms-block-{message.sms_id}")
                self._asking.add(task)
                task.add_done_callback(self._asking.discard)
            else:
                direct.append((message, app, decision))
        if direct:
            await self._settle_decisions(direct)
        if again:
            await self._send_again(again)
        return True

    async def _decide(self, messages: list[SmsMessage]) -> list[tuple[SmsMessage, App | None, SmsDecision]]:
        now = now_ms()

        async def numbers(tx: SmsTx) -> dict[int, PrivateNumber | None]:
            return {m.id: await tx.number(m.x_number) for m in messages}

        found = await self.store.run(numbers, read_only=True)
        apps: dict[int, App | None] = {}
        for app_id in {n.app_id for n in found.values() if n is not None and n.app_id is not None}:
            apps[app_id] = await self.apps.by_id(app_id)

        async def decide_all(tx: SmsTx) -> list[tuple[SmsMessage, App | None, SmsDecision]]:
            out: list[tuple[SmsMessage, App | None, SmsDecision]] = []
            for m in messages:
                number = found.get(m.id)
                app = apps.get(number.app_id) if number is not None and number.app_id is not None else None
                try:
                    decision = route_sms(await load_sms_facts(tx, m, app, number, now))
                except Exception:
                    log.exception("deciding SMS %s failed", m.sms_id)
                    decision = Drop(SendResult.INTERNAL_ERROR)
                out.append((m, app, decision))
            return out

        return await self.store.run(decide_all, read_only=True)

    async def _ask(self, message: SmsMessage, app: App, asked: AskCustomer) -> None:
        """A Block SMS event; the answer becomes the decision (6 discarded, 7 no valid answer)."""
        decision: SmsDecision
        try:
            url = app.callbacks.sms_control or app.callbacks.sms
            answer: BlockAnswer | None = None
            if url:
                binding = asked.binding
                body = self.formatter.block(app, _decided(message, app, asked), now_ms(), segment_count(message.text),
                                            asked.direction, binding.options.user_data if binding is not None else None)
                answer = await self.asker.ask(app, url, body)
            decision = _answered(message, asked, answer)
            await self._settle_decisions([(message, app, decision)])
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("Block SMS %s failed", message.sms_id)

    async def _settle_decisions(self, decided: list[tuple[SmsMessage, App | None, SmsDecision]]) -> None:
        """Record each decision (drops with their Notify; deliveries as sending), then send."""
        now = now_ms()
        s = self.settings
        to_send: list[tuple[SmsMessage, App | None]] = []
        finished: list[int] = []

        async def record(tx: SmsTx) -> None:
            to_send.clear()
            finished.clear()
            for message, app, decision in decided:
                if isinstance(decision, Deliver) and decision.segments > s.max_segments:
                    decision = Drop(SendResult.NOT_SENT, decision.binding)
                if isinstance(decision, AskCustomer):  # no app to ask
                    decision = Drop(SendResult.CUSTOMER_TIMED_OUT, decision.binding)
                updated = _decided(message, app, decision)
                if isinstance(decision, Deliver):
                    updated = dataclasses.replace(updated, state=SmsState.SENDING, send_started_at_ms=now,
                                                  send_attempts=updated.send_attempts + 1,
                                                  lease_until_ms=now + s.lease_ms)
                    if await tx.save_message(updated, expect=SmsState.RECEIVED, lease=message.lease_until_ms,
                                     next_attempt_at_ms=now + s.lease_ms):
                        to_send.append((updated, app))
                    continue
                updated = dataclasses.replace(updated, state=SmsState.DONE, send_result=int(decision.result),
                                              finished_at_ms=now)
                if await tx.save_message(updated, expect=SmsState.RECEIVED, lease=message.lease_until_ms,
                                 next_attempt_at_ms=0):
                    finished.append(int(decision.result))
                    if app is not None:
                        await self._notify(tx, updated, now, app)

        await self.store.run(record)
        self._count(finished)
        self._enqueued()
        if to_send:
            await self._send(to_send)

    async def _send_again(self, messages: list[SmsMessage]) -> None:
        """Messages due again in ``sending``: after a failed send, or in doubt after a crash."""
        now = now_ms()
        s = self.settings
        to_send: list[tuple[SmsMessage, App | None]] = []
        apps: dict[int | None, App | None] = {m.app_id: await self.apps.by_id(m.app_id) for m in messages
                                              if m.app_id is not None}

        async def record(tx: SmsTx) -> None:
            to_send.clear()
            for m in messages:
                if m.in_doubt and now < (m.send_started_at_ms or 0) + s.in_doubt_ms:
                    wait_until = (m.send_started_at_ms or 0) + s.in_doubt_ms
                    await tx.save_message(m, expect=SmsState.SENDING, lease=m.lease_until_ms,
                                          next_attempt_at_ms=wait_until)
                    continue
                updated = dataclasses.replace(m, send_started_at_ms=now, send_attempts=m.send_attempts + 1,
                                              lease_until_ms=now + s.lease_ms)
                if await tx.save_message(updated, expect=SmsState.SENDING, lease=m.lease_until_ms,
                                 next_attempt_at_ms=now + s.lease_ms):
                    to_send.append((updated, apps.get(m.app_id)))

        await self.store.run(record)
        if to_send:
            await self._send(to_send)

    async def _send(self, messages: list[tuple[SmsMessage, App | None]]) -> None:
        outcomes = await asyncio.gather(*(self._send_one(m) for m, _ in messages))
        now = now_ms()
        s = self.settings
        finished: list[int] = []

        async def record(tx: SmsTx) -> None:
            finished.clear()
            for (m, app), outcome in zip(messages, outcomes, strict=True):
                if outcome.status is SendStatus.ACCEPTED:
                    updated = _sent(m, now)
                elif outcome.status is SendStatus.REFUSED or now - m.received_at_ms >= s.give_up_ms:
                    updated = dataclasses.replace(m, state=SmsState.DONE, send_result=int(SendResult.NOT_SENT),
                                                  send_started_at_ms=None, last_error=outcome.detail[:500],
                                                  finished_at_ms=now)
                elif outcome.status is SendStatus.IN_DOUBT:  # wait for its delivery report before sending again
                    doubt = dataclasses.replace(m, last_error=outcome.detail[:500])
                    await tx.save_message(doubt, expect=SmsState.SENDING, lease=m.lease_until_ms,
                                          next_attempt_at_ms=(m.send_started_at_ms or now) + s.in_doubt_ms)
                    continue
                else:
                    retry_at = now + retry_delay_ms(m.send_attempts)
                    retry = dataclasses.replace(m, send_started_at_ms=None, last_error=outcome.detail[:500],
                                                lease_until_ms=None)
                    await tx.save_message(retry, expect=SmsState.SENDING, lease=m.lease_until_ms,
                                          next_attempt_at_ms=retry_at)
                    continue
                if await tx.save_message(updated, expect=SmsState.SENDING, lease=m.lease_until_ms,
                                 next_attempt_at_ms=0):
                    finished.append(int(updated.send_result if updated.send_result is not None
                                        else SendResult.NOT_SENT))
                    if app is not None:
                        await self._notify(tx, updated, now, app)

        await self.store.run(record)
        self._count(finished)
        self._enqueued()

    async def _send_one(self, m: SmsMessage) -> SendOutcome:
        try:
            return await self.gateway.send(OutboundSms(m.sms_id, m.from_number or m.x_number, m.receiver or "",
                                                       m.forwarded_text or ""))
        except Exception as error:  # a gateway bug is a failed attempt, not a dead worker
            log.exception("sending SMS %s failed", m.sms_id)
            return SendOutcome(SendStatus.UNAVAILABLE, f"{type(error).__name__}: {error}")

    async def _notify(self, tx: SmsTx, message: SmsMessage, now: int, app: App | None = None) -> None:
        app = app or (await self.apps.by_id(message.app_id) if message.app_id is not None else None)
        if app is None or not app.callbacks.sms:
            return
        body = self.formatter.notify(app, message, now)
        await tx.enqueue([OutboundPush(app.id, PushKind.SMS_EVENT, app.callbacks.sms, body,
                                       order_key=f"sms:{message.sms_id}")], now)

    def _count(self, send_results: list[int]) -> None:
        for result in send_results:
            self.meter.sms_finished(result)

    def _enqueued(self) -> None:
        if self._on_enqueued is not None:
            self._on_enqueued()


def _decided(message: SmsMessage, app: App | None, decision: SmsDecision) -> SmsMessage:
    """The message with what the decision says about it (not yet its state)."""
    binding = decision.binding
    fields: dict[str, object] = {
        "app_id": app.id if app is not None else None, "mode": app.mode.value if app is not None else None,
        "binding_id": binding.id if binding is not None else None,
    }
    if isinstance(decision, Deliver):
        fields.update(receiver=decision.receiver, from_number=decision.from_number, forwarded_text=decision.text,
                      segments=decision.segments, direction=decision.direction, user_data=decision.user_data,
                      notification_mode="Notify")
    elif isinstance(decision, AskCustomer):
        fields.update(direction=decision.direction, notification_mode="Block",
                      user_data=binding.options.user_data if binding is not None else None)
    else:
        fields.update(direction=UNKNOWN,
                      user_data=binding.options.user_data if binding is not None else message.user_data)
    return dataclasses.replace(message, **fields)  # type: ignore[arg-type]


def _answered(message: SmsMessage, asked: AskCustomer, answer: BlockAnswer | None) -> SmsDecision:
    if answer is None:
        return Drop(SendResult.CUSTOMER_TIMED_OUT, asked.binding)
    if isinstance(answer, Discard):
        return Drop(SendResult.CUSTOMER_DISCARDED, asked.binding)
    facts = SmsFacts(message.sender, message.x_number, message.text, None, None)
    decided = deliver(facts, None, to=answer.called, text=message.text, direction=asked.direction)
    if isinstance(decided, Deliver):
        user_data = answer.user_data or (asked.binding.options.user_data if asked.binding is not None else None)
        return dataclasses.replace(decided, binding=asked.binding, user_data=user_data)
    return decided


def _sent(message: SmsMessage, now: int) -> SmsMessage:
    return dataclasses.replace(message, state=SmsState.SENT, send_result=int(SendResult.SENT),
                               send_started_at_ms=None, finished_at_ms=now)
