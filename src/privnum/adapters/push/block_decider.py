"""X mode's BlockDecider: push the Block ``callin`` to the app's call-status URL and read the answer.

One signed POST with a deadline (5 s by default); never retried; kept in the outbox tables as a
delivered or failed push. No answer, a late one or an invalid one gives None (the call ends, 8014).
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

import aiohttp

from privnum.adapters.push.block_client import exchange, log_block_push
from privnum.domain.apps import App
from privnum.domain.calls.routing import Rejection, Route
from privnum.domain.calls.session import CallSession
from privnum.huawei.block import read_block_answer
from privnum.service.ports import Outbox

log = logging.getLogger("privnum.block")


class HuaweiBlockDecider:
    def __init__(self, exchange_log: Outbox, timeout_s: float) -> None:
        self.exchange_log = exchange_log
        self.timeout_s = timeout_s
        self._http: aiohttp.ClientSession | None = None

    async def decide(self, app: App, session: CallSession, body: dict[str, Any]) -> Route | Rejection | None:
        if self._http is None:
            self._http = aiohttp.ClientSession()
        url, push_id = app.callbacks.call_status or "", uuid.uuid4().hex
        result = await exchange(self._http, url, app.app_key, app.app_secret, body, push_id, self.timeout_s)
        await log_block_push(self.exchange_log, app_id=app.id, url=url, body=body, push_id=push_id, result=result)
        answer, reason = result.answer, result.reason
        if answer is None:
            log.info("Block callin of %s got no usable answer: %s", session.id, reason)
            return None
        decision = read_block_answer(answer, session.called, app.recording_enabled)
        if decision is None:
            log.info("Block callin of %s got an invalid answer: %s", session.id, answer)
        return decision

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()
