"""Block SMS events: one signed POST to the app's SMS control URL whose answer says where a text goes.

Never retried; kept in the outbox tables as a ``block_sms`` push with its one attempt. No answer in time,
a non-2xx answer or one that is not Huawei's ``actions`` give None (sendResult 7).
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

import aiohttp

from privnum.adapters.push.block_client import exchange, log_block_push
from privnum.domain.apps import App
from privnum.domain.pushes import PushKind
from privnum.domain.sms.answers import BlockAnswer
from privnum.huawei.sms_block import read_sms_block_answer
from privnum.service.ports import Outbox

log = logging.getLogger("privnum.sms")


class HuaweiSmsBlockAsker:
    def __init__(self, exchange_log: Outbox, timeout_s: float) -> None:
        self.exchange_log = exchange_log
        self.timeout_s = timeout_s
        self._http: aiohttp.ClientSession | None = None

    async def ask(self, app: App, url: str, body: dict[str, Any]) -> BlockAnswer | None:
        if self._http is None:
            self._http = aiohttp.ClientSession()
        push_id = uuid.uuid4().hex
        result = await exchange(self._http, url, app.app_key, app.app_secret, body, push_id, self.timeout_s)
        decision = read_sms_block_answer(result.answer) if result.answer is not None else None
        if result.answer is not None and decision is None:
            result = type(result)(result.answer, "not a Block SMS answer", result.http_status, result.at_ms,
                                  result.elapsed_ms)
        await log_block_push(self.exchange_log, app_id=app.id, url=url, body=body, push_id=push_id, result=result,
                             kind=PushKind.BLOCK_SMS)
        if decision is None:
            log.info("Block SMS %s got no valid answer: %s", body.get("smsEvent", {}).get("smsIdentifier"),
                     result.reason or result.answer)
        return decision

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()
            self._http = None
