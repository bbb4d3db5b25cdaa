"""Voice files in the management plane (放音文件管理): a tenant uploads a prompt for one of its apps (converted
when it is not already an 8 kHz mono A-law WAV), it waits for review and is played only once approved;
list, listen, nudge the reviewers, delete when no live binding names it; the shipped defaults; the live
bindings that name a file a call could not play. Operators' CLI additions are approved at once.

The audio is converted and kept before the row is written, and removed again when the row is not
written (a refusal, a taken name, a failure), so a refused upload leaves neither row nor file.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

from privnum.domain.access import Actor, Permission
from privnum.domain.apps import App
from privnum.domain.audit import AuditEvent
from privnum.domain.management_errors import Conflict, Invalid, NotFound
from privnum.domain.reviews import Review, ReviewKind, ReviewState
from privnum.domain.voice_files import (
    ACCEPTED_FORMATS,
    PLATFORM,
    AudioRefused,
    VoiceFile,
    VoiceFileState,
    VoicePrompt,
    check_description,
    check_name,
    check_upload_name,
    check_upload_size,
)
from privnum.domain.voice_references import PROMPT_OPTIONS, Unplayable, VoiceProblem, prompt_references
from privnum.service.clock import now_ms
from privnum.service.management.ports import ManagementTx, ManagementUnit
from privnum.service.management.reviews import Reviews
from privnum.service.management.voice_ports import VoiceFileFilter
from privnum.service.paging import Page, PageRequest
from privnum.service.voice_files import StoredAudio, VoiceFiles

T = TypeVar("T")
_STATE_OF_REVIEW = {ReviewState.APPROVED: VoiceFileState.APPROVED, ReviewState.REJECTED: VoiceFileState.REJECTED}


@dataclass(frozen=True)
class Upload:
    app_id: int
    name: str
    description: str
    original_name: str
    data: bytes


@dataclass(frozen=True)
class VoiceFileDetail:
    file: VoiceFile
    review: Review | None  # the latest review (None: added by an operator, never reviewed)


@dataclass(frozen=True)
class AddedVoiceFile:
    file: VoiceFile
    replaced: bool


@dataclass(frozen=True)
class ShippedPrompt:
    language: str
    name: str
    duration_ms: int


def _view(file: VoiceFile) -> dict[str, object]:
    return {"app_id": file.app_id, "name": file.name, "state": file.state.value, "description": file.description,
            "version": file.version, "conversion": file.conversion}


class VoiceFileReview:
    """The ``ReviewSubject`` of voice files: approved → played, rejected → not played (the reason is the review's)."""

    async def decided(self, tx: ManagementTx, review: Review, actor: Actor, now_ms: int) -> None:
        state = _STATE_OF_REVIEW.get(review.state)
        if state is not None:
            await tx.set_voice_file_state(review.subject_id, state)


class VoiceLibrary:
    def __init__(self, unit: ManagementUnit, reviews: Reviews, voice: VoiceFiles) -> None:
        self.unit = unit
        self.reviews = reviews
        self.voice = voice

    # a tenant's uploads

    async def upload(self, actor: Actor, upload: Upload) -> VoiceFileDetail:
        """Convert and keep the upload as the app's voice file ``name`` and submit it for review."""
        actor.require(Permission.MANAGE_VOICE_FILES)
        name = check_upload_name(upload.name)
        description = check_description(upload.description)
        check_upload_size(len(upload.data))

        async def check(tx: ManagementTx) -> App:
            app = await self._app_in(tx, actor, upload.app_id)
            if await tx.voice_file_named(app.id, name) is not None:
                raise _name_taken(name)
            return app

        app = await self.unit.run(check, read_only=True)
        try:
            stored = await self.voice.storage.keep_upload(app.id, name, upload.data, upload.original_name)
        except AudioRefused as refused:
            raise Invalid("format_invalid", f"{refused}; {ACCEPTED_FORMATS}", field="file") from None
        file = VoiceFile(app_id=app.id, name=name, version=stored.version, duration_ms=stored.duration_ms,
                         created_at_ms=now_ms(), state=VoiceFileState.PENDING, description=description,
                         original_name=upload.original_name[:255] or None,
                         original_format=_format_label(stored), conversion=_conversion(stored),
                         size_bytes=len(upload.data), uploaded_by=actor.login, tenant_id=app.tenant_id)

        async def work(tx: ManagementTx) -> VoiceFileDetail:
            inserted = await tx.insert_voice_file(file)
            if inserted is None:
                raise _name_taken(name)
            await tx.audit(AuditEvent(actor, "voice_file.upload", f"voice_file:{inserted.id}", app.tenant_id,
                                      after=_view(inserted), details={"size_bytes": len(upload.data)}), now_ms())
            review = await self.reviews.submit_in(tx, actor, ReviewKind.VOICE_FILE, inserted.id, app.tenant_id,
                                                  f"{name} ({app.name})")
            current = await tx.voice_file(inserted.id)
            assert current is not None
            return VoiceFileDetail(current, review)

        return await self._keeping_or_discarding(app.id, stored.version, work)

    async def listing(self, actor: Actor, *, app_id: int | None = None, state: VoiceFileState | None = None,
                   page: PageRequest = PageRequest()) -> Page[VoiceFileDetail]:
        """The tenant's voice files, newest first (operators: everyone's and the platform's)."""
        actor.require(Permission.READ)

        async def work(tx: ManagementTx) -> Page[VoiceFileDetail]:
            found = await tx.voice_files(VoiceFileFilter(actor.tenant_scope(), app_id, state), page)
            details = [VoiceFileDetail(f, await tx.latest_review(ReviewKind.VOICE_FILE, f.id)) for f in found.items]
            return Page(details, found.total, found.page, found.per_page)

        return await self.unit.run(work, read_only=True)

    async def get(self, actor: Actor, file_id: int) -> VoiceFileDetail:
        actor.require(Permission.READ)

        async def work(tx: ManagementTx) -> VoiceFileDetail:
            file = await self._file_in(tx, actor, file_id)
            return VoiceFileDetail(file, await tx.latest_review(ReviewKind.VOICE_FILE, file.id))

        return await self.unit.run(work, read_only=True)

    async def audio(self, actor: Actor, file_id: int) -> bytes:
        """The file as a 16-bit PCM WAV, whatever its state (a tenant listens to what it uploaded)."""
        file = (await self.get(actor, file_id)).file
        prompt = VoicePrompt(self.voice.storage.base_path(file.app_id, file.version, file.name), file.duration_ms)
        return await self.voice.storage.wav(prompt)

    async def nudge(self, actor: Actor, file_id: int) -> Review:
        """Remind the reviewers (催审), at most once an hour."""
        await self.get(actor, file_id)
        return await self.reviews.nudge(actor, ReviewKind.VOICE_FILE, file_id)

    async def delete(self, actor: Actor, file_id: int) -> None:
        """Delete a file no live binding names (Huawei's replace is delete, then upload again)."""
        actor.require(Permission.MANAGE_VOICE_FILES)

        async def work(tx: ManagementTx) -> VoiceFile:
            file = await self._file_in(tx, actor, file_id)
            users = await tx.live_bindings(None if file.app_id == PLATFORM else [file.app_id], file.name, now_ms())
            naming = [(b.id, option) for b in users for option, name in prompt_references(b.options)
                      if name == file.name]
            if naming:
                shown = ", ".join(f"binding {bid} ({PROMPT_OPTIONS[option]})" for bid, option in naming[:5])
                more = f" and {len(naming) - 5} more" if len(naming) > 5 else ""
                raise Conflict("voice_file_in_use", f"{file.name} is named by {shown}{more}; unbind them or change "
                               "their prompts first, then delete it")
            await self.reviews.cancel_in(tx, actor, ReviewKind.VOICE_FILE, file.id)
            await tx.delete_voice_file(file.id)
            await tx.audit(AuditEvent(actor, "voice_file.delete", f"voice_file:{file.id}", file.tenant_id,
                                      before=_view(file)), now_ms())
            return file

        deleted = await self.unit.run(work)
        await self.voice.storage.discard(deleted.app_id, deleted.version)

    # what the console shows beside the list

    async def apps(self, actor: Actor) -> list[App]:
        """The apps the actor may upload voice files to (the upload form's choice)."""
        actor.require(Permission.READ)

        async def work(tx: ManagementTx) -> list[App]:
            found = [await tx.app_by_id(app_id) for app_id in await tx.app_ids_of(actor.tenant_scope())]
            return [app for app in found if app is not None]

        return await self.unit.run(work, read_only=True)

    def defaults(self, actor: Actor) -> list[ShippedPrompt]:
        """The prompts privnum ships (the app-level prompts' defaults), per language."""
        actor.require(Permission.READ)
        shipped = []
        for language in ("zh", "en"):
            for name in sorted(self.voice.builtins.names(language)):
                prompt = self.voice.builtins.prompt(name, language)
                assert prompt is not None
                shipped.append(ShippedPrompt(language, name, prompt.duration_ms))
        return shipped

    async def default_audio(self, actor: Actor, language: str, name: str) -> bytes:
        actor.require(Permission.READ)
        prompt = self.voice.builtins.prompt(name, language) if language in ("zh", "en") else None
        if prompt is None:
            raise NotFound("default prompt")
        return await self.voice.storage.wav(prompt)

    async def problems(self, actor: Actor) -> list[VoiceProblem]:
        """The live bindings of the actor's tenant (operators: every tenant's) that name a voice file a call
        could not play: missing, waiting for review, or rejected."""
        actor.require(Permission.READ)

        async def work(tx: ManagementTx) -> list[VoiceProblem]:
            app_ids = await tx.app_ids_of(actor.tenant_scope())
            if not app_ids:
                return []
            named = [(b, option, name) for b in await tx.live_bindings(app_ids, None, now_ms())
                     for option, name in prompt_references(b.options)]
            files = await tx.voice_files_of(app_ids, sorted({name for _, _, name in named}))
            verdicts: dict[tuple[int, str], Unplayable | None] = {}
            for b, _, name in named:
                if (b.app_id, name) not in verdicts:
                    verdicts[b.app_id, name] = await self._unplayable(b.app_id, name, files)
            return [VoiceProblem(b.id, b.app_id, b.number, option, name, why)
                    for b, option, name in named if (why := verdicts[b.app_id, name]) is not None]

        return await self.unit.run(work, read_only=True)

    async def _unplayable(self, app_id: int, name: str, files: list[VoiceFile]) -> Unplayable | None:
        if await self.voice.prompt(app_id, name) is not None:  # exactly what a call would find
            return None
        own = [f for f in files if f.name == name and f.app_id in (app_id, PLATFORM)]
        if any(f.state is VoiceFileState.PENDING for f in own):
            return Unplayable.PENDING
        if any(f.state is VoiceFileState.REJECTED for f in own):
            return Unplayable.REJECTED
        return Unplayable.MISSING

    # the operator's CLI

    async def add(self, actor: Actor, app_key: str | None, name: str, source: str | Path) -> AddedVoiceFile:
        """Convert ``source`` and keep it as the app's voice file ``name`` (app_key None: a platform file),
        approved at once (an operator put it there), replacing the file of that name if there is one."""
        actor.require(Permission.MANAGE_VOICE_FILES)
        check_name(name)

        async def find_app(tx: ManagementTx) -> App | None:
            if app_key is None:
                return None
            app = await tx.app_by_key(app_key)
            if app is None:
                raise NotFound("app", f"no app with APP_Key {app_key}")
            return app

        app = await self.unit.run(find_app, read_only=True)
        app_id, tenant_id = (app.id, app.tenant_id) if app is not None else (PLATFORM, None)
        stored = await self.voice.storage.keep(app_id, name, source)
        file = VoiceFile(app_id=app_id, name=name, version=stored.version, duration_ms=stored.duration_ms,
                         created_at_ms=now_ms(), state=VoiceFileState.APPROVED, original_name=Path(source).name,
                         original_format=_format_label(stored), conversion=_conversion(stored),
                         uploaded_by=actor.login, tenant_id=tenant_id)

        async def work(tx: ManagementTx) -> tuple[VoiceFile, VoiceFile | None]:
            old = await tx.voice_file_named(app_id, name, lock=True)
            if old is None:
                inserted = await tx.insert_voice_file(file)
                if inserted is not None:
                    await tx.audit(AuditEvent(actor, "voice_file.add", f"voice_file:{inserted.id}", tenant_id,
                                              after=_view(inserted)), now_ms())
                    return inserted, None
                old = await tx.voice_file_named(app_id, name, lock=True)  # added by someone else a moment ago
                assert old is not None
            await tx.replace_voice_file(old.id, file)
            await tx.audit(AuditEvent(actor, "voice_file.replace", f"voice_file:{old.id}", tenant_id,
                                      before=_view(old), after=_view(replace(file, id=old.id))), now_ms())
            return replace(file, id=old.id), old

        kept, old = await self._keeping_or_discarding(app_id, stored.version, work)
        if old is not None and old.version != kept.version:
            await self.voice.storage.discard(app_id, old.version)
        return AddedVoiceFile(kept, old is not None)

    # shared

    async def _keeping_or_discarding(self, app_id: int, version: str, work: Callable[[ManagementTx], Awaitable[T]]
                                     ) -> T:
        """Run ``work``; when it does not commit, remove the audio it was to keep."""
        try:
            return await self.unit.run(work)
        except BaseException:
            await self.voice.storage.discard(app_id, version)
            raise

    async def _app_in(self, tx: ManagementTx, actor: Actor, app_id: int) -> App:
        app = await tx.app_by_id(app_id)
        if app is None or not actor.sees(app.tenant_id):
            raise NotFound("app", f"no app {app_id} in your account")
        return app

    async def _file_in(self, tx: ManagementTx, actor: Actor, file_id: int) -> VoiceFile:
        file = await tx.voice_file(file_id)
        if file is None or not actor.sees(file.tenant_id):
            raise NotFound("voice file")
        return file


def _name_taken(name: str) -> Conflict:
    return Conflict("name_taken", f"this app already has a voice file called {name}; to replace it, delete it and "
                    "upload again", field="name")


def _format_label(stored: StoredAudio) -> str | None:
    return stored.source_format.label()[:128] if stored.source_format else None


def _conversion(stored: StoredAudio) -> str | None:
    return stored.source_format.conversion()[:255] if stored.source_format else None
