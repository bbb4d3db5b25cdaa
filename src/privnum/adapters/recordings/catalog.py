"""The catalog of recordings: one ``recordings`` row per file, signed download links, retention.

A recording belongs to one app. Huawei keeps recordings 7 days from the CDR push and its download
address is valid 3 days (settings ``recording_retention_days`` / ``recording_url_valid_s``). A
download link is ``{base_url}/recordings/{file}?app_key=…&expires=<unix s>&signature=<hex>`` with
signature = HMAC-SHA256(app_secret, file + "\\n" + expires): only the owning app's secret makes it.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import urllib.parse
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import text

from privnum.adapters.db.database import Database
from privnum.adapters.recordings.store import RecordingStore, check_name
from privnum.adapters.recordings.wav import alaw_wav
from privnum.config import Settings
from privnum.domain.apps import App
from privnum.domain.calls.session import Recording
from privnum.service.clock import now_ms as clock_now_ms

log = logging.getLogger("privnum.recordings")

BUCKET = "privnum-recordings"
PURGE_BATCH = 500

_INSERT = text("INSERT INTO recordings (file_name, app_id, session_id, bucket, domain, size_bytes, created_at_ms) "
               "VALUES (:file_name, :app_id, :session_id, :bucket, :domain, :size_bytes, :created_at_ms)")
_DELETE = text("DELETE FROM recordings WHERE file_name = :file_name")
_BY_NAME = text("SELECT file_name, app_id, session_id, bucket, domain, size_bytes, created_at_ms "
                "FROM recordings WHERE file_name = :file_name")
_OLD = text("SELECT file_name FROM recordings WHERE created_at_ms < :cutoff ORDER BY created_at_ms LIMIT :limit")
_DELETE_OLD = text("DELETE FROM recordings WHERE file_name = :file_name AND created_at_ms < :cutoff")


@dataclass(frozen=True)
class StoredRecording:
    file_name: str
    app_id: int
    session_id: str
    bucket: str
    domain: str
    size_bytes: int
    created_at_ms: int


class LinkRefused(Exception):
    """A download link that does not open: ``reason`` is ``signature`` or ``expired``."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def file_name_for(app_id: int, session_id: str, started_at_ms: int) -> str:
    stamp = datetime.fromtimestamp(started_at_ms / 1000, UTC).strftime("%Y%m%d%H%M%S")
    digest = hashlib.sha256(f"{app_id}\n{session_id}".encode()).hexdigest()[:24]
    return f"{stamp}_{digest}.wav"


def sign(app_secret: str, file_name: str, expires: int) -> str:
    return hmac.new(app_secret.encode(), f"{file_name}\n{expires}".encode(), hashlib.sha256).hexdigest()


class Recordings:
    def __init__(self, db: Database, store: RecordingStore, settings: Settings) -> None:
        self.db = db
        self.store = store
        self.settings = settings

    @property
    def domain(self) -> str:
        """host:port of the public base URL: the CDR's ``recordDomain``."""
        return urllib.parse.urlsplit(self.settings.base_url).netloc

    @property
    def retention_ms(self) -> int:
        return int(self.settings.recording_retention_days * 86_400_000)

    def _alive(self, row: StoredRecording, now_ms: int) -> bool:
        return row.created_at_ms + self.retention_ms > now_ms

    async def save(self, app_id: int, session_id: str, audio: bytes, started_at_ms: int, *,
                   created_at_ms: int | None = None) -> Recording:
        """Keep one call's recording: ``audio`` is its A-law samples (8000 Hz mono), stored as a WAV file.

        Saving the same call again replaces its file and row. The retention clock starts at
        ``created_at_ms`` (default now: the end of the call, when its CDR is pushed).
        """
        name = check_name(file_name_for(app_id, session_id, started_at_ms))
        wav = alaw_wav(audio)
        created = clock_now_ms() if created_at_ms is None else created_at_ms
        await self.store.put(name, wav)
        try:
            async with self.db.transaction() as conn:
                await conn.execute(_DELETE, {"file_name": name})
                await conn.execute(_INSERT, {"file_name": name, "app_id": app_id, "session_id": session_id,
                                             "bucket": BUCKET, "domain": self.domain, "size_bytes": len(wav),
                                             "created_at_ms": created})
        except BaseException:
            await self.store.delete(name)
            raise
        return Recording(object_name=name, bucket=BUCKET, domain=self.domain, started_at_ms=started_at_ms)

    async def get(self, file_name: str, now_ms: int | None = None) -> StoredRecording | None:
        """The row of ``file_name`` unless unknown or past retention (whoever owns it)."""
        async with self.db.reading() as conn:
            row = (await conn.execute(_BY_NAME, {"file_name": file_name})).first()
        if row is None:
            return None
        found = StoredRecording(row.file_name, int(row.app_id), row.session_id, row.bucket, row.domain,
                                int(row.size_bytes), int(row.created_at_ms))
        return found if self._alive(found, clock_now_ms() if now_ms is None else now_ms) else None

    async def find(self, app_id: int, file_name: str, domain: str, now_ms: int | None = None) -> StoredRecording | None:
        """The recording ``file_name`` of this app with this ``recordDomain``, unless past retention."""
        found = await self.get(file_name, now_ms)
        if found is None or found.app_id != app_id or found.domain != domain:
            return None
        return found

    def download_location(self, app: App, file_name: str, now_ms: int) -> str:
        """A link to the file, signed with the app's secret, valid ``recording_url_valid_s`` from ``now_ms``."""
        expires = now_ms // 1000 + self.settings.recording_url_valid_s
        query = urllib.parse.urlencode({"app_key": app.app_key, "expires": expires,
                                        "signature": sign(app.app_secret, file_name, expires)})
        return f"{self.settings.base_url}/recordings/{urllib.parse.quote(file_name)}?{query}"

    @staticmethod
    def verify(app: App, file_name: str, expires: int, signature: str, now_ms: int) -> None:
        """Raise LinkRefused unless ``signature`` is ``app``'s for this file and ``expires`` has not passed."""
        if not hmac.compare_digest(sign(app.app_secret, file_name, expires), signature.lower()):
            raise LinkRefused("signature", "the download link's signature does not match")
        if expires * 1000 <= now_ms:
            raise LinkRefused("expired", "the download link has expired")

    async def read(self, recording: StoredRecording) -> bytes | None:
        return await self.store.get(recording.file_name)

    async def purge_older_than(self, now_ms: int) -> int:
        """Delete the rows and files of recordings past retention at ``now_ms``; returns how many.

        Safe to run from several processes at once: a file already gone is no error, and a row is
        deleted (then its file) by whichever process gets it first.
        """
        cutoff = now_ms - self.retention_ms
        purged = 0
        while True:
            async with self.db.reading() as conn:
                names = [r.file_name for r in (await conn.execute(_OLD, {"cutoff": cutoff, "limit": PURGE_BATCH}))]
            if not names:
                return purged
            for name in names:
                async with self.db.transaction() as conn:
                    deleted = (await conn.execute(_DELETE_OLD, {"file_name": name, "cutoff": cutoff})).rowcount
                if deleted:
                    purged += 1
                    await self.store.delete(name)
            if len(names) < PURGE_BATCH:
                return purged
