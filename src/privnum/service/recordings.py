"""Recordings: one catalog row per file, signed download links, retention.

A recording belongs to one app. Huawei keeps recordings 7 days from the CDR push and its download
address is valid 3 days (settings ``recording_retention_days`` / ``recording_url_valid_s``). A
download link is ``{base_url}/recordings/{file}?app_key=…&expires=<unix s>&signature=<hex>`` with
signature = HMAC-SHA256(app_secret, file + "\\n" + expires): only the owning app's secret makes it.
Rows live behind ``RecordingRows`` (the database), files behind ``RecordingFiles`` (a directory, S3…).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import urllib.parse
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from privnum.domain.apps import App
from privnum.domain.calls.session import Recording
from privnum.domain.result_codes import Refused, ResultCode
from privnum.service.calls.ports import RecordedAudio
from privnum.service.clock import now_ms as clock_now_ms

BUCKET = "privnum-recordings"
PURGE_BATCH = 500
NAME = re.compile(r"[A-Za-z0-9_.-]+\.wav")
MAX_NAME_LENGTH = 128


class InvalidRecordingName(ValueError):
    pass


def is_valid_name(name: str) -> bool:
    return len(name) <= MAX_NAME_LENGTH and NAME.fullmatch(name) is not None and not name.startswith(".")


def check_name(name: str) -> str:
    if not is_valid_name(name):
        raise InvalidRecordingName(f"not a recording file name: {name!r}")
    return name


@dataclass(frozen=True)
class StoredRecording:
    file_name: str
    app_id: int
    session_id: str
    bucket: str
    domain: str
    size_bytes: int
    created_at_ms: int


class RecordingRows(Protocol):
    async def replace(self, row: StoredRecording) -> None: ...

    async def get(self, file_name: str) -> StoredRecording | None: ...

    async def names_older_than(self, cutoff_ms: int, limit: int) -> list[str]: ...

    async def delete_if_older(self, file_name: str, cutoff_ms: int) -> bool: ...


class RecordingFiles(Protocol):
    """Where recording files live, behind a path-free interface (a name in, bytes out)."""

    async def put(self, name: str, data: bytes) -> None:
        """Store ``data`` under ``name``, replacing what was there."""

    async def put_file(self, name: str, path: Path) -> None:
        """Store the file at ``path`` under ``name`` (taking it: the file is moved, not copied, where it can be)."""

    async def get(self, name: str) -> bytes | None:
        """The bytes stored under ``name``, or None."""

    async def delete(self, name: str) -> None:
        """Forget ``name``; no error when it is already gone."""


def file_name_for(app_id: int, session_id: str, started_at_ms: int) -> str:
    stamp = datetime.fromtimestamp(started_at_ms / 1000, UTC).strftime("%Y%m%d%H%M%S")
    digest = hashlib.sha256(f"{app_id}\n{session_id}".encode()).hexdigest()[:24]
    return f"{stamp}_{digest}.wav"


def sign(app_secret: str, file_name: str, expires: int) -> str:
    return hmac.new(app_secret.encode(), f"{file_name}\n{expires}".encode(), hashlib.sha256).hexdigest()


class Recordings:
    def __init__(self, rows: RecordingRows, files: RecordingFiles, *, base_url: str, retention_days: float = 7.0,
                 url_valid_s: int = 3 * 24 * 3600) -> None:
        self.rows = rows
        self.files = files
        self.base_url = base_url.rstrip("/")
        self.retention_ms = int(retention_days * 86_400_000)
        self.url_valid_s = url_valid_s

    @property
    def domain(self) -> str:
        """host:port of the public base URL: the CDR's ``recordDomain``."""
        return urllib.parse.urlsplit(self.base_url).netloc

    def _alive(self, row: StoredRecording, now_ms: int) -> bool:
        return row.created_at_ms + self.retention_ms > now_ms

    async def save(self, app_id: int, session_id: str, audio: RecordedAudio, started_at_ms: int, *,
                   created_at_ms: int | None = None) -> Recording:
        """Keep one call's recording: ``audio`` is the WAV file the driver wrote; the store takes the file.

        Saving the same call again replaces its file and row. The retention clock starts at
        ``created_at_ms`` (default now: the end of the call, when its CDR is pushed).
        """
        name = check_name(file_name_for(app_id, session_id, started_at_ms))
        size = os.path.getsize(audio.path)
        created = clock_now_ms() if created_at_ms is None else created_at_ms
        await self.files.put_file(name, audio.path)
        try:
            await self.rows.replace(StoredRecording(name, app_id, session_id, BUCKET, self.domain, size, created))
        except BaseException:
            await self.files.delete(name)
            raise
        return Recording(object_name=name, bucket=BUCKET, domain=self.domain, started_at_ms=started_at_ms)

    async def get(self, file_name: str, now_ms: int | None = None) -> StoredRecording | None:
        """The row of ``file_name`` unless unknown or past retention (whoever owns it)."""
        found = await self.rows.get(file_name)
        if found is None:
            return None
        return found if self._alive(found, clock_now_ms() if now_ms is None else now_ms) else None

    async def find(self, app_id: int, file_name: str, domain: str, now_ms: int | None = None) -> StoredRecording | None:
        """The recording ``file_name`` of this app with this ``recordDomain``, unless past retention."""
        found = await self.get(file_name, now_ms)
        if found is None or found.app_id != app_id or found.domain != domain:
            return None
        return found

    async def download_url(self, app: App, file_name: str, domain: str, now_ms: int) -> str:
        """GetRecordingDownloadUrl: the signed link to this app's recording ``file_name``; 1012007 when there is
        none, or while the app's tenant is in arrears (Huawei refuses recording URLs then, R-24)."""
        refusal = app.arrears.recording_url_refusal
        if refusal is not None:
            raise Refused(refusal, "the account is in arrears; recordings are available again after a top-up")
        found = await self.find(app.id, file_name, domain, now_ms)
        if found is None:
            raise Refused(ResultCode.RECORD_NOT_EXIST, "no such recording of this app (unknown or expired)")
        return self.download_location(app, found.file_name, now_ms)

    def download_location(self, app: App, file_name: str, now_ms: int) -> str:
        """A link to the file, signed with the app's secret, valid ``url_valid_s`` from ``now_ms``."""
        expires = now_ms // 1000 + self.url_valid_s
        query = urllib.parse.urlencode({"app_key": app.app_key, "expires": expires,
                                        "signature": sign(app.app_secret, file_name, expires)})
        return f"{self.base_url}/recordings/{urllib.parse.quote(file_name)}?{query}"

    @staticmethod
    def verify(app: App, file_name: str, expires: int, signature: str, now_ms: int) -> None:
        """Refuse unless ``signature`` is ``app``'s for this file (1010010), ``expires`` has not passed (1010013)
        and the app's tenant is not in arrears (1012007)."""
        if not hmac.compare_digest(sign(app.app_secret, file_name, expires), signature.lower()):
            raise Refused(ResultCode.INVALID_DIGEST, "the download link's signature does not match")
        if expires * 1000 <= now_ms:
            raise Refused(ResultCode.TIME_OUT_LIMIT, "the download link has expired")
        refusal = app.arrears.recording_url_refusal
        if refusal is not None:  # a link handed out before the tenant fell into arrears
            raise Refused(refusal, "the account is in arrears; recordings are available again after a top-up")

    async def read(self, recording: StoredRecording) -> bytes | None:
        return await self.files.get(recording.file_name)

    async def purge_older_than(self, now_ms: int) -> int:
        """Delete the rows and files of recordings past retention at ``now_ms``; returns how many.

        Safe to run from several processes at once: a file already gone is no error, and a row is
        deleted (then its file) by whichever process gets it first.
        """
        cutoff = now_ms - self.retention_ms
        purged = 0
        while True:
            names = await self.rows.names_older_than(cutoff, PURGE_BATCH)
            if not names:
                return purged
            for name in names:
                if await self.rows.delete_if_older(name, cutoff):
                    purged += 1
                    await self.files.delete(name)
            if len(names) < PURGE_BATCH:
                return purged
