"""Tenants' enterprises (profile columns on ``enterprises``), their materials (``enterprise_materials`` rows
pointing at ``stored_files``, whose blobs commit with the rest of the transaction), tenants' apps, and secret
rotation. A tenant's enterprise names are unique per tenant (a partial unique index, see ``tables.py``)."""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from privnum.adapters.db.database import Conn
from privnum.adapters.db.tables import apps, enterprise_materials, enterprises, stored_files
from privnum.adapters.db.tenancy_store import app_from_row, enterprise_from_row
from privnum.domain.apps import App
from privnum.domain.enterprise_materials import MaterialKind
from privnum.domain.enterprises import Enterprise, EnterpriseProfile, EnterpriseStatus
from privnum.service.management.ent_ports import Material, NewMaterial
from privnum.service.paging import Page, PageRequest


def profile_columns(profile: EnterpriseProfile) -> dict[str, Any]:
    return {"name": profile.name, "credit_code": profile.credit_code, "nature": profile.nature.value,
            "industry": profile.industry, "scenario_call": profile.scenario_call, "scenario_sms": profile.scenario_sms,
            "call_script": profile.call_script, "carrier_kind": profile.carrier_kind.value,
            "carrier_name": profile.carrier_name, "carrier_is_third_party": profile.carrier_is_third_party,
            "legal_name": profile.legal_name, "handler_name": profile.handler_name,
            "handler_phone": profile.handler_phone, "auth_letter_valid_until": profile.auth_letter_valid_until}


_MATERIAL_COLUMNS = (enterprise_materials.c.kind, enterprise_materials.c.file_id, stored_files.c.name,
                     stored_files.c.content_type, stored_files.c.size_bytes, stored_files.c.sha256,
                     stored_files.c.created_at_ms, stored_files.c.created_by)


def material_from_row(row: Any) -> Material:
    return Material(kind=MaterialKind(row.kind), file_id=row.file_id, name=row.name, content_type=row.content_type,
                    size_bytes=row.size_bytes, sha256=row.sha256, uploaded_at_ms=row.created_at_ms,
                    uploaded_by=row.created_by)


class EnterpriseRows:
    conn: Conn

    async def _name_taken(self, tenant_id: int | None, name: str, other_than: int | None = None) -> bool:
        query = select(enterprises.c.id).where(enterprises.c.tenant_id == tenant_id, enterprises.c.name == name)
        if other_than is not None:
            query = query.where(enterprises.c.id != other_than)
        return (await self.conn.execute(query)).first() is not None

    async def insert_enterprise(self, tenant_id: int, profile: EnterpriseProfile, app_quota: int,
                                now_ms: int) -> Enterprise | None:
        if await self._name_taken(tenant_id, profile.name):
            return None
        savepoint = await self.conn.begin_nested()
        try:  # the unique index settles two inserts at once
            done = await self.conn.execute(insert(enterprises).values(
                **profile_columns(profile), tenant_id=tenant_id, status=EnterpriseStatus.DRAFT.value, app_count=0,
                app_quota=app_quota, created_at_ms=now_ms, updated_at_ms=now_ms).returning(enterprises.c.id))
            new_id = done.scalar_one()
        except IntegrityError:
            await savepoint.rollback()
            return None
        await savepoint.commit()
        row = (await self.conn.execute(select(enterprises).where(enterprises.c.id == new_id))).one()
        return enterprise_from_row(row)

    async def update_enterprise_profile(self, enterprise_id: int, profile: EnterpriseProfile,
                                        now_ms: int) -> Enterprise | None:
        tenant_id = (await self.conn.execute(select(enterprises.c.tenant_id)
                                             .where(enterprises.c.id == enterprise_id))).scalar()
        if await self._name_taken(tenant_id, profile.name, other_than=enterprise_id):
            return None
        savepoint = await self.conn.begin_nested()
        try:
            await self.conn.execute(update(enterprises).where(enterprises.c.id == enterprise_id)
                                    .values(**profile_columns(profile), updated_at_ms=now_ms))
        except IntegrityError:
            await savepoint.rollback()
            return None
        await savepoint.commit()
        row = (await self.conn.execute(select(enterprises).where(enterprises.c.id == enterprise_id))).one()
        return enterprise_from_row(row)

    async def set_enterprise_status(self, enterprise_id: int, status: EnterpriseStatus, now_ms: int) -> None:
        await self.conn.execute(update(enterprises).where(enterprises.c.id == enterprise_id)
                                .values(status=status.value, updated_at_ms=now_ms))

    async def enterprise_page(self, tenant_id: int | None, page: PageRequest) -> Page[Enterprise]:
        conditions = [] if tenant_id is None else [enterprises.c.tenant_id == tenant_id]
        total = (await self.conn.execute(select(func.count()).select_from(enterprises)
                                         .where(*conditions))).scalar_one()
        rows = (await self.conn.execute(select(enterprises).where(*conditions).order_by(enterprises.c.id.desc())
                                        .limit(page.per_page).offset(page.offset))).all()
        return Page([enterprise_from_row(r) for r in rows], total, page.page, page.per_page)

    async def set_app_quota_of(self, enterprise_id: int, app_quota: int) -> bool:
        done = await self.conn.execute(update(enterprises).where(enterprises.c.id == enterprise_id,
                                                                 enterprises.c.app_count <= app_quota)
                                       .values(app_quota=app_quota))
        return bool(done.rowcount == 1)

    # materials

    async def put_material(self, enterprise_id: int, tenant_id: int | None, material: NewMaterial,
                           now_ms: int) -> Material:
        previous = (await self.conn.execute(
            select(enterprise_materials.c.file_id).where(enterprise_materials.c.enterprise_id == enterprise_id,
                                                         enterprise_materials.c.kind == material.kind.value))).scalar()
        done = await self.conn.execute(insert(stored_files).values(
            tenant_id=tenant_id, kind="enterprise_material", name=material.name,
            content_type=material.content_type, size_bytes=len(material.data),
            sha256=hashlib.sha256(material.data).hexdigest(), data=material.data, created_at_ms=now_ms,
            created_by=material.uploaded_by).returning(stored_files.c.id))
        file_id = done.scalar_one()
        if previous is None:
            await self.conn.execute(insert(enterprise_materials).values(
                enterprise_id=enterprise_id, kind=material.kind.value, file_id=file_id))
        else:
            await self.conn.execute(update(enterprise_materials)
                                    .where(enterprise_materials.c.enterprise_id == enterprise_id,
                                           enterprise_materials.c.kind == material.kind.value)
                                    .values(file_id=file_id))
            await self.conn.execute(delete(stored_files).where(stored_files.c.id == previous))
        found = await self.material_data(enterprise_id, file_id)
        assert found is not None
        return found[0]

    async def materials(self, enterprise_id: int) -> list[Material]:
        rows = (await self.conn.execute(
            select(*_MATERIAL_COLUMNS).join(stored_files, stored_files.c.id == enterprise_materials.c.file_id)
            .where(enterprise_materials.c.enterprise_id == enterprise_id)
            .order_by(enterprise_materials.c.kind))).all()
        return [material_from_row(r) for r in rows]

    async def material_data(self, enterprise_id: int, file_id: int) -> tuple[Material, bytes] | None:
        row = (await self.conn.execute(
            select(*_MATERIAL_COLUMNS, stored_files.c.data)
            .join(stored_files, stored_files.c.id == enterprise_materials.c.file_id)
            .where(enterprise_materials.c.enterprise_id == enterprise_id,
                   enterprise_materials.c.file_id == file_id))).first()
        return (material_from_row(row), bytes(row.data)) if row else None

    # apps

    async def app_page(self, tenant_id: int | None, page: PageRequest) -> Page[App]:
        conditions = [] if tenant_id is None else [enterprises.c.tenant_id == tenant_id]
        joined = apps.join(enterprises, enterprises.c.id == apps.c.enterprise_id)
        total = (await self.conn.execute(select(func.count()).select_from(joined).where(*conditions))).scalar_one()
        rows = (await self.conn.execute(
            select(apps, enterprises.c.name.label("enterprise_name"), enterprises.c.tenant_id)
            .select_from(joined).where(*conditions).order_by(apps.c.id.desc())
            .limit(page.per_page).offset(page.offset))).all()
        return Page([app_from_row(r) for r in rows], total, page.page, page.per_page)

    async def app_named(self, enterprise_id: int, name: str) -> App | None:
        row = (await self.conn.execute(select(apps).where(apps.c.enterprise_id == enterprise_id,
                                                          apps.c.name == name))).first()
        return app_from_row(row) if row else None

    async def rotate_app_secret(self, app_id: int, new_secret: str, previous_until_ms: int | None,
                                now_ms: int) -> App:
        current = (await self.conn.execute(select(apps.c.app_secret).where(apps.c.id == app_id))).scalar_one()
        await self.conn.execute(update(apps).where(apps.c.id == app_id).values(
            app_secret=new_secret, previous_secret=current if previous_until_ms is not None else None,
            previous_secret_until_ms=previous_until_ms, updated_at_ms=now_ms))
        row = (await self.conn.execute(select(apps, enterprises.c.name.label("enterprise_name"),
                                              enterprises.c.tenant_id)
                                       .join(enterprises, enterprises.c.id == apps.c.enterprise_id)
                                       .where(apps.c.id == app_id))).one()
        return app_from_row(row)
