"""The push worker: claims due pushes from the outbox, POSTs them to the customers' servers, records
each outcome (delivered / retry along the ladder / dead-lettered).

- One shared aiohttp session; at most ``concurrency`` deliveries in flight (one connection each).
- Never any network I/O inside a database transaction: claim (one transaction), deliver, then
  record the outcomes of finished deliveries together (one transaction).
- At least once: a worker that dies mid-delivery leaves its lease to expire; the push is then
  delivered again with the same ``X-Push-Id`` (receivers drop duplicates by it).
- Idle: sleeps until the next push is due, at most ``idle_s`` (50 ms), or until ``notify()``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

import aiohttp

from privnum.domain.pushes import retry_delay_ms
from privnum.huawei.aksk import push_headers
from privnum.service.clock import now_ms
from privnum.service.metrics import NO_METER, Meter
from privnum.service.ports import ClaimedPush, Outbox, Outcome

log = logging.getLogger("privnum.pushes")


async def post_push(session: aiohttp.ClientSession, push: ClaimedPush, timeout: aiohttp.ClientTimeout) -> Outcome:
    """One attempt; success is any 2xx answer."""
    started = time.monotonic()
    status, error = 0, None
    try:
        async with session.post(push.url, data=push.body.encode(), timeout=timeout,
                                headers=push_headers(push.app_key, push.app_secret, push.push_id)) as response:
            status = response.status
            await response.read()
            if not 200 <= status < 300:
                error = f"HTTP {status}"
    except TimeoutError:
        error = "timeout"
    except aiohttp.ClientError as exc:
        error = f"{type(exc).__name__}: {exc}"[:500]
    except Exception as exc:  # a malformed URL and the like: a failed attempt, not a dead worker
        error = f"{type(exc).__name__}: {exc}"[:500]
    elapsed = int((time.monotonic() - started) * 1000)
    return Outcome(push, error is None, status, error, now_ms(), elapsed)


class PushWorker:
    def __init__(self, outbox: Outbox, time_scale: float, concurrency: int = 32, timeout_s: float = 10.0, *,
                 lease_s: float | None = None, idle_s: float = 0.05, meter: Meter = NO_METER) -> None:
        self.outbox = outbox
        self.meter = meter
        self.time_scale = time_scale
        self.concurrency = max(1, concurrency)
        self.timeout_s = timeout_s
        self.lease_ms = int((lease_s if lease_s is not None else timeout_s + 5.0) * 1000)
        self.idle_s = idle_s
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self._inflight: set[asyncio.Task[Outcome]] = set()
        self._finished: list[Outcome] = []

    def notify(self) -> None:
        """Pushes were enqueued: look for due ones now rather than at the next poll."""
        self._wake.set()

    def start(self) -> asyncio.Task[None]:
        """Run in the background of the current event loop (idempotent)."""
        if self._task is None or self._task.done():
            self._stopping = False
            self._task = asyncio.create_task(self.run(), name="privnum-push-worker")
        return self._task

    async def stop(self) -> None:
        """Stop claiming, let in-flight deliveries finish (bounded by the timeout) and record them."""
        self._stopping = True
        self._wake.set()
        task = self._task
        if task is not None and not task.done():
            try:
                await asyncio.wait_for(asyncio.shield(task), self.timeout_s + 5.0)
            except (TimeoutError, asyncio.CancelledError):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task

    def _done(self, task: asyncio.Task[Outcome]) -> None:
        self._inflight.discard(task)
        if not task.cancelled() and task.exception() is None:
            self._finished.append(task.result())
        self._wake.set()

    async def _flush(self) -> None:
        if self._finished:
            outcomes, self._finished = self._finished, []
            try:
                await self.outbox.record(outcomes, self.time_scale)
            except Exception:
                # Not recorded: the leases run out and those pushes go out again (at least once).
                log.exception("recording %d push outcomes failed", len(outcomes))
                return
            self._count(outcomes)

    def _count(self, outcomes: list[Outcome]) -> None:
        for o in outcomes:
            dead = not o.ok and retry_delay_ms(o.push.attempts + 1, self.time_scale) is None
            latency = (o.at_ms - o.push.created_at_ms) / 1000 if o.ok else None
            self.meter.push_attempted(o.push.kind, o.ok, dead, latency)

    async def run(self) -> None:
        connector = aiohttp.TCPConnector(limit=self.concurrency, limit_per_host=self.concurrency,
                                         ttl_dns_cache=300)
        timeout = aiohttp.ClientTimeout(total=self.timeout_s)
        idle = False
        async with aiohttp.ClientSession(connector=connector, skip_auto_headers=("User-Agent",)) as session:
            try:
                while not self._stopping:
                    self._wake.clear()
                    await self._flush()
                    free = self.concurrency - len(self._inflight)
                    claimed: list[ClaimedPush] = []
                    if free > 0:
                        try:
                            if not idle or await self.outbox.any_due(now_ms()):
                                claimed = await self.outbox.claim(now_ms(), free, self.lease_ms)
                            idle = not claimed
                        except Exception:
                            log.exception("claiming pushes failed; retrying")
                            claimed, idle = [], True
                    for push in claimed:
                        task = asyncio.create_task(post_push(session, push, timeout))
                        self._inflight.add(task)
                        task.add_done_callback(self._done)
                    if claimed and len(self._inflight) < self.concurrency:
                        continue  # more may be due right away
                    if self._finished:
                        continue
                    await self._sleep(idle)
                if self._inflight:
                    await asyncio.wait(set(self._inflight), timeout=self.timeout_s + 1.0)
                await self._flush()
            finally:
                for task in list(self._inflight):
                    task.cancel()
                self._inflight.clear()

    async def _sleep(self, idle: bool) -> None:
        """Until a delivery finishes, notify(), the poll interval ends or (idle) a retry falls due. Pushes
        due now but not claimable (order, other workers' leases) change only when a delivery ends."""
        wait = self.idle_s
        if idle:
            with contextlib.suppress(Exception):
                now = now_ms()
                due = await self.outbox.next_due_after(now)
                if due is not None:
                    wait = min(wait, max(0.001, (due - now) / 1000))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), wait)
