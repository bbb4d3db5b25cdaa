"""Writing pushes into the outbox inside the caller's transaction (so a push and the state change
that caused it commit together, or neither does)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence

from sqlalchemy import text

from privnum.adapters.db.database import Conn
from privnum.domain.pushes import OutboundPush, PushState

_INSERT = text(
    "INSERT INTO pushes (push_id, app_id, kind, url, body, order_key, state, attempts, next_attempt_at_ms, "
    f"created_at_ms) VALUES (:push_id, :app_id, :kind, :url, :body, :order_key, '{PushState.PENDING.value}', 0, "
    ":now, :now)"
)


async def enqueue(conn: Conn, pushes: Sequence[OutboundPush], now_ms: int) -> None:
    if not pushes:
        return
    await conn.execute(_INSERT, [
        {"push_id": p.push_id or uuid.uuid4().hex, "app_id": p.app_id, "kind": p.kind.value, "url": p.url,
         "body": json.dumps(p.body, separators=(",", ":"), ensure_ascii=False), "order_key": p.order_key,
         "now": now_ms}
        for p in pushes
    ])
