"""The ``recordings`` rows: one per recording file (owner, bucket, domain, size, when it was kept)."""

from __future__ import annotations

from sqlalchemy import text

from privnum.adapters.db.database import Database
from privnum.service.recordings import StoredRecording

_DELETE = text("DELETE FROM recordings WHERE file_name = :file_name")
_INSERT = text("INSERT INTO recordings (file_name, app_id, session_id, bucket, domain, size_bytes, created_at_ms) "
               "VALUES (:file_name, :app_id, :session_id, :bucket, :domain, :size_bytes, :created_at_ms)")
_BY_NAME = text("SELECT file_name, app_id, session_id, bucket, domain, size_bytes, created_at_ms "
                "FROM recordings WHERE file_name = :file_name")
_OLD = text("SELECT file_name FROM recordings WHERE created_at_ms < :cutoff ORDER BY created_at_ms LIMIT :limit")
_DELETE_OLD = text("DELETE FROM recordings WHERE file_name = :file_name AND created_at_ms < :cutoff")


class SqlRecordingRows:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def replace(self, row: StoredRecording) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(_DELETE, {"file_name": row.file_name})
            await conn.execute(_INSERT, {"file_name": row.file_name, "app_id": row.app_id,
                                         "session_id": row.session_id, "bucket": row.bucket, "domain": row.domain,
                                         "size_bytes": row.size_bytes, "created_at_ms": row.created_at_ms})

    async def get(self, file_name: str) -> StoredRecording | None:
        async with self.db.reading() as conn:
            row = (await conn.execute(_BY_NAME, {"file_name": file_name})).first()
        if row is None:
            return None
        return StoredRecording(row.file_name, int(row.app_id), row.session_id, row.bucket, row.domain,
                               int(row.size_bytes), int(row.created_at_ms))

    async def names_older_than(self, cutoff_ms: int, limit: int) -> list[str]:
        async with self.db.reading() as conn:
            return [r.file_name for r in (await conn.execute(_OLD, {"cutoff": cutoff_ms, "limit": limit}))]

    async def delete_if_older(self, file_name: str, cutoff_ms: int) -> bool:
        """Delete the row unless it was kept again since; True when this call deleted it."""
        async with self.db.transaction() as conn:
            return bool((await conn.execute(_DELETE_OLD, {"file_name": file_name, "cutoff": cutoff_ms})).rowcount)
