"""The push outbox, seen from the delivery side: claim due pushes under a lease, record each attempt,
retry along the ladder, dead-letter, and keep the Block callin exchanges. Implements ``Outbox``
(service/ports.py); listing and replay are ``push_rows.py``.

States: ``pending`` (waiting, or leased while ``lease_until_ms`` lies in the future: claiming moves
``next_attempt_at_ms`` to the lease end, so a push whose worker died becomes due again by itself),
``delivered``, ``dead`` (the ladder is exhausted; replayable), ``batched`` (a CDR merged into another
row, ``batch_id``), ``failed`` (a Block callin that got no usable answer; never retried).

- Several processes may claim from one database: PostgreSQL claims with ``FOR UPDATE SKIP LOCKED``,
  SQLite is single-writer (BEGIN IMMEDIATE). A lease is never handed out twice while it runs.
- In order per call: a push with an ``order_key`` is claimable only when no earlier (lower id) push
  with that key is still pending (leased included). Delivered, dead, batched and failed ones do not block.
- CDRs: due, not yet batched ``cdr`` pushes of one (app, url) are merged, oldest first and at most
  50 per message, into one new ``cdr`` row with its own push_id (its body made by the injected
  ``merge_bodies``: Huawei's {"eventType":"fee","feeLst":[...]}); members become ``batched``. A CDR
  alone keeps its row (its ``batch_id`` then points to itself), so a push id, once sent, never
  changes. A row with ``batch_id`` set is never merged again.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import text

from privnum.adapters.db.database import Conn, Database
from privnum.adapters.db.engine import with_retries
from privnum.domain.pushes import PushKind, PushState, retry_delay_ms
from privnum.service.ports import ClaimedPush, Outcome

MergeBodies = Callable[[Sequence[str]], str]
"""The body of one message carrying the CDRs of several CDR push bodies, oldest first."""

CDR_BATCH_MAX = 50
_CDR_SCAN = 1000  # at most this many extra CDRs merged per (app, url) and claim

_PENDING, _DELIVERED, _DEAD, _FAILED, _BATCHED = (
    PushState.PENDING.value, PushState.DELIVERED.value, PushState.DEAD.value, PushState.FAILED.value,
    PushState.BATCHED.value)
_CDR = PushKind.CDR.value

_ORDER_FREE = (
    "(p.order_key IS NULL OR NOT EXISTS (SELECT 1 FROM pushes q WHERE q.order_key = p.order_key "
    f"AND q.id < p.id AND q.state = '{_PENDING}'))"
)
_CLAIM_SELECT = (
    "SELECT p.id, p.push_id, p.app_id, p.kind, p.url, p.body, p.attempts, p.batch_id, p.created_at_ms, "
    "a.app_key, a.app_secret FROM pushes p JOIN apps a ON a.id = p.app_id "
    f"WHERE p.state = '{_PENDING}' AND p.next_attempt_at_ms <= :now AND {_ORDER_FREE} "
    "ORDER BY p.next_attempt_at_ms, p.id LIMIT :limit"
)
_CLAIM_SQLITE = text(_CLAIM_SELECT)
_CLAIM_PG = text(_CLAIM_SELECT + " FOR UPDATE OF p SKIP LOCKED")

_MORE_CDRS_SELECT = (
    "SELECT p.id, p.push_id, p.body, p.created_at_ms FROM pushes p "
    f"WHERE p.state = '{_PENDING}' AND p.next_attempt_at_ms <= :now AND p.kind = '{_CDR}' AND p.batch_id IS NULL "
    f"AND p.app_id = :app_id AND p.url = :url AND {_ORDER_FREE} ORDER BY p.id LIMIT :limit"
)
_MORE_CDRS_SQLITE = text(_MORE_CDRS_SELECT)
_MORE_CDRS_PG = text(_MORE_CDRS_SELECT + " FOR UPDATE OF p SKIP LOCKED")

_LEASE_ONE = text("UPDATE pushes SET lease_until_ms = :lease, next_attempt_at_ms = :lease WHERE id = :id")
_LEASE_MANY_PG = text(
    "UPDATE pushes SET lease_until_ms = :lease, next_attempt_at_ms = :lease WHERE id = ANY(:ids)"
)
_SELF_BATCH = text("UPDATE pushes SET batch_id = id WHERE id = :id")
_INSERT_BATCH = text(
    "INSERT INTO pushes (push_id, app_id, kind, url, body, order_key, state, attempts, next_attempt_at_ms, "
    f"lease_until_ms, created_at_ms) VALUES (:push_id, :app_id, '{_CDR}', :url, :body, NULL, '{_PENDING}', 0, "
    ":lease, "
    ":lease, :created) RETURNING id"
)
_JOIN_BATCH = text(
    f"UPDATE pushes SET state = '{_BATCHED}', batch_id = :batch_id, lease_until_ms = NULL WHERE id = :id"
)
_NEXT_DUE = text(
    f"SELECT min(next_attempt_at_ms) FROM pushes WHERE state = '{_PENDING}' AND next_attempt_at_ms > :now"
)
_ANY_DUE = text(f"SELECT 1 FROM pushes WHERE state = '{_PENDING}' AND next_attempt_at_ms <= :now LIMIT 1")

_INSERT_ATTEMPT = text(
    "INSERT INTO push_attempts (push_row_id, at_ms, http_status, error, elapsed_ms) "
    "VALUES (:id, :at, :status, :error, :elapsed)"
)
_SET_DELIVERED = text(
    f"UPDATE pushes SET state = '{_DELIVERED}', attempts = attempts + 1, delivered_at_ms = :at, "
    f"lease_until_ms = NULL, last_error = NULL WHERE id = :id AND state = '{_PENDING}'"
)
_SET_FAILED = text(
    "UPDATE pushes SET state = :state, attempts = :attempts, next_attempt_at_ms = :next, lease_until_ms = NULL, "
    f"last_error = :error WHERE id = :id AND state = '{_PENDING}' AND lease_until_ms = :lease"
)
_INSERT_FINISHED = text(
    "INSERT INTO pushes (push_id, app_id, kind, url, body, order_key, state, attempts, next_attempt_at_ms, "
    "created_at_ms, delivered_at_ms, last_error) VALUES (:push_id, :app_id, :kind, :url, :body, NULL, :state, 1, "
    ":at, :created, :delivered, :error) RETURNING id"
)


class SqlOutbox:
    def __init__(self, db: Database, merge_bodies: MergeBodies) -> None:
        self.db = db
        self.merge_bodies = merge_bodies
        self.postgres = db.is_postgres

    # -- claiming -------------------------------------------------------------------------------

    async def next_due_after(self, now_ms: int) -> int | None:
        """When the next pending push not yet due falls due (None: none). A read, no write lock."""
        async with self.db.reading() as conn:
            return (await conn.execute(_NEXT_DUE, {"now": now_ms})).scalar()

    async def any_due(self, now_ms: int) -> bool:
        """Is some pending push due (maybe not claimable)? A read, so an idle worker takes no write lock."""
        async with self.db.reading() as conn:
            return (await conn.execute(_ANY_DUE, {"now": now_ms})).first() is not None

    async def claim(self, now_ms: int, limit: int, lease_ms: int) -> list[ClaimedPush]:
        """Lease up to ``limit`` due pushes (more when CDRs got merged), in one transaction."""
        return await with_retries(lambda: self._claim(now_ms, limit, lease_ms))

    async def _claim(self, now: int, limit: int, lease_ms: int) -> list[ClaimedPush]:
        lease = now + lease_ms
        async with self.db.transaction() as conn:
            rows = (await conn.execute(_CLAIM_PG if self.postgres else _CLAIM_SQLITE,
                                       {"now": now, "limit": limit})).all()
            if not rows:
                return []
            claimed: list[ClaimedPush] = []
            cdr_groups: dict[tuple[int, str], list[Any]] = defaultdict(list)
            secrets_of: dict[int, tuple[str, str]] = {}
            for r in rows:
                secrets_of[r.app_id] = (r.app_key, r.app_secret)
                if r.kind == PushKind.CDR and r.batch_id is None:
                    cdr_groups[(r.app_id, r.url)].append(r)
                else:
                    claimed.append(ClaimedPush(r.id, r.push_id, r.app_id, r.kind, r.url, r.body, r.attempts, lease,
                                               r.app_key, r.app_secret, r.created_at_ms))
            lease_ids = [c.id for c in claimed]
            for (app_id, url), members in cdr_groups.items():
                app_key, app_secret = secrets_of[app_id]
                batch = await self._merge_cdrs(conn, now, lease, app_id, url, members)
                for push_id, row_id, body, created, fresh in batch:
                    claimed.append(ClaimedPush(row_id, push_id, app_id, _CDR, url, body, 0, lease, app_key,
                                               app_secret, created))
                    if not fresh:
                        lease_ids.append(row_id)
            if lease_ids:
                if self.postgres:
                    await conn.execute(_LEASE_MANY_PG, {"lease": lease, "ids": lease_ids})
                else:
                    await conn.execute(_LEASE_ONE, [{"lease": lease, "id": i} for i in lease_ids])
            return claimed

    async def _merge_cdrs(self, conn: Conn, now: int, lease: int, app_id: int, url: str,
                          first: list[Any]) -> list[tuple[str, int, str, int, bool]]:
        """(push_id, row id, body, created, is_new_row) of the messages carrying these CDRs and any other
        due, unbatched CDRs of the same (app, url)."""
        more = (await conn.execute(_MORE_CDRS_PG if self.postgres else _MORE_CDRS_SQLITE,
                                   {"now": now, "app_id": app_id, "url": url, "limit": _CDR_SCAN})).all()
        by_id = {r.id: (r.id, r.push_id, r.body, r.created_at_ms) for r in (*first, *more)}
        members = sorted(by_id.values())
        out: list[tuple[str, int, str, int, bool]] = []
        for start in range(0, len(members), CDR_BATCH_MAX):
            chunk = members[start:start + CDR_BATCH_MAX]
            if len(chunk) == 1:
                row_id, push_id, body, created = chunk[0]
                await conn.execute(_SELF_BATCH, {"id": row_id})
                out.append((push_id, row_id, body, created, False))
                continue
            push_id = uuid.uuid4().hex
            body = self.merge_bodies([m[2] for m in chunk])
            created = min(m[3] for m in chunk)
            batch_id = (await conn.execute(_INSERT_BATCH, {"push_id": push_id, "app_id": app_id, "url": url,
                                                           "body": body, "lease": lease, "created": created}
                                           )).scalar_one()
            await conn.execute(_SELF_BATCH, {"id": batch_id})
            await conn.execute(_JOIN_BATCH, [{"batch_id": batch_id, "id": m[0]} for m in chunk])
            out.append((push_id, batch_id, body, created, True))
        return out

    # -- outcomes -------------------------------------------------------------------------------

    async def record(self, outcomes: Sequence[Outcome], time_scale: float) -> None:
        """Store the attempts and move each push on: delivered, due again along the ladder, or dead."""
        if not outcomes:
            return
        attempts = [{"id": o.push.id, "at": o.at_ms, "status": o.http_status, "error": o.error,
                     "elapsed": o.elapsed_ms} for o in outcomes]
        delivered = [{"id": o.push.id, "at": o.at_ms} for o in outcomes if o.ok]
        failed = []
        for o in sorted((o for o in outcomes if not o.ok), key=lambda o: o.push.id):
            count = o.push.attempts + 1
            delay = retry_delay_ms(count, time_scale)
            failed.append({"id": o.push.id, "lease": o.push.lease_until_ms, "attempts": count,
                           "state": _DEAD if delay is None else _PENDING,
                           "next": o.at_ms + (delay or 0), "error": o.error or f"HTTP {o.http_status}"})
        delivered.sort(key=lambda d: d["id"])

        async def work() -> None:
            async with self.db.transaction() as conn:
                await conn.execute(_INSERT_ATTEMPT, attempts)
                if delivered:
                    await conn.execute(_SET_DELIVERED, delivered)
                if failed:
                    await conn.execute(_SET_FAILED, failed)

        await with_retries(work)

    async def log_finished(self, *, app_id: int, kind: str, url: str, body: str, push_id: str, ok: bool,
                           http_status: int, error: str | None, at_ms: int, elapsed_ms: int) -> int:
        """A push sent once outside the outbox (a Block callin): stored as delivered or failed, with its attempt."""
        async def work() -> int:
            async with self.db.transaction() as conn:
                row_id = (await conn.execute(_INSERT_FINISHED, {
                    "push_id": push_id, "app_id": app_id, "kind": kind, "url": url, "body": body,
                    "state": _DELIVERED if ok else _FAILED, "at": at_ms, "created": at_ms - elapsed_ms,
                    "delivered": at_ms if ok else None, "error": None if ok else error})).scalar_one()
                await conn.execute(_INSERT_ATTEMPT, {"id": row_id, "at": at_ms, "status": http_status,
                                                     "error": error, "elapsed": elapsed_ms})
                return int(row_id)

        return await with_retries(work)
