"""The billing webhook (billing.md R-14, R-27): ``privnum serve`` POSTs each billing notification, as stored, to
the operator's ``PRIVNUM_BILLING_WEBHOOK_URL``.

- The body is the notification's JSON (``Content-Type: application/json``); ``X-Privnum-Notification`` carries its
  key (the same on every attempt: a receiver drops duplicates by it). With ``PRIVNUM_BILLING_WEBHOOK_SECRET`` set,
  ``X-Privnum-Signature: sha256=<hex>`` is the HMAC-SHA256 of the body's bytes under that secret.
- Any 2xx is delivered; anything else (an error status, a timeout, a refused connection) is retried along the push
  ladder (1, 4, 9, 106, 203, 300 minutes, then every 300; scaled by PRIVNUM_TIME_SCALE).
- The rows are committed before the webhook is called and claimed under a lease, so a killed server loses nothing:
  its claims run out and another process (or it, restarted) sends them again. No network I/O in a transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
from collections.abc import Callable

import aiohttp

from privnum.service.billing.notice_ports import ClaimedNotice, NoticeOutbox, NoticeOutcome
from privnum.service.clock import now_ms as wall_clock_ms

log = logging.getLogger("privnum.billing.webhook")

SIGNATURE_HEADER = "X-Privnum-Signature"
KEY_HEADER = "X-Privnum-Notification"


def signature(secret: str, body: bytes) -> str:
    """``sha256=<hex HMAC-SHA256 of body>``, what ``X-Privnum-Signature`` carries."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


async def post_notice(session: aiohttp.ClientSession, url: str, secret: str | None, notice: ClaimedNotice,
                      timeout: aiohttp.ClientTimeout, clock: Callable[[], int]) -> NoticeOutcome:
    body = notice.body.encode()
    headers = {"Content-Type": "application/json", KEY_HEADER: notice.key}
    if secret:
        headers[SIGNATURE_HEADER] = signature(secret, body)
    error = None
    try:
        async with session.post(url, data=body, headers=headers, timeout=timeout) as response:
            await response.read()
            if not 200 <= response.status < 300:
                error = f"HTTP {response.status}"
    except TimeoutError:
        error = "timeout"
    except Exception as exc:  # refused, a bad URL and the like: a failed attempt, never a dead deliverer
        error = f"{type(exc).__name__}: {exc}"[:500]
    return NoticeOutcome(notice, error is None, error, clock())


class BillingWebhook:
    def __init__(self, outbox: NoticeOutbox, url: str, secret: str | None = None, *, time_scale: float = 1.0,
                 timeout_s: float = 10.0, poll_s: float = 1.0, batch: int = 20,
                 clock: Callable[[], int] = wall_clock_ms) -> None:
        self.outbox = outbox
        self.url = url
        self.secret = secret
        self.time_scale = time_scale
        self.timeout_s = timeout_s
        self.lease_ms = int((timeout_s + 5.0) * 1000)
        self.poll_s = poll_s
        self.batch = batch
        self.clock = clock
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self.run(), name="privnum-billing-webhook")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def run(self) -> None:
        timeout = aiohttp.ClientTimeout(total=self.timeout_s)
        async with aiohttp.ClientSession(skip_auto_headers=("User-Agent",)) as session:
            while True:
                sent = 0
                try:
                    sent = await self.deliver_due(session, timeout)
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("billing webhook pass failed; retrying")
                if sent == 0:
                    await asyncio.sleep(self.poll_s)

    async def deliver_due(self, session: aiohttp.ClientSession, timeout: aiohttp.ClientTimeout) -> int:
        """Claim what is due, POST it (concurrently), record the outcomes; how many were tried."""
        claimed = await self.outbox.claim(self.clock(), self.batch, self.lease_ms)
        if not claimed:
            return 0
        outcomes = await asyncio.gather(*(post_notice(session, self.url, self.secret, notice, timeout, self.clock)
                                          for notice in claimed))
        for outcome in outcomes:
            if not outcome.delivered:
                log.warning("billing notification %s not delivered: %s", outcome.notice.key, outcome.error)
        await self.outbox.record(outcomes, self.time_scale)
        return len(claimed)
