"""Calls in the database: a session row per call, saved with the pushes its transition caused in one
transaction, the call's CDR row when it ends, and the registry of running privnum instances used to
recover calls of dead ones."""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import text

from privnum.adapters.db.database import Database
from privnum.adapters.db.engine import with_retries
from privnum.adapters.db.outbox_enqueue import enqueue
from privnum.adapters.db.provisioning_store import SqlProvisioningTx
from privnum.domain.calls.cdr import Cdr
from privnum.domain.calls.session import CallSession, CallState
from privnum.domain.pushes import OutboundPush

T = TypeVar("T")

_INSERT_CALL = text(
    "INSERT INTO calls (id, app_id, owner, state, data, created_at_ms, updated_at_ms) "
    "VALUES (:id, :app_id, :owner, :state, :data, :now, :now)"
)
_UPDATE_CALL = text(
    "UPDATE calls SET state = :state, data = :data, updated_at_ms = :now WHERE id = :id AND state <> 'released'"
)
INSERT_CDR = text(
    "INSERT INTO cdrs (session_id, app_id, icid, mode, binding_id, direction, caller, called, callee, display, "
    "extension, area_code, started_at_ms, forwarded_at_ms, alerting_at_ms, answered_at_ms, ended_at_ms, cause, "
    "q850, sip_status, released_by, talk_seconds, recording_object_name, recording_bucket, recording_domain, "
    "recording_started_at_ms, user_data, created_at_ms) VALUES (:session_id, :app_id, :icid, :mode, :binding_id, "
    ":direction, :caller, :called, :callee, :display, :extension, :area_code, :started_at_ms, :forwarded_at_ms, "
    ":alerting_at_ms, :answered_at_ms, :ended_at_ms, :cause, :q850, :sip_status, :released_by, :talk_seconds, "
    ":recording_object_name, :recording_bucket, :recording_domain, :recording_started_at_ms, :user_data, "
    ":created_at_ms) ON CONFLICT DO NOTHING"
)
_UNRELEASED = text("SELECT id, owner, data FROM calls WHERE state <> 'released'")
_UPSERT_INSTANCE = text(
    "INSERT INTO instances (id, host, pid, started_at_ms, heartbeat_at_ms) VALUES (:id, :host, :pid, :now, :now) "
    "ON CONFLICT (id) DO UPDATE SET heartbeat_at_ms = :now"
)
_INSTANCES = text("SELECT id, host, pid, heartbeat_at_ms FROM instances")
_DELETE_INSTANCE = text("DELETE FROM instances WHERE id = :id")


class SqlCallTx(SqlProvisioningTx):
    async def save_call(self, session: CallSession, owner: str, now_ms: int, *, new: bool = False) -> bool:
        """Save the session; False when the stored call was already released (by a recovering process),
        so the caller must not push this transition again."""
        params = {"id": session.id, "app_id": session.app_id, "owner": owner, "state": session.state.value,
                  "data": json.dumps(session.to_dict(), separators=(",", ":")), "now": now_ms}
        done = await self.conn.execute(_INSERT_CALL if new else _UPDATE_CALL, params)
        return new or done.rowcount == 1

    async def save_cdr(self, cdr: Cdr, now_ms: int) -> None:
        await self.conn.execute(INSERT_CDR, cdr_row(cdr, now_ms))

    async def enqueue(self, pushes: Sequence[OutboundPush], now_ms: int) -> None:
        await enqueue(self.conn, pushes, now_ms)


def cdr_row(cdr: Cdr, created_at_ms: int) -> dict[str, Any]:
    recording = cdr.recording
    return {
        "session_id": cdr.session_id, "app_id": cdr.app_id, "icid": cdr.icid, "mode": cdr.mode.value,
        "binding_id": cdr.binding_id, "direction": cdr.direction, "caller": cdr.caller, "called": cdr.called,
        "callee": cdr.callee, "display": cdr.display, "extension": cdr.extension, "area_code": cdr.area_code,
        "started_at_ms": cdr.started_at_ms, "forwarded_at_ms": cdr.forwarded_at_ms,
        "alerting_at_ms": cdr.alerting_at_ms, "answered_at_ms": cdr.answered_at_ms, "ended_at_ms": cdr.ended_at_ms,
        "cause": int(cdr.cause), "q850": cdr.q850, "sip_status": cdr.sip_status,
        "released_by": cdr.released_by.value if cdr.released_by else None, "talk_seconds": cdr.talk_seconds,
        "recording_object_name": recording.object_name if recording else None,
        "recording_bucket": recording.bucket if recording else None,
        "recording_domain": recording.domain if recording else None,
        "recording_started_at_ms": recording.started_at_ms if recording else None,
        "user_data": cdr.user_data, "created_at_ms": created_at_ms,
    }


class SqlCallStore:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.instance_id = f"{socket.gethostname()}:{os.getpid()}:{os.urandom(4).hex()}"

    async def run(self, work: Callable[[SqlCallTx], Awaitable[T]], *, read_only: bool = False) -> T:
        async def attempt() -> T:
            async with self.db.reading() if read_only else self.db.transaction() as conn:
                return await work(SqlCallTx(conn))

        return await with_retries(attempt)

    async def heartbeat(self, now_ms: int) -> None:
        host, pid = socket.gethostname(), os.getpid()
        async with self.db.transaction() as conn:
            await conn.execute(_UPSERT_INSTANCE, {"id": self.instance_id, "host": host, "pid": pid, "now": now_ms})

    async def retire(self) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(_DELETE_INSTANCE, {"id": self.instance_id})

    async def orphaned_calls(self, now_ms: int, stale_ms: int) -> list[CallSession]:
        """Unreleased calls whose owner is gone: a dead process on this host, or a silent instance elsewhere."""
        async with self.db.reading() as conn:
            instances = {r.id: r for r in (await conn.execute(_INSTANCES)).all()}
            rows = (await conn.execute(_UNRELEASED)).all()
        host = socket.gethostname()
        orphans = []
        for row in rows:
            if row.owner == self.instance_id:
                continue
            owner = instances.get(row.owner)
            alive = owner is not None and owner.heartbeat_at_ms > now_ms - stale_ms
            if owner is not None and owner.host == host:
                alive = alive and _process_alive(owner.pid)
            if not alive:
                session = CallSession.from_dict(json.loads(row.data))
                if session.state is not CallState.RELEASED:
                    orphans.append(session)
        return orphans


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
