"""The management unit of work: one transaction per management action, whose ``SqlManagementTx`` sees every
management row (tenancy, numbers, outbox, access, audit, reviews, settings) on one connection, so an action,
its pushes and its audit event commit together or not at all."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from privnum.adapters.db.a_number_rows import ANumberRows
from privnum.adapters.db.access_rows import AccessRows
from privnum.adapters.db.audit_rows import AuditRows
from privnum.adapters.db.billing_unit import SqlBillingTx
from privnum.adapters.db.database import Conn, Database
from privnum.adapters.db.engine import with_retries
from privnum.adapters.db.enterprise_rows import EnterpriseRows
from privnum.adapters.db.number_area_rows import NumberAreaRows
from privnum.adapters.db.push_rows import PushRows
from privnum.adapters.db.record_rows import RecordRows
from privnum.adapters.db.review_rows import ReviewRows
from privnum.adapters.db.settings_rows import SettingsRows
from privnum.adapters.db.sms_record_rows import SmsRecordRows
from privnum.adapters.db.tenancy_store import SqlTenancyTx
from privnum.adapters.db.voice_rows import VoiceRows
from privnum.service.management.ports import ManagementTx

T = TypeVar("T")


class SqlManagementTx(SqlTenancyTx, EnterpriseRows, AccessRows, AuditRows, ReviewRows, SettingsRows, RecordRows,
                      SmsRecordRows, PushRows, ANumberRows, NumberAreaRows, VoiceRows):
    def __init__(self, conn: Conn) -> None:
        super().__init__(conn)

    def billing(self) -> SqlBillingTx:
        return SqlBillingTx(self.conn)


class SqlManagementUnit:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def run(self, work: Callable[[ManagementTx], Awaitable[T]], *, read_only: bool = False) -> T:
        async def attempt() -> T:
            opened = self.db.reading() if read_only else self.db.transaction()
            async with opened as conn:
                return await work(SqlManagementTx(conn))

        return await with_retries(attempt)
