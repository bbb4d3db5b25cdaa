"""Voice files as the call core hears them: find the prompt a call plays, list what is stored, and the ports of
the catalog, the stored audio and the shipped prompts (uploads, reviews and deletions are the management
plane's: ``service/management/voice_files.py``).

An upload is converted once into the raw payload files the media relay plays (``<base>.0`` PCMU,
``<base>.8`` PCMA) in a new version directory, whole or not at all (``VoiceStorage.keep``); then its row
is written.

The call core depends on ``VoicePrompts`` only: ``prompt(app_id, name)`` answers the app's own approved file,
else the platform's approved upload, else the prompt the platform ships under that name (``DefaultPrompt``)
in the configured language. A file waiting for review, or rejected, is to a call as if it did not exist.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Protocol

from privnum.domain.operator_errors import OperatorError
from privnum.domain.voice_files import PLATFORM, AudioFormat, VoiceFile, VoicePrompt, check_language, is_valid_name
from privnum.service.ports import AppDirectory

__all__ = ["BuiltinPrompts", "ListedVoiceFile", "StoredAudio", "VoiceFileRows", "VoiceFiles",
           "VoicePrompt", "VoicePrompts", "VoiceStorage"]


class VoicePrompts(Protocol):
    """What the call core asks: the prompt ``name`` as app ``app_id`` hears it, or None when there is none."""

    async def prompt(self, app_id: int, name: str) -> VoicePrompt | None: ...


class VoiceFileRows(Protocol):
    """The catalog: one row per (app id, name); platform files have app id ``PLATFORM``."""

    async def find(self, app_id: int, name: str) -> VoiceFile | None:
        """The app's own approved file called ``name``, else the platform's approved one, else None."""
        ...

    async def list(self, app_id: int | None = None) -> list[VoiceFile]:
        """Every row (platform first), or those of one app id, by name."""
        ...


@dataclass(frozen=True)
class StoredAudio:
    version: str
    duration_ms: int
    source_format: AudioFormat | None = None  # what the upload held, before conversion


class VoiceStorage(Protocol):
    """Where the raw payload files live (a directory the media relay can read)."""

    async def keep(self, app_id: int, name: str, source: str | os.PathLike[str]) -> StoredAudio:
        """Convert ``source`` into a new version of ``name``, all of its files or none.

        Raises ``AudioRefused`` (an ``OperatorError``) when it is not audio the converter reads, is empty or
        too long, or the converter is missing."""
        ...

    async def keep_upload(self, app_id: int, name: str, data: bytes, original_name: str) -> StoredAudio:
        """``keep`` of an upload's bytes; ``original_name`` (the uploaded file's name) tells its format."""
        ...

    async def wav(self, prompt: VoicePrompt) -> bytes:
        """The prompt as a 16-bit PCM WAV a browser plays."""
        ...

    async def discard(self, app_id: int, version: str) -> None:
        """Remove one version's files; no error when they are gone."""
        ...

    def base_path(self, app_id: int, version: str, name: str) -> str:
        """The path of the version's files without the payload-type extension."""
        ...


class BuiltinPrompts(Protocol):
    """The prompts shipped with privnum, per language."""

    def prompt(self, name: str, language: str) -> VoicePrompt | None: ...

    def names(self, language: str) -> list[str]: ...


@dataclass(frozen=True)
class ListedVoiceFile:
    """One line of ``voice list``: ``owner`` is the app's APP_Key, or None for the platform."""

    owner: str | None
    name: str
    duration_ms: int
    created_at_ms: int | None  # None: shipped with privnum
    builtin_language: str | None = None
    state: str = "approved"  # only approved files are played


class VoiceFiles:
    def __init__(self, rows: VoiceFileRows, storage: VoiceStorage, apps: AppDirectory, builtins: BuiltinPrompts,
                 *, language: str = "zh") -> None:
        self.rows = rows
        self.storage = storage
        self.apps = apps
        self.builtins = builtins
        self.language = check_language(language)

    async def _app_id(self, app_key: str | None) -> int:
        if app_key is None:
            return PLATFORM
        app = await self.apps.by_key(app_key)
        if app is None:
            raise OperatorError(f"no app with APP_Key {app_key}")
        return app.id

    async def list(self, app_key: str | None = None) -> list[ListedVoiceFile]:
        """The app's voice files; with no app, every uploaded file and then the shipped ones."""
        if app_key is not None:
            app_id = await self._app_id(app_key)
            return [ListedVoiceFile(app_key, f.name, f.duration_ms, f.created_at_ms, state=f.state.value)
                    for f in await self.rows.list(app_id)]
        keys: dict[int, str | None] = {PLATFORM: None}
        listed = []
        for f in await self.rows.list():
            if f.app_id not in keys:
                app = await self.apps.by_id(f.app_id)
                keys[f.app_id] = app.app_key if app else f"#{f.app_id}"
            listed.append(ListedVoiceFile(keys[f.app_id], f.name, f.duration_ms, f.created_at_ms, state=f.state.value))
        for name in self.builtins.names(self.language):
            shipped = self.builtins.prompt(name, self.language)
            assert shipped is not None
            listed.append(ListedVoiceFile(None, name, shipped.duration_ms, None, self.language))
        return listed

    async def prompt(self, app_id: int, name: str, *, language: str | None = None) -> VoicePrompt | None:
        """The app's own approved file ``name``, else the platform's approved upload, else the shipped prompt of
        that name (in ``language``, default the platform's); None when there is none (or the name cannot be a voice
        file)."""
        if not is_valid_name(name):
            return None
        found = await self.rows.find(app_id, name)
        if found is not None:
            return VoicePrompt(self.storage.base_path(found.app_id, found.version, found.name), found.duration_ms)
        return self.builtins.prompt(name, language or self.language)
