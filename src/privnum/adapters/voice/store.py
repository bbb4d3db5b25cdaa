"""Voice files in one local directory the media relay reads: ``<directory>/<app id>/<version>/<name>.0|.8``
(app id 0: platform defaults). A new version is converted in a hidden staging directory beside it and
renamed into place in one step, so a reader sees all of its files or none. Names are checked before any
file-system use, so a name can never leave the directory.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

from privnum.adapters.voice import sox
from privnum.domain.voice_files import (
    MAX_DURATION_MS,
    PAYLOAD_TYPES,
    PCMA,
    AudioRefused,
    check_name,
    duration_ms_of,
)
from privnum.service.clock import now_ms
from privnum.service.voice_files import StoredAudio

Converter = Callable[[Path, Path, int], Awaitable[None]]
STAGING_PREFIX = ".partial-"


class LocalVoiceStore:
    def __init__(self, directory: str | os.PathLike[str], convert: Converter = sox.convert) -> None:
        self.directory = Path(directory).absolute()
        self.convert = convert

    def _app_dir(self, app_id: int) -> Path:
        return self.directory / str(int(app_id))

    def _version_dir(self, app_id: int, version: str) -> Path:
        if not version or "/" in version or version.startswith("."):
            raise ValueError(f"not a voice file version: {version!r}")
        return self._app_dir(app_id) / version

    async def keep(self, app_id: int, name: str, source: str | os.PathLike[str]) -> StoredAudio:
        check_name(name)
        source_path = Path(source)
        if not source_path.is_file():
            raise AudioRefused(f"{source}: no such file")
        app_dir = self._app_dir(app_id)
        await asyncio.to_thread(app_dir.mkdir, parents=True, exist_ok=True)
        staging = Path(await asyncio.to_thread(tempfile.mkdtemp, prefix=STAGING_PREFIX, dir=app_dir))
        try:
            for payload_type in PAYLOAD_TYPES:
                await self.convert(source_path, staging / f"{name}.{payload_type}", payload_type)
            duration_ms = duration_ms_of((staging / f"{name}.{PCMA}").stat().st_size)
            if duration_ms <= 0:
                raise AudioRefused(f"{source_path.name} holds no audio; nothing was kept")
            if duration_ms > MAX_DURATION_MS:
                raise AudioRefused(f"{source_path.name} plays {duration_ms / 1000:.0f} s, longer than a voice file may "
                                   f"({MAX_DURATION_MS // 1000} s: 2 MB of A-law); nothing was kept")
            version = f"v{now_ms()}-{secrets.token_hex(4)}"
            await asyncio.to_thread(os.rename, staging, app_dir / version)
        except BaseException:
            await asyncio.to_thread(shutil.rmtree, staging, True)
            raise
        return StoredAudio(version, duration_ms)

    async def discard(self, app_id: int, version: str) -> None:
        await asyncio.to_thread(shutil.rmtree, self._version_dir(app_id, version), True)

    def base_path(self, app_id: int, version: str, name: str) -> str:
        return str(self._version_dir(app_id, version) / check_name(name))
