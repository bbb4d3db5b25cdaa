"""Accounts, apps and the number pool: the operator's side (CLI, later the console).

Not a hot path: plain Core statements, one transaction per operator action.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterable
from typing import Any

from sqlalchemy import insert, select, text, update
from sqlalchemy.exc import IntegrityError

from privnum.adapters.db.database import Database
from privnum.adapters.db.outbox_enqueue import enqueue
from privnum.adapters.db.provisioning_store import number_from_row
from privnum.adapters.db.tables import accounts, apps, numbers
from privnum.domain.apps import APPS_PER_ACCOUNT, App, AppStatus, CallbackUrls
from privnum.domain.areas import province_of
from privnum.domain.modes import Mode
from privnum.domain.number_status import status_change
from privnum.domain.private_numbers import NumberState, PrivateNumber
from privnum.domain.pushes import OutboundPush, PushKind


class OperatorError(Exception):
    """An operator action that cannot be done, with a sentence saying why."""


def _now() -> int:
    return int(time.time() * 1000)


def app_from_row(row: Any) -> App:
    return App(
        id=row.id,
        account_id=row.account_id,
        name=row.name,
        mode=Mode(row.mode),
        app_key=row.app_key,
        app_secret=row.app_secret,
        status=AppStatus(row.status),
        callbacks=CallbackUrls(
            call_status=row.call_status_url,
            cdr=row.cdr_url,
            sms=row.sms_url,
            number_status=row.number_status_url,
            push_number_status=bool(row.push_number_status),
        ),
        recording_enabled=bool(row.recording_enabled),
        sms_enabled=bool(row.sms_enabled),
        ip_allowlist=tuple(json.loads(row.ip_allowlist or "[]")),
        extension_length=row.extension_length,
        account_name=getattr(row, "account_name", "") or "",
    )


_APP_SELECT = "SELECT apps.*, accounts.name AS account_name FROM apps JOIN accounts ON accounts.id = apps.account_id "
_APP_BY_KEY = text(_APP_SELECT + "WHERE apps.app_key = :key")
_APP_BY_ID = text(_APP_SELECT + "WHERE apps.id = :id")


class AppStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def by_key(self, app_key: str) -> App | None:
        async with self.db.reading() as conn:
            row = (await conn.execute(_APP_BY_KEY, {"key": app_key})).first()
        return app_from_row(row) if row else None

    async def by_id(self, app_id: int) -> App | None:
        async with self.db.reading() as conn:
            row = (await conn.execute(_APP_BY_ID, {"id": app_id})).first()
        return app_from_row(row) if row else None

    async def list_apps(self) -> list[App]:
        async with self.db.reading() as conn:
            rows = (await conn.execute(select(apps).order_by(apps.c.id))).all()
        return [app_from_row(r) for r in rows]

    async def create_app(self, *, account: str, name: str, mode: Mode, callbacks: CallbackUrls,
                         recording: bool = False, sms: bool = False, ip_allowlist: Iterable[str] = (),
                         extension_length: int = 4) -> App:
        """A new app with a fresh APP_Key/APP_Secret; at most 5 apps per account, enforced in the database."""
        now = _now()
        async with self.db.transaction() as conn:
            account_id = (await conn.execute(select(accounts.c.id).where(accounts.c.name == account))).scalar()
            if account_id is None:
                result = await conn.execute(insert(accounts).values(name=account, created_at_ms=now))
                account_id = result.inserted_primary_key[0]
            counted = await conn.execute(
                update(accounts)
                .where(accounts.c.id == account_id, accounts.c.app_count < APPS_PER_ACCOUNT)
                .values(app_count=accounts.c.app_count + 1)
            )
            if counted.rowcount != 1:
                raise OperatorError(f"account {account!r} already has {APPS_PER_ACCOUNT} apps (apps are never deleted)")
            values = {
                "account_id": account_id,
                "name": name,
                "mode": mode.value,
                "app_key": secrets.token_hex(16),
                "app_secret": secrets.token_urlsafe(24),
                "status": AppStatus.ACTIVE.value,
                "call_status_url": callbacks.call_status,
                "cdr_url": callbacks.cdr,
                "sms_url": callbacks.sms,
                "number_status_url": callbacks.number_status,
                "push_number_status": callbacks.push_number_status,
                "recording_enabled": recording,
                "sms_enabled": sms,
                "ip_allowlist": json.dumps(list(ip_allowlist)),
                "extension_length": extension_length,
                "created_at_ms": now,
                "updated_at_ms": now,
            }
            await conn.execute(insert(apps).values(**values))
            row = (await conn.execute(select(apps).where(apps.c.app_key == values["app_key"]))).one()
        return app_from_row(row)

    async def update_app(self, app_key: str, **changes: Any) -> App:
        """Change URLs, switches, allow-list or status. Mode and name are not changeable."""
        if "ip_allowlist" in changes:
            changes["ip_allowlist"] = json.dumps(list(changes["ip_allowlist"]))
        async with self.db.transaction() as conn:
            if changes:
                done = await conn.execute(
                    update(apps).where(apps.c.app_key == app_key).values(**changes, updated_at_ms=_now())
                )
                if done.rowcount != 1:
                    raise OperatorError(f"no app with APP_Key {app_key}")
            row = (await conn.execute(select(apps).where(apps.c.app_key == app_key))).first()
        if row is None:
            raise OperatorError(f"no app with APP_Key {app_key}")
        return app_from_row(row)

    async def add_numbers(self, app_key: str, area_code: str, new_numbers: Iterable[str],
                          province: str | None = None, sms_capable: bool = True) -> int:
        app = await self.by_key(app_key)
        if app is None:
            raise OperatorError(f"no app with APP_Key {app_key}")
        now = _now()
        rows = [
            {"number": n, "app_id": app.id, "area_code": area_code, "province": province or province_of(area_code),
             "state": NumberState.AVAILABLE.value, "load": 0, "sms_capable": sms_capable,
             "created_at_ms": now, "updated_at_ms": now}
            for n in new_numbers
        ]
        if not rows:
            return 0
        try:
            async with self.db.transaction() as conn:
                await conn.execute(insert(numbers), rows)
        except IntegrityError as error:
            raise OperatorError("one of these numbers is already in the pool; nothing was added") from error
        return len(rows)

    async def set_number_state(self, number: str, state: NumberState) -> None:
        """Change a number's state; when its app asked for X-number status pushes, the push is written to the
        outbox in the same transaction (to the number-status URL, else the call-status URL)."""
        now = _now()
        async with self.db.transaction() as conn:
            row = (await conn.execute(select(numbers.c.state, numbers.c.app_id)
                                      .where(numbers.c.number == number))).first()
            if row is None:
                raise OperatorError(f"{number} is not in the pool")
            await conn.execute(update(numbers).where(numbers.c.number == number)
                               .values(state=state.value, updated_at_ms=now))
            change = status_change(number, NumberState(row.state), state)
            app_row = (await conn.execute(_APP_BY_ID, {"id": row.app_id})).first() if row.app_id else None
            app = app_from_row(app_row) if app_row else None
            if change is None or app is None or not app.callbacks.push_number_status:
                return
            url = app.callbacks.number_status or app.callbacks.call_status
            if url:
                info = {"number": change.number, "status": change.status}
                if change.cause:
                    info["cause"] = change.cause
                await enqueue(conn, [OutboundPush(app.id, PushKind.NUMBER_STATUS, url,
                                                  {"eventType": "numStatus", "numInfo": [info]})], now)

    async def list_numbers(self, app_key: str | None = None) -> list[PrivateNumber]:
        query = select(numbers).order_by(numbers.c.number)
        if app_key is not None:
            query = query.where(numbers.c.app_id == select(apps.c.id).where(apps.c.app_key == app_key)
                                .scalar_subquery())
        async with self.db.reading() as conn:
            return [number_from_row(r) for r in (await conn.execute(query)).all()]
