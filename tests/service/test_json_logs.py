"""JSON log lines carry what the task is about (``privnum.service.log_context``), and only while it is."""

from __future__ import annotations

import asyncio
import json
import logging

from privnum.entrypoints.json_logs import JsonFormatter
from privnum.service import log_context


def _line(message: str) -> dict:
    record = logging.LogRecord("privnum.calls", logging.INFO, __file__, 1, message, (), None)
    return json.loads(JsonFormatter().format(record))


def test_a_line_about_a_call_carries_its_ids_and_only_inside() -> None:
    with log_context.about_call("s-1@host", "sub-1", "key-1"):
        inside = _line("call ended")
    after = _line("idle")
    assert {k: inside[k] for k in ("level", "logger", "msg", "session_id", "subscription_id", "app")} == {
        "level": "info", "logger": "privnum.calls", "msg": "call ended", "session_id": "s-1@host",
        "subscription_id": "sub-1", "app": "key-1"}
    assert inside["ts"].endswith("+00:00")
    assert not {"session_id", "subscription_id", "app"} & set(after)


def test_a_task_created_inside_keeps_the_call_after_the_block_ends() -> None:
    async def main() -> dict:
        async def later() -> dict:
            await asyncio.sleep(0)
            return _line("routed")

        with log_context.about_call("s-2@host", None, "key-2"):
            task = asyncio.create_task(later())
        return await task

    line = asyncio.run(main())
    assert line["session_id"] == "s-2@host" and line["app"] == "key-2" and "subscription_id" not in line
