"""Enterprises, apps and the number pool as rows: the operator's side (the management use cases) and the
app lookups behind authentication (``by_key``/``by_id``, cached by ``service/app_cache.py``).

Not a hot path: plain Core statements, one transaction per operator action (``run``). The app quota
is settled here by one conditional UPDATE (app_count < app_quota) backed by the table's CHECK.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import insert, select, text, update
from sqlalchemy.exc import IntegrityError

from privnum.adapters.db.database import Conn, Database
from privnum.adapters.db.outbox_enqueue import enqueue
from privnum.adapters.db.provisioning_store import number_from_row
from privnum.adapters.db.tables import apps, enterprises, numbers
from privnum.domain.apps import App, AppStatus, CallbackUrls
from privnum.domain.billing.arrears import AccountStanding
from privnum.domain.enterprises import CarrierKind, Enterprise, EnterpriseProfile, EnterpriseStatus, Nature
from privnum.domain.modes import Mode
from privnum.domain.private_numbers import NumberState, PrivateNumber
from privnum.domain.pushes import OutboundPush
from privnum.service.management.ports import AppChanges, NewApp

T = TypeVar("T")


def app_from_row(row: Any) -> App:
    return App(
        id=row.id,
        enterprise_id=row.enterprise_id,
        name=row.name,
        mode=Mode(row.mode),
        app_key=row.app_key,
        app_secret=row.app_secret,
        status=AppStatus(row.status),
        callbacks=CallbackUrls(
            call_status=row.call_status_url,
            cdr=row.cdr_url,
            sms=row.sms_url,
            sms_control=row.sms_control_url,
            number_status=row.number_status_url,
            push_number_status=bool(row.push_number_status),
        ),
        recording_enabled=bool(row.recording_enabled),
        sms_enabled=bool(row.sms_enabled),
        sms_content=bool(row.sms_content),
        ip_allowlist=tuple(json.loads(row.ip_allowlist or "[]")),
        extension_length=row.extension_length,
        enterprise_name=getattr(row, "enterprise_name", "") or "",
        tenant_id=getattr(row, "tenant_id", None),
        tags=tuple((str(k), str(v)) for k, v in json.loads(row.tags or "[]")),
        previous_secret=row.previous_secret,
        previous_secret_until_ms=row.previous_secret_until_ms,
        standing=AccountStanding(getattr(row, "billing_standing", None) or AccountStanding.ACTIVE),
    )


def enterprise_from_row(row: Any) -> Enterprise:
    profile = None
    if row.credit_code is not None:
        until = row.auth_letter_valid_until
        profile = EnterpriseProfile(
            name=row.name, credit_code=row.credit_code, nature=Nature(row.nature), industry=row.industry,
            scenario_call=row.scenario_call, call_script=row.call_script, carrier_kind=CarrierKind(row.carrier_kind),
            carrier_name=row.carrier_name, legal_name=row.legal_name, handler_name=row.handler_name,
            handler_phone=row.handler_phone, scenario_sms=row.scenario_sms,
            carrier_is_third_party=bool(row.carrier_is_third_party),
            auth_letter_valid_until=until if isinstance(until, date) else date.fromisoformat(str(until)))
    return Enterprise(id=row.id, name=row.name, app_count=row.app_count, app_quota=row.app_quota,
                      tenant_id=row.tenant_id, status=EnterpriseStatus(row.status), profile=profile)


_APP_SELECT = ("SELECT apps.*, enterprises.name AS enterprise_name, enterprises.tenant_id AS tenant_id, "
               "billing_accounts.standing AS billing_standing FROM apps "
               "JOIN enterprises ON enterprises.id = apps.enterprise_id "
               "LEFT JOIN billing_accounts ON billing_accounts.tenant_id = enterprises.tenant_id ")
_APP_BY_KEY = text(_APP_SELECT + "WHERE apps.app_key = :key")
_APP_BY_ID = text(_APP_SELECT + "WHERE apps.id = :id")
_ENSURE_ENTERPRISE = text(
    "INSERT INTO enterprises (name, app_count, app_quota, created_at_ms) VALUES (:name, 0, :quota, :now) "
    "ON CONFLICT (name) WHERE tenant_id IS NULL DO NOTHING"
)


class SqlTenancyTx:
    """Tenancy rows, number rows and the outbox of one management transaction (``SqlManagementTx`` adds the rest)."""

    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    # enterprises

    async def enterprise(self, name: str) -> Enterprise | None:
        row = (await self.conn.execute(select(enterprises).where(enterprises.c.name == name,
                                                                 enterprises.c.tenant_id.is_(None)))).first()
        return enterprise_from_row(row) if row else None

    async def enterprise_by_id(self, enterprise_id: int) -> Enterprise | None:
        row = (await self.conn.execute(select(enterprises).where(enterprises.c.id == enterprise_id))).first()
        return enterprise_from_row(row) if row else None

    async def ensure_enterprise(self, name: str, app_quota: int, now_ms: int) -> Enterprise:
        found = await self.enterprise(name)
        if found is None:  # inserted only when missing: on PostgreSQL every INSERT takes an id from the sequence
            await self.conn.execute(_ENSURE_ENTERPRISE, {"name": name, "quota": app_quota, "now": now_ms})
            found = await self.enterprise(name)
        assert found is not None
        return found

    async def enterprises(self) -> list[Enterprise]:
        rows = (await self.conn.execute(select(enterprises).order_by(enterprises.c.name))).all()
        return [enterprise_from_row(r) for r in rows]

    async def set_app_quota(self, name: str, app_quota: int) -> bool:
        done = await self.conn.execute(
            update(enterprises)
            .where(enterprises.c.name == name, enterprises.c.tenant_id.is_(None), enterprises.c.app_count <= app_quota)
            .values(app_quota=app_quota)
        )
        return done.rowcount == 1

    async def take_app_slot(self, enterprise_id: int) -> bool:
        counted = await self.conn.execute(
            update(enterprises)
            .where(enterprises.c.id == enterprise_id, enterprises.c.app_count < enterprises.c.app_quota)
            .values(app_count=enterprises.c.app_count + 1)
        )
        return counted.rowcount == 1

    # apps

    async def insert_app(self, app: NewApp, now_ms: int) -> App:
        values = {
            "enterprise_id": app.enterprise_id,
            "name": app.name,
            "mode": app.mode.value,
            "app_key": app.app_key,
            "app_secret": app.app_secret,
            "status": AppStatus.ACTIVE.value,
            "call_status_url": app.callbacks.call_status,
            "cdr_url": app.callbacks.cdr,
            "sms_url": app.callbacks.sms,
            "sms_control_url": app.callbacks.sms_control,
            "number_status_url": app.callbacks.number_status,
            "push_number_status": app.callbacks.push_number_status,
            "recording_enabled": app.recording_enabled,
            "sms_enabled": app.sms_enabled,
            "sms_content": app.sms_content,
            "ip_allowlist": json.dumps(list(app.ip_allowlist)),
            "extension_length": app.extension_length,
            "created_at_ms": now_ms,
            "updated_at_ms": now_ms,
        }
        await self.conn.execute(insert(apps).values(**values))
        row = (await self.conn.execute(select(apps).where(apps.c.app_key == app.app_key))).one()
        return app_from_row(row)

    async def update_app(self, app_key: str, changes: AppChanges, now_ms: int) -> App | None:
        columns: dict[str, Any] = {
            "call_status_url": changes.call_status_url, "cdr_url": changes.cdr_url, "sms_url": changes.sms_url,
            "sms_control_url": changes.sms_control_url, "sms_content": changes.sms_content,
            "number_status_url": changes.number_status_url, "push_number_status": changes.push_number_status,
            "recording_enabled": changes.recording_enabled, "sms_enabled": changes.sms_enabled,
            "ip_allowlist": None if changes.ip_allowlist is None else json.dumps(list(changes.ip_allowlist)),
            "status": None if changes.status is None else changes.status.value,
            "name": changes.name, "extension_length": changes.extension_length,
            "tags": None if changes.tags is None else json.dumps([list(t) for t in changes.tags], ensure_ascii=False),
        }
        # None: unchanged; "": a URL removed
        values = {column: None if value == "" else value for column, value in columns.items()
                  if value is not None}
        if values:
            done = await self.conn.execute(update(apps).where(apps.c.app_key == app_key)
                                           .values(**values, updated_at_ms=now_ms))
            if done.rowcount != 1:
                return None
        row = (await self.conn.execute(select(apps).where(apps.c.app_key == app_key))).first()
        return app_from_row(row) if row else None

    async def app_by_key(self, app_key: str) -> App | None:
        row = (await self.conn.execute(_APP_BY_KEY, {"key": app_key})).first()
        return app_from_row(row) if row else None

    async def app_by_id(self, app_id: int) -> App | None:
        row = (await self.conn.execute(_APP_BY_ID, {"id": app_id})).first()
        return app_from_row(row) if row else None

    async def apps(self) -> list[App]:
        rows = (await self.conn.execute(select(apps).order_by(apps.c.id))).all()
        return [app_from_row(r) for r in rows]

    # the number pool

    async def insert_numbers(self, rows: Sequence[PrivateNumber], now_ms: int) -> bool:
        values = [
            {"number": n.number, "app_id": n.app_id, "area_code": n.area_code, "province": n.province,
             "state": n.state.value, "load": n.load, "sms_capable": n.sms_capable,
             "created_at_ms": now_ms, "updated_at_ms": now_ms}
            for n in rows
        ]
        savepoint = await self.conn.begin_nested()
        try:
            await self.conn.execute(insert(numbers), values)
        except IntegrityError:
            await savepoint.rollback()
            return False
        await savepoint.commit()
        return True

    async def number(self, number: str) -> PrivateNumber | None:
        row = (await self.conn.execute(select(numbers).where(numbers.c.number == number))).first()
        return number_from_row(row) if row else None

    async def set_number_state(self, number: str, state: NumberState, now_ms: int) -> None:
        await self.conn.execute(update(numbers).where(numbers.c.number == number)
                                .values(state=state.value, updated_at_ms=now_ms))

    async def numbers(self, app_key: str | None = None) -> list[PrivateNumber]:
        query = select(numbers).order_by(numbers.c.number)
        if app_key is not None:
            query = query.where(numbers.c.app_id == select(apps.c.id).where(apps.c.app_key == app_key)
                                .scalar_subquery())
        return [number_from_row(r) for r in (await self.conn.execute(query)).all()]

    # the outbox

    async def enqueue(self, pushes: Sequence[OutboundPush], now_ms: int) -> None:
        await enqueue(self.conn, pushes, now_ms)


class SqlTenancyStore:
    """The app directory authentication reads (``by_key``/``by_id``); the management unit of work is
    ``management_unit.SqlManagementUnit``."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def by_key(self, app_key: str) -> App | None:
        async with self.db.reading() as conn:
            return await SqlTenancyTx(conn).app_by_key(app_key)

    async def by_id(self, app_id: int) -> App | None:
        async with self.db.reading() as conn:
            return await SqlTenancyTx(conn).app_by_id(app_id)
