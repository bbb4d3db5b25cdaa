"""Apps: create one under an approved enterprise's quota (with a fresh APP_Key/APP_Secret, the secret shown
once), change it (at once: the app cache of this process is cleared), rotate its secret with a grace period,
suspend and resume it (apps are never deleted); the operators' CLI by APP_Key."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from privnum.domain.access import Actor, Permission
from privnum.domain.app_rules import (
    check_allowlist,
    check_app_name,
    check_callback_url,
    check_grace_hours,
    check_tags,
)
from privnum.domain.apps import EXTENSION_LENGTHS, App, AppStatus, CallbackUrls
from privnum.domain.audit import AuditEvent
from privnum.domain.enterprises import DEFAULT_APP_QUOTA, AppQuotaReached, require_approved
from privnum.domain.management_errors import Conflict, Forbidden, Invalid, NotFound
from privnum.domain.modes import Mode
from privnum.domain.operator_errors import OperatorError
from privnum.service.clock import now_ms, today_utc
from privnum.service.management.ent_ports import AppCache
from privnum.service.management.ports import AppChanges, ManagementTx, ManagementUnit, NewApp
from privnum.service.paging import Page, PageRequest

HOUR_MS = 3_600_000


def new_app_key() -> str:
    return secrets.token_hex(16)


def new_app_secret() -> str:
    return secrets.token_urlsafe(24)


def app_view(app: App) -> dict[str, object]:
    """What the audit trail keeps of an app: everything but its secrets."""
    return {"name": app.name, "mode": app.mode.value, "status": app.status.value, "enterprise_id": app.enterprise_id,
            "call_status_url": app.callbacks.call_status, "cdr_url": app.callbacks.cdr, "sms_url": app.callbacks.sms,
            "sms_control_url": app.callbacks.sms_control, "number_status_url": app.callbacks.number_status,
            "push_number_status": app.callbacks.push_number_status, "recording_enabled": app.recording_enabled,
            "sms_enabled": app.sms_enabled, "sms_content": app.sms_content, "ip_allowlist": list(app.ip_allowlist),
            "extension_length": app.extension_length, "tags": [list(t) for t in app.tags]}


@dataclass(frozen=True)
class AppForm:
    """A tenant's new app."""

    enterprise_id: int
    name: str
    mode: Mode
    callbacks: CallbackUrls
    recording_enabled: bool = False
    sms_enabled: bool = False
    sms_content: bool = False
    ip_allowlist: tuple[str, ...] = ()
    extension_length: int = 4
    tags: tuple[tuple[str, str], ...] = ()


def _checked_extension_length(length: int) -> int:
    if length not in EXTENSION_LENGTHS:
        raise Invalid("invalid_extension_length", "an extension length is 1, 2, 3 or 4 digits",
                      field="extension_length")
    return length


def _checked_callbacks(callbacks: CallbackUrls) -> CallbackUrls:
    return CallbackUrls(call_status=check_callback_url("call_status_url", callbacks.call_status),
                        cdr=check_callback_url("cdr_url", callbacks.cdr),
                        sms=check_callback_url("sms_url", callbacks.sms),
                        sms_control=check_callback_url("sms_control_url", callbacks.sms_control),
                        number_status=check_callback_url("number_status_url", callbacks.number_status),
                        push_number_status=callbacks.push_number_status)


def _refuse_sms_in_axe(mode: Mode, *, sms_enabled: bool, sms_content: bool) -> None:
    if mode is not Mode.AXE:
        return
    for field, on in (("sms_enabled", sms_enabled), ("sms_content", sms_content)):
        if on:
            raise Invalid("sms_not_in_mode", "AXE apps have no SMS", field=field)


def _checked_changes(changes: AppChanges, mode: Mode) -> AppChanges:
    checked = AppChanges(
        call_status_url=None if changes.call_status_url is None else
        check_callback_url("call_status_url", changes.call_status_url) or "",
        cdr_url=None if changes.cdr_url is None else check_callback_url("cdr_url", changes.cdr_url) or "",
        sms_url=None if changes.sms_url is None else check_callback_url("sms_url", changes.sms_url) or "",
        sms_control_url=None if changes.sms_control_url is None else
        check_callback_url("sms_control_url", changes.sms_control_url) or "",
        number_status_url=None if changes.number_status_url is None else
        check_callback_url("number_status_url", changes.number_status_url) or "",
        push_number_status=changes.push_number_status, recording_enabled=changes.recording_enabled,
        sms_enabled=changes.sms_enabled, sms_content=changes.sms_content,
        ip_allowlist=None if changes.ip_allowlist is None else check_allowlist(changes.ip_allowlist),
        status=changes.status,
        name=None if changes.name is None else check_app_name(changes.name),
        extension_length=None if changes.extension_length is None else
        _checked_extension_length(changes.extension_length),
        tags=None if changes.tags is None else check_tags(changes.tags))
    _refuse_sms_in_axe(mode, sms_enabled=bool(checked.sms_enabled), sms_content=bool(checked.sms_content))
    return checked


class Apps:
    def __init__(self, unit: ManagementUnit, cache: AppCache | None = None) -> None:
        self.unit = unit
        self.cache = cache

    def _forget(self, app: App) -> None:
        if self.cache is not None:
            self.cache.forget(app)

    async def _visible(self, tx: ManagementTx, actor: Actor, app_id: int) -> App:
        found = await tx.app_by_id(app_id)
        if found is None or not actor.sees(found.tenant_id):
            raise NotFound("app")
        return found

    # a tenant's apps

    async def add(self, actor: Actor, form: AppForm) -> App:
        """A new app (its secret is in the answer, and never again) under an approved, unexpired enterprise,
        within the enterprise's app quota (settled by the database: two creations at once never exceed it)."""
        actor.require(Permission.MANAGE_APPS)
        check_app_name(form.name)
        callbacks = _checked_callbacks(form.callbacks)
        allowlist = check_allowlist(form.ip_allowlist)
        tags = check_tags(form.tags)
        length = _checked_extension_length(form.extension_length)
        _refuse_sms_in_axe(form.mode, sms_enabled=form.sms_enabled, sms_content=form.sms_content)

        async def work(tx: ManagementTx) -> App:
            owner = await tx.enterprise_by_id(form.enterprise_id)
            if owner is None or not actor.sees(owner.tenant_id):
                raise NotFound("enterprise", "no such enterprise")
            require_approved(owner, today_utc())
            if await tx.app_named(owner.id, form.name) is not None:
                raise Conflict("name_taken", f"enterprise {owner.name!r} already has an app called {form.name!r}",
                               field="name")
            if not await tx.take_app_slot(owner.id):
                raise AppQuotaReached(owner, from_cli=False)
            now = now_ms()
            created = await tx.insert_app(NewApp(
                enterprise_id=owner.id, name=form.name, mode=form.mode, app_key=new_app_key(),
                app_secret=new_app_secret(), callbacks=callbacks, recording_enabled=form.recording_enabled,
                sms_enabled=form.sms_enabled, ip_allowlist=allowlist, extension_length=length,
                sms_content=form.sms_content), now)
            if tags:
                await tx.update_app(created.app_key, AppChanges(tags=tags), now)
            found = await tx.app_by_id(created.id)
            assert found is not None
            await tx.audit(AuditEvent(actor, "app.create", f"app:{found.id}", owner.tenant_id,
                                      after=app_view(found)), now)
            return found

        return await self.unit.run(work)

    async def page(self, actor: Actor, page: PageRequest = PageRequest()) -> Page[App]:
        actor.require(Permission.READ)
        scope = actor.tenant_scope()
        return await self.unit.run(lambda tx: tx.app_page(scope, page), read_only=True)

    async def get(self, actor: Actor, app_id: int) -> App:
        actor.require(Permission.READ)
        return await self.unit.run(lambda tx: self._visible(tx, actor, app_id), read_only=True)

    async def change(self, actor: Actor, app_id: int, changes: AppChanges) -> App:
        """Change URLs, switches, allow-list, extension length, tags or name: effective at once."""
        actor.require(Permission.MANAGE_APPS)
        if changes.status is not None:
            raise Forbidden("operators suspend and resume apps")

        async def work(tx: ManagementTx) -> App:
            found = await self._visible(tx, actor, app_id)
            checked = _checked_changes(changes, found.mode)
            renamed = checked.name is not None and checked.name != found.name
            if renamed and await tx.app_named(found.enterprise_id, checked.name or "") is not None:
                raise Conflict("name_taken", f"this enterprise already has an app called {checked.name!r}",
                               field="name")
            return await self._update(tx, actor, found, checked, "app.update")

        changed = await self.unit.run(work)
        self._forget(changed)
        return changed

    async def _update(self, tx: ManagementTx, actor: Actor, found: App, changes: AppChanges, action: str) -> App:
        now = now_ms()
        changed = await tx.update_app(found.app_key, changes, now)
        assert changed is not None
        changed = await tx.app_by_id(found.id) or changed
        await tx.audit(AuditEvent(actor, action, f"app:{found.id}", found.tenant_id, before=app_view(found),
                                  after=app_view(changed)), now)
        return changed

    async def rotate_secret(self, actor: Actor, app_id: int, grace_hours: int = 24) -> App:
        """A new secret (in the answer, and never again); the previous one authenticates for ``grace_hours`` more
        (0: it stops at once)."""
        actor.require(Permission.ROTATE_SECRETS)
        check_grace_hours(grace_hours)

        async def work(tx: ManagementTx) -> App:
            found = await self._visible(tx, actor, app_id)
            now = now_ms()
            until = now + grace_hours * HOUR_MS if grace_hours else None
            rotated = await tx.rotate_app_secret(found.id, new_app_secret(), until, now)
            await tx.audit(AuditEvent(actor, "app.rotate_secret", f"app:{found.id}", found.tenant_id,
                                      details={"grace_hours": grace_hours, "previous_valid_until_ms": until}), now)
            return rotated

        rotated = await self.unit.run(work)
        self._forget(rotated)
        return rotated

    async def set_suspended(self, actor: Actor, app_id: int, suspended: bool) -> App:
        """Suspend (its API calls get 1010008, its calls the service-error prompt) or resume an app."""
        actor.require(Permission.SUSPEND_APPS)
        status = AppStatus.SUSPENDED if suspended else AppStatus.ACTIVE

        async def work(tx: ManagementTx) -> App:
            found = await self._visible(tx, actor, app_id)
            if found.status is status:
                return found
            return await self._update(tx, actor, found, AppChanges(status=status),
                                      "app.suspend" if suspended else "app.resume")

        changed = await self.unit.run(work)
        self._forget(changed)
        return changed

    # the operators' CLI, by APP_Key

    async def create(self, actor: Actor, *, enterprise: str, name: str, mode: Mode, callbacks: CallbackUrls,
                     recording: bool = False, sms: bool = False, sms_content: bool = False,
                     ip_allowlist: Iterable[str] = (), extension_length: int = 4) -> App:
        """A new app of an operators' enterprise, created on first use (with the default quota); its quota is
        enforced by the database (conditional UPDATE and CHECK), so two operators creating apps at once never
        exceed it."""
        actor.require(Permission.MANAGE_APPS)
        if extension_length not in EXTENSION_LENGTHS:
            raise OperatorError(f"an extension length is 1, 2, 3 or 4 digits, not {extension_length}")
        allowlist = tuple(ip_allowlist)

        async def work(tx: ManagementTx) -> App:
            now = now_ms()
            owner = await tx.ensure_enterprise(enterprise, DEFAULT_APP_QUOTA, now)
            if not await tx.take_app_slot(owner.id):
                raise AppQuotaReached(await tx.enterprise(enterprise) or owner)
            created = await tx.insert_app(NewApp(
                enterprise_id=owner.id, name=name, mode=mode, app_key=new_app_key(), app_secret=new_app_secret(),
                callbacks=callbacks, recording_enabled=recording, sms_enabled=sms, ip_allowlist=allowlist,
                extension_length=extension_length, sms_content=sms_content), now)
            await tx.audit(AuditEvent(actor, "app.create", f"app:{created.id}", None, after=app_view(created)), now)
            return created

        return await self.unit.run(work)

    async def update(self, actor: Actor, app_key: str, changes: AppChanges) -> App:
        """Change URLs, switches, allow-list or status of the app with this APP_Key."""
        actor.require(Permission.MANAGE_APPS)
        if changes.status is not None:
            actor.require(Permission.SUSPEND_APPS)

        async def work(tx: ManagementTx) -> App:
            found = await tx.app_by_key(app_key)
            if found is None:
                raise OperatorError(f"no app with APP_Key {app_key}")
            return await self._update(tx, actor, found, changes, "app.update")

        changed = await self.unit.run(work)
        self._forget(changed)
        return changed

    async def list(self, actor: Actor) -> list[App]:
        if not actor.is_operator:
            raise Forbidden("only operators list every app")
        return await self.unit.run(lambda tx: tx.apps(), read_only=True)


