"""Block mode (X mode ``callin``): one synchronous, signed POST whose answer decides the call.

Never retried (the caller cannot wait); any failure — timeout, non-2xx, a body that is not a JSON
object — is a reason string, and the engine ends the call (disconnect 8014). The exchange is kept
in the outbox tables as a ``delivered`` or ``failed`` push with its one attempt.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import aiohttp

from privnum.domain.pushes import PushKind
from privnum.huawei.aksk import push_headers
from privnum.service.clock import now_ms
from privnum.service.ports import Outbox


@dataclass(frozen=True)
class BlockExchange:
    answer: dict[str, Any] | None
    reason: str | None  # None when ``answer`` is usable
    http_status: int  # 0 when no HTTP answer
    at_ms: int  # when it ended
    elapsed_ms: int


async def exchange(session: aiohttp.ClientSession, url: str, app_key: str, app_secret: str, body: dict[str, Any],
                   push_id: str, timeout_s: float) -> BlockExchange:
    started = time.monotonic()
    status = 0
    answer: dict[str, Any] | None = None
    reason: str | None = None
    data = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
    try:
        async with session.post(url, data=data, headers=push_headers(app_key, app_secret, push_id),
                                timeout=aiohttp.ClientTimeout(total=timeout_s)) as response:
            status = response.status
            raw = await response.read()
        if not 200 <= status < 300:
            reason = f"HTTP {status}"
        else:
            try:
                parsed = json.loads(raw)
            except ValueError:
                reason = "not JSON"
            else:
                if isinstance(parsed, dict):
                    answer = parsed
                else:
                    reason = "not an object"
    except TimeoutError:
        reason = "timeout"
    except Exception as exc:  # connection refused, bad URL, ...
        reason = f"{type(exc).__name__}: {exc}"[:500]
    return BlockExchange(answer, reason, status, now_ms(), int((time.monotonic() - started) * 1000))


async def log_block_push(exchange_log: Outbox, *, app_id: int, url: str, body: dict[str, Any], push_id: str,
                         result: BlockExchange, kind: PushKind = PushKind.BLOCK_CALLIN) -> int:
    """Keep the exchange as a delivered or failed (never retried) push with its attempt; the row id.
    Call it after the exchange, never inside another transaction."""
    return await exchange_log.log_finished(
        app_id=app_id, kind=kind.value, url=url, body=json.dumps(body, separators=(",", ":"), ensure_ascii=False),
        push_id=push_id, ok=result.reason is None, http_status=result.http_status, error=result.reason,
        at_ms=result.at_ms, elapsed_ms=result.elapsed_ms)
