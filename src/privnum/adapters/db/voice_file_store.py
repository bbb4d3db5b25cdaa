"""The ``voice_files`` rows as the call core reads them (``VoiceFileRows``): only approved files are found."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from privnum.adapters.db.database import Database
from privnum.adapters.db.tables import voice_files
from privnum.domain.voice_files import PLATFORM, VoiceFile, VoiceFileState


def voice_file_from_row(row: Any) -> VoiceFile:
    return VoiceFile(app_id=int(row.app_id), name=row.name, version=row.version, duration_ms=int(row.duration_ms),
                     created_at_ms=int(row.created_at_ms), id=int(row.id), state=VoiceFileState(row.state),
                     description=row.description, original_name=row.original_name,
                     original_format=row.original_format, conversion=row.conversion, size_bytes=row.size_bytes,
                     uploaded_by=row.uploaded_by, tenant_id=row.tenant_id)


class SqlVoiceFileRows:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def find(self, app_id: int, name: str) -> VoiceFile | None:
        query = (select(voice_files)
                 .where(voice_files.c.app_id.in_((app_id, PLATFORM)), voice_files.c.name == name,
                        voice_files.c.state == VoiceFileState.APPROVED.value)
                 .order_by(voice_files.c.app_id.desc()).limit(1))
        async with self.db.reading() as conn:
            row = (await conn.execute(query)).first()
        return voice_file_from_row(row) if row else None

    async def list(self, app_id: int | None = None) -> list[VoiceFile]:
        query = select(voice_files).order_by(voice_files.c.app_id, voice_files.c.name)
        if app_id is not None:
            query = query.where(voice_files.c.app_id == app_id)
        async with self.db.reading() as conn:
            return [voice_file_from_row(r) for r in (await conn.execute(query)).all()]
