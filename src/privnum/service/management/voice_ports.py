"""What the voice-file use cases need from a management transaction: the ``voice_files`` rows and the live
bindings that name voice files."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from privnum.domain.voice_files import VoiceFile, VoiceFileState
from privnum.domain.voice_references import LiveBinding
from privnum.service.paging import Page, PageRequest


@dataclass(frozen=True)
class VoiceFileFilter:
    tenant_id: int | None = None  # None: every tenant's and the platform's (operators only)
    app_id: int | None = None
    state: VoiceFileState | None = None


class VoiceFileRowsTx(Protocol):
    async def insert_voice_file(self, file: VoiceFile) -> VoiceFile | None:
        """The inserted row (with its id); None, inserting nothing, when the app already has a file of that name."""
        ...

    async def replace_voice_file(self, file_id: int, file: VoiceFile) -> None:
        """Put ``file``'s version, audio facts and state in row ``file_id`` (an operator's replacement)."""
        ...

    async def voice_file(self, file_id: int) -> VoiceFile | None: ...

    async def voice_file_named(self, app_id: int, name: str, *, lock: bool = False) -> VoiceFile | None:
        """The app's own file of that name (``lock``: locked for update, on PostgreSQL, until the commit)."""
        ...

    async def voice_files(self, where: VoiceFileFilter, page: PageRequest) -> Page[VoiceFile]: ...

    async def voice_files_of(self, app_ids: list[int], names: list[str]) -> list[VoiceFile]:
        """The files of these apps (and the platform's) with one of these names, whatever their state."""
        ...

    async def set_voice_file_state(self, file_id: int, state: VoiceFileState) -> None: ...

    async def delete_voice_file(self, file_id: int) -> None: ...

    async def app_ids_of(self, tenant_id: int | None) -> list[int]:
        """The ids of the tenant's apps (None: every app)."""
        ...

    async def live_bindings(self, app_ids: list[int] | None, naming: str | None, now_ms: int) -> list[LiveBinding]:
        """Bindings not expired at ``now_ms`` of these apps (None: every app), only those whose options mention
        ``naming`` when given (the caller checks which option names it)."""
        ...
