"""Enterprises: a tenant's drafts, their materials, submission for review (企业资质审核) and its outcome; the
operators' own enterprises (from the CLI) and everyone's app quotas."""

from __future__ import annotations

import shlex
from dataclasses import dataclass, replace
from typing import Any

from privnum.domain.access import Actor, Permission
from privnum.domain.audit import AuditEvent
from privnum.domain.enterprise_materials import MaterialKind, check_material, missing_materials
from privnum.domain.enterprises import (
    DEFAULT_APP_QUOTA,
    Enterprise,
    EnterpriseProfile,
    EnterpriseStatus,
    check_app_quota,
    check_letter_valid,
    check_profile,
    require_editable,
)
from privnum.domain.management_errors import Conflict, Forbidden, Invalid, NotFound
from privnum.domain.operator_errors import OperatorError
from privnum.domain.reviews import Review, ReviewKind, ReviewState
from privnum.service.clock import now_ms, today_utc
from privnum.service.management.ent_ports import Material, NewMaterial
from privnum.service.management.ports import ManagementTx, ManagementUnit
from privnum.service.management.reviews import Reviews
from privnum.service.paging import Page, PageRequest

PROFILE_FIELDS = frozenset(EnterpriseProfile.__dataclass_fields__)
OPTIONAL_FIELDS = frozenset({"scenario_sms"})


@dataclass(frozen=True)
class EnterpriseDetail:
    enterprise: Enterprise
    materials: list[Material]
    reviews: list[Review]  # newest first
    missing: list[MaterialKind]


def enterprise_view(enterprise: Enterprise) -> dict[str, Any]:
    """What the audit trail keeps of an enterprise."""
    view: dict[str, Any] = {"name": enterprise.name, "status": enterprise.status.value,
                            "app_quota": enterprise.app_quota}
    if enterprise.profile is not None:
        view.update({k: str(v) if v is not None else None for k, v in vars(enterprise.profile).items()})
    return view


async def _keep_expired(tx: ManagementTx, enterprise: Enterprise, now: int) -> None:
    """An expired enterprise being renewed stays expired (stored so) until approved again: a new letter date
    alone must not make it approved."""
    expired_by_date = enterprise.status_on(today_utc()) is EnterpriseStatus.EXPIRED
    if enterprise.status is EnterpriseStatus.APPROVED and expired_by_date:
        await tx.set_enterprise_status(enterprise.id, EnterpriseStatus.EXPIRED, now)


async def _visible(tx: ManagementTx, actor: Actor, enterprise_id: int) -> Enterprise:
    found = await tx.enterprise_by_id(enterprise_id)
    if found is None or not actor.sees(found.tenant_id):
        raise NotFound("enterprise")
    return found


class Enterprises:
    def __init__(self, unit: ManagementUnit, reviews: Reviews) -> None:
        self.unit = unit
        self.reviews = reviews
        reviews.register(ReviewKind.ENTERPRISE, EnterpriseReviewSubject())

    # a tenant's enterprises

    async def add(self, actor: Actor, profile: EnterpriseProfile) -> Enterprise:
        """A draft enterprise of the actor's tenant."""
        actor.require(Permission.MANAGE_ENTERPRISES)
        if actor.tenant_id is None:
            raise Forbidden("enterprises are added by a tenant's users; operators' own are made with "
                            "`privnum enterprise create`")
        tenant_id = actor.tenant_id
        checked = check_profile(profile)

        async def work(tx: ManagementTx) -> Enterprise:
            now = now_ms()
            created = await tx.insert_enterprise(tenant_id, checked, DEFAULT_APP_QUOTA, now)
            if created is None:
                raise Conflict("name_taken", f"you already have an enterprise called {checked.name!r}", field="name")
            await tx.audit(AuditEvent(actor, "enterprise.create", f"enterprise:{created.id}", tenant_id,
                                      after=enterprise_view(created)), now)
            return created

        return await self.unit.run(work)

    async def page(self, actor: Actor, page: PageRequest = PageRequest()) -> Page[Enterprise]:
        actor.require(Permission.READ)
        scope = actor.tenant_scope()
        return await self.unit.run(lambda tx: tx.enterprise_page(scope, page), read_only=True)

    async def detail(self, actor: Actor, enterprise_id: int) -> EnterpriseDetail:
        actor.require(Permission.READ)

        async def work(tx: ManagementTx) -> EnterpriseDetail:
            found = await _visible(tx, actor, enterprise_id)
            materials = await tx.materials(enterprise_id)
            third_party = found.profile.carrier_is_third_party if found.profile else False
            return EnterpriseDetail(found, materials, await tx.reviews_of(ReviewKind.ENTERPRISE, enterprise_id),
                                    missing_materials((m.kind for m in materials), third_party))

        return await self.unit.run(work, read_only=True)

    async def change(self, actor: Actor, enterprise_id: int, changes: dict[str, Any]) -> Enterprise:
        """Change the profile while the enterprise is draft, rejected or expired (``changes``: profile fields)."""
        actor.require(Permission.MANAGE_ENTERPRISES)
        unknown = set(changes) - PROFILE_FIELDS
        if unknown:
            raise Invalid("unknown_field", f"no field {sorted(unknown)[0]!r}", field=sorted(unknown)[0])
        cleared = sorted(k for k, v in changes.items() if v is None and k not in OPTIONAL_FIELDS)
        if cleared:
            raise Invalid("field_required", f"{cleared[0]} is required", field=cleared[0])

        async def work(tx: ManagementTx) -> Enterprise:
            found = await _visible(tx, actor, enterprise_id)
            if found.profile is None:
                raise Conflict("enterprise_not_editable", "an operator's enterprise has no profile to change")
            require_editable(found, today_utc())
            checked = check_profile(replace(found.profile, **changes))
            now = now_ms()
            await _keep_expired(tx, found, now)
            changed = await tx.update_enterprise_profile(enterprise_id, checked, now)
            if changed is None:
                raise Conflict("name_taken", f"you already have an enterprise called {checked.name!r}", field="name")
            await tx.audit(AuditEvent(actor, "enterprise.update", f"enterprise:{enterprise_id}", found.tenant_id,
                                      before=enterprise_view(found), after=enterprise_view(changed)), now)
            return changed

        return await self.unit.run(work)

    async def upload(self, actor: Actor, enterprise_id: int, kind: MaterialKind, name: str, data: bytes) -> Material:
        """Store a material (checked by its content); a kind uploaded again replaces the previous file."""
        actor.require(Permission.MANAGE_ENTERPRISES)
        content_type = check_material(kind, data)
        file_name = (name or kind.value).replace("\\", "/").rsplit("/", 1)[-1][:255] or kind.value

        async def work(tx: ManagementTx) -> Material:
            found = await _visible(tx, actor, enterprise_id)
            require_editable(found, today_utc())
            now = now_ms()
            await _keep_expired(tx, found, now)
            stored = await tx.put_material(enterprise_id, found.tenant_id, NewMaterial(
                kind, file_name, content_type, data, actor.login), now)
            await tx.audit(AuditEvent(actor, "enterprise.upload", f"enterprise:{enterprise_id}", found.tenant_id,
                                      after={"kind": kind.value, "file_id": stored.file_id, "name": file_name,
                                             "size_bytes": stored.size_bytes, "sha256": stored.sha256}), now)
            return stored

        return await self.unit.run(work)

    async def download(self, actor: Actor, enterprise_id: int, file_id: int) -> tuple[Material, bytes]:
        actor.require(Permission.READ)

        async def work(tx: ManagementTx) -> tuple[Material, bytes]:
            await _visible(tx, actor, enterprise_id)
            found = await tx.material_data(enterprise_id, file_id)
            if found is None:
                raise NotFound("file")
            return found

        return await self.unit.run(work, read_only=True)

    async def submit(self, actor: Actor, enterprise_id: int) -> Review:
        """Send the enterprise for review (again, after a rejection or when its letter expired)."""
        actor.require(Permission.MANAGE_ENTERPRISES)

        async def work(tx: ManagementTx) -> Review:
            found = await _visible(tx, actor, enterprise_id)
            if found.profile is None:
                raise Conflict("enterprise_not_editable", "an operator's enterprise is approved without review")
            today = today_utc()
            require_editable(found, today)
            materials = await tx.materials(enterprise_id)
            missing = missing_materials((m.kind for m in materials), found.profile.carrier_is_third_party)
            if missing:
                raise Invalid("materials_missing", f"upload these materials first: {', '.join(missing)}",
                              field="materials")
            check_letter_valid(found.profile, today)
            now = now_ms()
            await tx.set_enterprise_status(enterprise_id, EnterpriseStatus.PENDING, now)
            await tx.audit(AuditEvent(actor, "enterprise.submit", f"enterprise:{enterprise_id}", found.tenant_id,
                                      before={"status": found.status_on(today).value},
                                      after={"status": EnterpriseStatus.PENDING.value}), now)
            return await self.reviews.submit_in(tx, actor, ReviewKind.ENTERPRISE, enterprise_id, found.tenant_id,
                                                found.name)

        return await self.unit.run(work)

    async def nudge(self, actor: Actor, enterprise_id: int) -> Review:
        actor.require(Permission.MANAGE_ENTERPRISES)
        return await self.reviews.nudge(actor, ReviewKind.ENTERPRISE, enterprise_id)

    # the operators' side

    async def everyone(self, actor: Actor, page: PageRequest = PageRequest()) -> Page[Enterprise]:
        """Every tenant's enterprises and the operators' own, with app count and quota."""
        if not actor.is_operator:
            raise Forbidden("only operators see every tenant's enterprises")
        return await self.unit.run(lambda tx: tx.enterprise_page(None, page), read_only=True)

    async def set_quota(self, actor: Actor, enterprise_id: int, app_quota: int) -> Enterprise:
        """Raise (or lower, never below its app count) how many apps an enterprise may have."""
        actor.require(Permission.MANAGE_QUOTAS)
        check_app_quota(app_quota)

        async def work(tx: ManagementTx) -> Enterprise:
            found = await _visible(tx, actor, enterprise_id)
            if not await tx.set_app_quota_of(enterprise_id, app_quota):
                raise Conflict("quota_below_app_count", f"enterprise {found.name!r} has {found.app_count} apps, and "
                               f"apps are never deleted: its quota cannot go below {found.app_count}",
                               field="app_quota")
            changed = await tx.enterprise_by_id(enterprise_id)
            assert changed is not None
            await tx.audit(AuditEvent(actor, "enterprise.quota", f"enterprise:{enterprise_id}", found.tenant_id,
                                      before={"app_quota": found.app_quota}, after={"app_quota": app_quota}), now_ms())
            return changed

        return await self.unit.run(work)

    # the operators' own enterprises, by name (the CLI)

    async def create(self, actor: Actor, name: str, app_quota: int = DEFAULT_APP_QUOTA) -> Enterprise:
        """A new operator's enterprise (approved, no tenant); refused when one of that name exists."""
        actor.require(Permission.MANAGE_QUOTAS)
        check_app_quota(app_quota)

        async def work(tx: ManagementTx) -> Enterprise:
            if await tx.enterprise(name) is not None:
                raise OperatorError(f"enterprise {name!r} already exists; change its quota with "
                                    f"`privnum enterprise set-quota {shlex.quote(name)} N`")
            created = await tx.ensure_enterprise(name, app_quota, now_ms())
            await tx.audit(AuditEvent(actor, "enterprise.create", f"enterprise:{created.id}", None,
                                      after=enterprise_view(created)), now_ms())
            return created

        return await self.unit.run(work)

    async def list(self, actor: Actor) -> list[Enterprise]:
        if not actor.is_operator:
            raise Forbidden("only operators see every enterprise")
        return await self.unit.run(lambda tx: tx.enterprises(), read_only=True)

    async def set_app_quota(self, actor: Actor, name: str, app_quota: int) -> Enterprise:
        """The CLI's set-quota: the operators' own enterprise called ``name``."""
        actor.require(Permission.MANAGE_QUOTAS)
        check_app_quota(app_quota)

        async def work(tx: ManagementTx) -> Enterprise:
            found = await tx.enterprise(name)
            if found is None:
                raise OperatorError(f"no enterprise {name!r} (`privnum enterprise list` shows them; "
                                    f"`privnum enterprise create {shlex.quote(name)}` creates it)")
            if not await tx.set_app_quota_of(found.id, app_quota):
                raise OperatorError(f"enterprise {name!r} already has {found.app_count} apps, and apps are never "
                                    f"deleted: its quota cannot go below {found.app_count}")
            await tx.audit(AuditEvent(actor, "enterprise.quota", f"enterprise:{found.id}", None,
                                      before={"app_quota": found.app_quota}, after={"app_quota": app_quota}), now_ms())
            changed = await tx.enterprise(name)
            assert changed is not None
            return changed

        return await self.unit.run(work)


class EnterpriseReviewSubject:
    """An enterprise follows its review: approved → approved, rejected → rejected (the tenant edits and resubmits)."""

    async def decided(self, tx: ManagementTx, review: Review, actor: Actor, now_ms: int) -> None:
        found = await tx.enterprise_by_id(review.subject_id)
        if found is None:
            return
        status = EnterpriseStatus.APPROVED if review.state is ReviewState.APPROVED else EnterpriseStatus.REJECTED
        await tx.set_enterprise_status(found.id, status, now_ms)
        await tx.audit(AuditEvent(actor, f"enterprise.{status.value}", f"enterprise:{found.id}", found.tenant_id,
                                  before={"status": found.status.value}, after={"status": status.value}), now_ms)
