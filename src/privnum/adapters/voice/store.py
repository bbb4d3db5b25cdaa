"""Voice files in one local directory the media relay reads: ``<directory>/<app id>/<version>/<name>.0|.8``
(app id 0: platform defaults). A new version is converted in a hidden staging directory beside it and
renamed into place in one step, so a reader sees all of its files or none. Names are checked before any
file-system use, so a name can never leave the directory.
"""

from __future__ import annotations

import asyncio
import os
import re
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
    AudioFormat,
    AudioRefused,
    VoicePrompt,
    check_name,
    duration_ms_of,
)
from privnum.service.clock import now_ms
from privnum.service.voice_files import StoredAudio

Converter = Callable[[Path, Path, int], Awaitable[None]]
Prober = Callable[[Path], Awaitable[AudioFormat]]
STAGING_PREFIX = ".partial-"
UPLOAD_PREFIX = ".upload-"
_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,8}$")


def _suffix_of(original_name: str) -> str:
    """The upload's own extension (sox tells formats by it), or ``.wav``."""
    found = _SUFFIX.search(original_name)
    return found.group(0).lower() if found else ".wav"


class LocalVoiceStore:
    def __init__(self, directory: str | os.PathLike[str], convert: Converter = sox.convert,
                 probe: Prober = sox.probe) -> None:
        self.directory = Path(directory).absolute()
        self.convert = convert
        self.probe = probe

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
            source_format = await self.probe(source_path)
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
        return StoredAudio(version, duration_ms, source_format)

    async def keep_upload(self, app_id: int, name: str, data: bytes, original_name: str) -> StoredAudio:
        """``keep`` of uploaded bytes, staged in a hidden file (with the upload's extension) removed at once."""
        check_name(name)
        await asyncio.to_thread(self.directory.mkdir, parents=True, exist_ok=True)
        upload = Path(await asyncio.to_thread(tempfile.mkdtemp, prefix=UPLOAD_PREFIX, dir=self.directory))
        try:
            source = upload / f"upload{_suffix_of(original_name)}"
            await asyncio.to_thread(source.write_bytes, data)
            try:
                return await self.keep(app_id, name, source)
            except AudioRefused as refused:
                raise AudioRefused(str(refused).replace(source.name, original_name or source.name)) from None
        finally:
            await asyncio.to_thread(shutil.rmtree, upload, True)

    async def wav(self, prompt: VoicePrompt) -> bytes:
        return await sox.pcm16_wav(Path(prompt.path_for(PCMA)))

    async def discard(self, app_id: int, version: str) -> None:
        await asyncio.to_thread(shutil.rmtree, self._version_dir(app_id, version), True)

    def base_path(self, app_id: int, version: str, name: str) -> str:
        return str(self._version_dir(app_id, version) / check_name(name))
