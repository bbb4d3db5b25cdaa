"""The ``voice_files`` rows: the catalog of uploaded prompts (``VoiceFileRows``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from privnum.adapters.db.database import Database
from privnum.adapters.db.engine import with_retries
from privnum.adapters.db.tables import voice_files
from privnum.domain.voice_files import PLATFORM, VoiceFile

_COLUMNS = (voice_files.c.app_id, voice_files.c.name, voice_files.c.version, voice_files.c.duration_ms,
            voice_files.c.created_at_ms)


def _file(row: Any) -> VoiceFile:
    return VoiceFile(app_id=int(row.app_id), name=row.name, version=row.version, duration_ms=int(row.duration_ms),
                     created_at_ms=int(row.created_at_ms))


class SqlVoiceFileRows:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def put(self, file: VoiceFile) -> VoiceFile | None:
        """The row is locked before it is replaced (PostgreSQL: SELECT ... FOR UPDATE; SQLite: one writer), so of
        two uploads of one name each learns the version it replaced; two first uploads at once: the loser of the
        unique (app_id, name) tries again and replaces the winner's."""
        key = (voice_files.c.app_id == file.app_id) & (voice_files.c.name == file.name)
        values = {"version": file.version, "duration_ms": file.duration_ms, "created_at_ms": file.created_at_ms}

        async def attempt() -> VoiceFile | None:
            for _ in range(3):
                async with self.db.transaction() as conn:
                    query = select(*_COLUMNS).where(key)
                    row = (await conn.execute(query.with_for_update() if self.db.is_postgres else query)).first()
                    if row is not None:
                        await conn.execute(update(voice_files).where(key).values(**values))
                        return _file(row)
                    savepoint = await conn.begin_nested()
                    try:
                        await conn.execute(insert(voice_files).values(app_id=file.app_id, name=file.name, **values))
                    except IntegrityError:
                        await savepoint.rollback()
                        continue
                    await savepoint.commit()
                    return None
            raise RuntimeError(f"could not write voice file {file.name!r} of app {file.app_id}")

        return await with_retries(attempt)

    async def find(self, app_id: int, name: str) -> VoiceFile | None:
        query = (select(*_COLUMNS)
                 .where(voice_files.c.app_id.in_((app_id, PLATFORM)), voice_files.c.name == name)
                 .order_by(voice_files.c.app_id.desc()).limit(1))
        async with self.db.reading() as conn:
            row = (await conn.execute(query)).first()
        return _file(row) if row else None

    async def list(self, app_id: int | None = None) -> list[VoiceFile]:
        query = select(*_COLUMNS).order_by(voice_files.c.app_id, voice_files.c.name)
        if app_id is not None:
            query = query.where(voice_files.c.app_id == app_id)
        async with self.db.reading() as conn:
            return [_file(r) for r in (await conn.execute(query)).all()]
