"""The SMS relay's rows (``sms_messages``), read and written inside one transaction; implements ``SmsStore``
and ``SmsTx`` (service/sms/ports.py). Binding reads and the outbox are the call store's.

- Arrival is ``INSERT … ON CONFLICT (gateway, gateway_ref) DO NOTHING``: a text handed over twice is one row.
- Claiming moves ``next_attempt_at_ms`` and ``lease_until_ms`` to the lease end (PostgreSQL: ``FOR UPDATE SKIP
  LOCKED``; SQLite is single-writer), so a message whose worker died becomes due again by itself.
- Every save is conditional on the state and the lease it was claimed under.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy import bindparam, select, text, update

from privnum.adapters.db.call_store import SqlCallTx
from privnum.adapters.db.database import Conn, Database
from privnum.adapters.db.engine import with_retries
from privnum.adapters.db.tables import sms_messages
from privnum.domain.sms.message import Delivery, SmsMessage, SmsState, later_report
from privnum.service.sms.ports import Arrival

T = TypeVar("T")

_DUE = (SmsState.RECEIVED.value, SmsState.SENDING.value)
_ARRIVE = text(
    "INSERT INTO sms_messages (sms_id, gateway, gateway_ref, sender, x_number, text, received_at_ms, state, "
    "next_attempt_at_ms, segments, send_attempts) VALUES (:sms_id, :gateway, :gateway_ref, :sender, :x_number, "
    ":text, :received_at_ms, :state, :received_at_ms, 0, 0) ON CONFLICT (gateway, gateway_ref) DO NOTHING"
)
_CLAIM_SELECT = (
    "SELECT id FROM sms_messages WHERE state IN ('received', 'sending') AND next_attempt_at_ms <= :now "
    "ORDER BY next_attempt_at_ms, id LIMIT :limit"
)
_CLAIM_SQLITE = text(_CLAIM_SELECT)
_CLAIM_PG = text(_CLAIM_SELECT + " FOR UPDATE SKIP LOCKED")
_LEASE = (update(sms_messages).where(sms_messages.c.id.in_(bindparam("ids", expanding=True)))
          .values(lease_until_ms=bindparam("lease"), next_attempt_at_ms=bindparam("lease")))
_ANY_DUE = text("SELECT 1 FROM sms_messages WHERE state IN ('received', 'sending') AND next_attempt_at_ms <= :now "
                "LIMIT 1")

_FIELDS = ("app_id", "mode", "binding_id", "receiver", "from_number", "forwarded_text", "segments", "direction",
           "user_data", "notification_mode", "send_result", "send_attempts", "send_started_at_ms", "last_error",
           "finished_at_ms", "lease_until_ms")
# Hot-path statements are prepared text() once: building Core expressions per message cost more than SQLite
_SAVE_SET = ", ".join(f"{name} = :{name}" for name in (*_FIELDS, "state", "next_attempt_at_ms"))
_SAVE = text(f"UPDATE sms_messages SET {_SAVE_SET} WHERE id = :id AND state = :expect AND lease_until_ms = :lease")
_SAVE_UNLEASED = text(f"UPDATE sms_messages SET {_SAVE_SET} WHERE id = :id AND state = :expect "
                      "AND lease_until_ms IS NULL")
_BY_SMS_ID = text("SELECT * FROM sms_messages WHERE sms_id = :sms_id")
_BY_REF = text("SELECT sms_id FROM sms_messages WHERE gateway = :gateway AND gateway_ref = :gateway_ref")
_REPORT = text("UPDATE sms_messages SET delivery = :delivery, delivery_detail = :detail, delivery_at_ms = :now "
               "WHERE id = :id")


def message_from_row(row: Any) -> SmsMessage:
    return SmsMessage(
        id=row.id, sms_id=row.sms_id, gateway=row.gateway, gateway_ref=row.gateway_ref, sender=row.sender,
        x_number=row.x_number, text=row.text, received_at_ms=row.received_at_ms, state=SmsState(row.state),
        lease_until_ms=row.lease_until_ms, app_id=row.app_id, mode=row.mode, binding_id=row.binding_id,
        receiver=row.receiver, from_number=row.from_number, forwarded_text=row.forwarded_text,
        segments=row.segments, direction=row.direction, user_data=row.user_data,
        notification_mode=row.notification_mode, send_result=row.send_result, send_attempts=row.send_attempts,
        send_started_at_ms=row.send_started_at_ms, last_error=row.last_error,
        delivery=Delivery(row.delivery) if row.delivery else None, delivery_detail=row.delivery_detail,
        finished_at_ms=row.finished_at_ms)


class SqlSmsTx(SqlCallTx):
    def __init__(self, conn: Conn, *, postgres: bool) -> None:
        super().__init__(conn)
        self.is_postgres = postgres

    async def arrive(self, message: SmsMessage) -> Arrival:
        done = await self.conn.execute(_ARRIVE, {
            "sms_id": message.sms_id, "gateway": message.gateway, "gateway_ref": message.gateway_ref,
            "sender": message.sender, "x_number": message.x_number, "text": message.text,
            "received_at_ms": message.received_at_ms, "state": message.state.value})
        if done.rowcount == 1:
            return Arrival(message.sms_id, True)
        row = (await self.conn.execute(_BY_REF, {"gateway": message.gateway,
                                                 "gateway_ref": message.gateway_ref})).one()
        return Arrival(row.sms_id, False)

    async def message(self, sms_id: str) -> SmsMessage | None:
        row = (await self.conn.execute(_BY_SMS_ID, {"sms_id": sms_id})).first()
        return message_from_row(row) if row is not None else None

    async def claim_messages(self, now_ms: int, limit: int, lease_ms: int) -> list[SmsMessage]:
        claim = _CLAIM_PG if self.is_postgres else _CLAIM_SQLITE
        ids = [row.id for row in await self.conn.execute(claim, {"now": now_ms, "limit": limit})]
        if not ids:
            return []
        await self.conn.execute(_LEASE, {"ids": ids, "lease": now_ms + lease_ms})
        rows = await self.conn.execute(select(sms_messages).where(sms_messages.c.id.in_(ids))
                                       .order_by(sms_messages.c.received_at_ms, sms_messages.c.id))
        return [message_from_row(row) for row in rows]

    async def save_message(self, message: SmsMessage, *, expect: SmsState, lease: int | None,
                           next_attempt_at_ms: int) -> bool:
        values = {name: getattr(message, name) for name in _FIELDS}
        values.update(state=message.state.value, next_attempt_at_ms=next_attempt_at_ms, id=message.id,
                      expect=expect.value, lease=lease)
        done = await self.conn.execute(_SAVE_UNLEASED if lease is None else _SAVE, values)
        return done.rowcount == 1

    async def report(self, sms_id: str, delivery: Delivery, detail: str, now_ms: int) -> SmsMessage | None:
        found = await self.message(sms_id)
        if found is None:
            return None
        if later_report(found.delivery, delivery):
            await self.conn.execute(_REPORT, {"delivery": delivery.value, "detail": detail[:500], "now": now_ms,
                                              "id": found.id})
        return found


class SqlSmsStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def run(self, work: Callable[[SqlSmsTx], Awaitable[T]], *, read_only: bool = False) -> T:
        async def attempt() -> T:
            async with self.db.reading() if read_only else self.db.transaction() as conn:
                return await work(SqlSmsTx(conn, postgres=self.db.is_postgres))

        return await with_retries(attempt)

    async def any_due(self, now_ms: int) -> bool:
        async with self.db.reading() as conn:
            return (await conn.execute(_ANY_DUE, {"now": now_ms})).first() is not None
