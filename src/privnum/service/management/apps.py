"""Apps: create one under its enterprise's quota (with a fresh APP_Key/APP_Secret), change one, list them."""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from privnum.domain.apps import EXTENSION_LENGTHS, App, CallbackUrls
from privnum.domain.enterprises import DEFAULT_APP_QUOTA, AppQuotaReached
from privnum.domain.modes import Mode
from privnum.domain.operator_errors import OperatorError
from privnum.service.clock import now_ms
from privnum.service.management.ports import AppChanges, ManagementTx, ManagementUnit, NewApp


def new_app_key() -> str:
    return secrets.token_hex(16)


def new_app_secret() -> str:
    return secrets.token_urlsafe(24)


class Apps:
    def __init__(self, unit: ManagementUnit) -> None:
        self.unit = unit

    async def create(self, *, enterprise: str, name: str, mode: Mode, callbacks: CallbackUrls,
                     recording: bool = False, sms: bool = False, ip_allowlist: Iterable[str] = (),
                     extension_length: int = 4) -> App:
        """A new app with a fresh APP_Key/APP_Secret. The enterprise is created on first use (with the default
        quota); its quota is enforced by the database (conditional UPDATE and CHECK), so two operators creating
        apps at once never exceed it."""
        if extension_length not in EXTENSION_LENGTHS:
            raise OperatorError(f"an extension length is 1, 2, 3 or 4 digits, not {extension_length}")
        allowlist = tuple(ip_allowlist)

        async def work(tx: ManagementTx) -> App:
            now = now_ms()
            owner = await tx.ensure_enterprise(enterprise, DEFAULT_APP_QUOTA, now)
            if not await tx.take_app_slot(owner.id):
                raise AppQuotaReached(await tx.enterprise(enterprise) or owner)
            return await tx.insert_app(NewApp(
                enterprise_id=owner.id, name=name, mode=mode, app_key=new_app_key(), app_secret=new_app_secret(),
                callbacks=callbacks, recording_enabled=recording, sms_enabled=sms, ip_allowlist=allowlist,
                extension_length=extension_length), now)

        return await self.unit.run(work)

    async def update(self, app_key: str, changes: AppChanges) -> App:
        """Change URLs, switches, allow-list or status."""
        updated = await self.unit.run(lambda tx: tx.update_app(app_key, changes, now_ms()))
        if updated is None:
            raise OperatorError(f"no app with APP_Key {app_key}")
        return updated

    async def list(self) -> list[App]:
        return await self.unit.run(lambda tx: tx.apps(), read_only=True)
