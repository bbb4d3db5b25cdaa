"""Where recording files live, behind a path-free interface (a name in, bytes out).

``LocalRecordingStore`` keeps them in one directory; an S3/MinIO adapter can implement the same
protocol later (the name becomes the object key). Names are checked before any file-system use,
so a name can never leave the directory.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import secrets
from pathlib import Path
from typing import Protocol

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


class RecordingStore(Protocol):
    async def put(self, name: str, data: bytes) -> None:
        """Store ``data`` under ``name``, replacing what was there."""

    async def get(self, name: str) -> bytes | None:
        """The bytes stored under ``name``, or None."""

    async def delete(self, name: str) -> None:
        """Forget ``name``; no error when it is already gone."""


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

    async def get(self, name: str) -> bytes | None:
        check_name(name)
        return await asyncio.to_thread(self._get, name)

    async def delete(self, name: str) -> None:
        check_name(name)
        await asyncio.to_thread(self._delete, name)
