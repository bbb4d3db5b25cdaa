"""``privnum doctor``: does each app's push URL answer at all? A HEAD with a short timeout; any HTTP status is an
answer (pushes are POSTs, so 404 or 405 to a HEAD says the server is there)."""

from __future__ import annotations

import asyncio

import aiohttp

from privnum.domain.health_checks import CallbackTarget, CheckResult, callback_check

PARALLEL = 32


async def _status(session: aiohttp.ClientSession, url: str, slots: asyncio.Semaphore) -> tuple[int | None, str | None]:
    try:
        async with slots, session.head(url, allow_redirects=False) as reply:
            return reply.status, None
    except (aiohttp.ClientError, TimeoutError, OSError, ValueError) as error:
        return None, str(error) or type(error).__name__


async def check_callback_urls(targets: list[CallbackTarget], timeout_s: float = 3.0) -> list[CheckResult]:
    if not targets:
        return []
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout_s)) as session:
        slots = asyncio.Semaphore(PARALLEL)
        answers = await asyncio.gather(*(_status(session, t.url, slots) for t in targets))
    return [callback_check(t, status, error) for t, (status, error) in zip(targets, answers, strict=True)]
