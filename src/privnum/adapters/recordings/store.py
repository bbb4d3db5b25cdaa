"""Recording files in one local directory (``RecordingFiles``); an S3/MinIO adapter can implement the same
port later (the name becomes the object key). Names are checked before any file-system use, so a
name can never leave the directory.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import shutil
from pathlib import Path

from privnum.service.recordings import check_name


class LocalRecordingStore:
    """One directory on the local disk (shared by every worker process of the server)."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)

    def _path(self, name: str) -> Path:
        return self.directory / check_name(name)

    def _put(self, name: str, data: bytes) -> None:
        path = self._path(name)
        self.directory.mkdir(parents=True, exist_ok=True)
        partial = self.directory / f".{name}.{secrets.token_hex(6)}.part"
        try:
            with open(partial, "wb") as out:
                out.write(data)
            os.replace(partial, path)  # readers see the whole file or none
        finally:
            with contextlib.suppress(FileNotFoundError):
                partial.unlink()

    def _put_file(self, name: str, source: Path) -> None:
        path = self._path(name)
        self.directory.mkdir(parents=True, exist_ok=True)
        partial = self.directory / f".{name}.{secrets.token_hex(6)}.part"
        try:
            shutil.move(source, partial)  # a rename on the same file system, else a copy
            os.replace(partial, path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                partial.unlink()

    def _get(self, name: str) -> bytes | None:
        try:
            return self._path(name).read_bytes()
        except FileNotFoundError:
            return None

    def _delete(self, name: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self._path(name).unlink()

    async def put(self, name: str, data: bytes) -> None:
        await asyncio.to_thread(self._put, name, data)

    async def put_file(self, name: str, path: Path) -> None:
        await asyncio.to_thread(self._put_file, name, path)

    async def get(self, name: str) -> bytes | None:
        check_name(name)
        return await asyncio.to_thread(self._get, name)

    async def delete(self, name: str) -> None:
        check_name(name)
        await asyncio.to_thread(self._delete, name)
