"""Voice-file rows and the live bindings that name voice files, inside a management transaction."""

from __future__ import annotations

import json

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from privnum.adapters.db.database import Conn
from privnum.adapters.db.tables import apps, bindings, enterprises, voice_files
from privnum.adapters.db.voice_file_store import voice_file_from_row
from privnum.domain.binding_options import BindingOptions
from privnum.domain.voice_files import PLATFORM, VoiceFile, VoiceFileState
from privnum.domain.voice_references import LiveBinding
from privnum.service.management.voice_ports import VoiceFileFilter
from privnum.service.paging import Page, PageRequest


def _values(file: VoiceFile) -> dict[str, object]:
    return {"version": file.version, "duration_ms": file.duration_ms, "created_at_ms": file.created_at_ms,
            "state": file.state.value, "description": file.description, "original_name": file.original_name,
            "original_format": file.original_format, "conversion": file.conversion, "size_bytes": file.size_bytes,
            "uploaded_by": file.uploaded_by, "tenant_id": file.tenant_id}


class VoiceRows:
    conn: Conn

    async def insert_voice_file(self, file: VoiceFile) -> VoiceFile | None:
        savepoint = await self.conn.begin_nested()
        try:
            await self.conn.execute(insert(voice_files).values(app_id=file.app_id, name=file.name, **_values(file)))
        except IntegrityError:  # unique (app_id, name)
            await savepoint.rollback()
            return None
        await savepoint.commit()
        return await self.voice_file_named(file.app_id, file.name)

    async def replace_voice_file(self, file_id: int, file: VoiceFile) -> None:
        await self.conn.execute(update(voice_files).where(voice_files.c.id == file_id).values(**_values(file)))

    async def voice_file(self, file_id: int) -> VoiceFile | None:
        row = (await self.conn.execute(select(voice_files).where(voice_files.c.id == file_id))).first()
        return voice_file_from_row(row) if row else None

    async def voice_file_named(self, app_id: int, name: str, *, lock: bool = False) -> VoiceFile | None:
        query = select(voice_files).where(voice_files.c.app_id == app_id, voice_files.c.name == name)
        row = (await self.conn.execute(query.with_for_update() if lock else query)).first()  # SQLite: no-op
        return voice_file_from_row(row) if row else None

    async def voice_files(self, where: VoiceFileFilter, page: PageRequest) -> Page[VoiceFile]:
        conditions = []
        if where.tenant_id is not None:
            conditions.append(voice_files.c.tenant_id == where.tenant_id)
        if where.app_id is not None:
            conditions.append(voice_files.c.app_id == where.app_id)
        if where.state is not None:
            conditions.append(voice_files.c.state == where.state.value)
        total = (await self.conn.execute(select(func.count()).select_from(voice_files).where(*conditions))
                 ).scalar_one()
        rows = (await self.conn.execute(select(voice_files).where(*conditions)
                                        .order_by(voice_files.c.id.desc())
                                        .limit(page.per_page).offset(page.offset))).all()
        return Page([voice_file_from_row(r) for r in rows], total, page.page, page.per_page)

    async def voice_files_of(self, app_ids: list[int], names: list[str]) -> list[VoiceFile]:
        if not names:
            return []
        rows = (await self.conn.execute(select(voice_files).where(
            voice_files.c.app_id.in_([*app_ids, PLATFORM]), voice_files.c.name.in_(names)))).all()
        return [voice_file_from_row(r) for r in rows]

    async def set_voice_file_state(self, file_id: int, state: VoiceFileState) -> None:
        await self.conn.execute(update(voice_files).where(voice_files.c.id == file_id).values(state=state.value))

    async def delete_voice_file(self, file_id: int) -> None:
        await self.conn.execute(delete(voice_files).where(voice_files.c.id == file_id))

    async def app_ids_of(self, tenant_id: int | None) -> list[int]:
        query = select(apps.c.id).order_by(apps.c.id)
        if tenant_id is not None:
            query = query.join(enterprises, enterprises.c.id == apps.c.enterprise_id).where(
                enterprises.c.tenant_id == tenant_id)
        return [int(r.id) for r in (await self.conn.execute(query)).all()]

    async def live_bindings(self, app_ids: list[int] | None, naming: str | None, now_ms: int) -> list[LiveBinding]:
        conditions = [or_(bindings.c.expires_at_ms.is_(None), bindings.c.expires_at_ms > now_ms)]
        if app_ids is not None:
            conditions.append(bindings.c.app_id.in_(app_ids))
        if naming is not None:
            conditions.append(bindings.c.settings.contains(json.dumps(naming)[1:-1], autoescape=True))
        rows = (await self.conn.execute(
            select(bindings.c.id, bindings.c.app_id, bindings.c.number, bindings.c.settings)
            .where(*conditions).order_by(bindings.c.created_at_ms, bindings.c.id))).all()
        found = []
        for row in rows:
            settings = json.loads(row.settings or "{}")
            settings.pop("last_caller", None)
            found.append(LiveBinding(row.id, int(row.app_id), row.number, BindingOptions.from_dict(settings)))
        return found
