"""A numbers on file (A号码报备): upload live photos, register, list and withdraw the real users of a tenant's A
numbers.

Shared by Huawei's wire API (``/v1.0/privatenumber/a-number``) and the management API. Registering and
withdrawing are all or nothing: one bad or duplicate number refuses the whole call, nothing is stored. Each
number registered or withdrawn writes an audit event in the same transaction.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from privnum.domain.a_numbers import (
    MAX_FILES_PER_CALL,
    MAX_PER_CALL,
    MAX_QUERY_NUMBERS,
    ANumber,
    PhotoFile,
    Registration,
    ReportStatus,
    check_registration,
    mask_name,
    photo_content_type,
    photo_problem,
)
from privnum.domain.access import Actor, Permission
from privnum.domain.audit import AuditEvent
from privnum.domain.management_errors import Conflict, Forbidden, Invalid, ManagementError, NotFound
from privnum.service.clock import now_ms
from privnum.service.management.a_number_ports import ANumberFilter, NewPhoto, PhotoFilter
from privnum.service.management.ports import ManagementTx, ManagementUnit
from privnum.service.paging import Page, PageRequest


@dataclass(frozen=True)
class Submitted:
    """One A number as the caller sent it, unchecked."""

    number: str
    number_type: int
    name: str
    identity_card: str
    live_face_image: str
    operator_number: str | None = None


@dataclass(frozen=True)
class Uploaded:
    """What became of an upload: the photos stored, and each refused one with the reason."""

    stored: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


def _consented(consent: bool) -> None:
    if not consent:
        raise Invalid("consent_required", "agree to the personal-data authorisation statement first: the "
                      "names, ID numbers and photos are personal data", field="agree_authorization_statement")


def _tenant_of(actor: Actor) -> int:
    if actor.tenant_id is None:
        raise Forbidden("A numbers belong to a tenant; use an API token of a tenant user")
    return actor.tenant_id


def _at(index: int, error: ManagementError) -> Invalid:
    return Invalid(error.code, error.message, field=f"numbers.{index}.{error.field or 'number'}")


def _record(a_number: ANumber) -> dict[str, object]:
    """What the audit trail keeps of an A number: its name and ID masked."""
    return {"number": a_number.number, "number_type": a_number.number_type.value, "name": mask_name(a_number.name),
            "identity_card": a_number.identity_card_masked, "live_face_image": a_number.live_face_image,
            "operator_number": a_number.operator_number, "report_status": a_number.report_status.value}


async def _store_photo_in(tx: ManagementTx, actor: Actor, tenant_id: int, name: str, content: bytes,
                          now: int) -> bool:
    """Store a checked photo and audit it (name, size, digest; never the image); False when the name is taken."""
    photo = NewPhoto(name, photo_content_type(name), content, hashlib.sha256(content).hexdigest())
    if not await tx.insert_photo(tenant_id, photo, actor.login, now):
        return False
    await tx.audit(AuditEvent(actor, "a_number_photo.upload", f"a_number_photo:{name}", tenant_id,
                              after={"name": name, "size_bytes": len(content), "sha256": photo.sha256}), now)
    return True


def _check_count(numbers: Sequence[object], most: int) -> None:
    if not 1 <= len(numbers) <= most:
        raise Invalid("invalid_count", f"send 1 to {most} numbers", field="numbers")


class ANumbers:
    def __init__(self, unit: ManagementUnit) -> None:
        self.unit = unit

    async def register(self, actor: Actor, submitted: Sequence[Submitted], *, consent: bool) -> list[ANumber]:
        """Put up to 10 numbers on file for the actor's tenant, reported at once (no carrier behind privnum).
        ``consent``: the caller agreed to the personal-data authorisation statement. ``Invalid`` (field
        ``numbers.<i>.<field>``) for a rule broken, ``Conflict`` for a number already on file or sent twice."""
        actor.require(Permission.MANAGE_ENTERPRISES)
        tenant_id = _tenant_of(actor)
        _consented(consent)
        _check_count(submitted, MAX_PER_CALL)
        registrations: list[Registration] = []
        for index, item in enumerate(submitted):
            try:
                registrations.append(check_registration(item.number, item.number_type, item.name,
                                                        item.identity_card, item.live_face_image,
                                                        item.operator_number))
            except Invalid as error:
                raise _at(index, error) from None
        seen: set[str] = set()
        for index, registration in enumerate(registrations):
            if registration.number in seen:
                raise Conflict("duplicate_number", f"{registration.number} is sent twice", field=f"numbers.{index}")
            seen.add(registration.number)
        now = now_ms()

        async def work(tx: ManagementTx) -> list[ANumber]:
            photos = await tx.photo_names(tenant_id, sorted({r.live_face_image for r in registrations}))
            for index, registration in enumerate(registrations):
                if registration.live_face_image not in photos:
                    raise Invalid("photo_not_uploaded", f"no photo {registration.live_face_image!r} is uploaded; "
                                  "upload it first (POST /v1/privatenumber/a-number/files)",
                                  field=f"numbers.{index}.live_face_image")
            return await self._insert_in(tx, actor, tenant_id, registrations, now)

        return await self.unit.run(work)

    @staticmethod
    async def _insert_in(tx: ManagementTx, actor: Actor, tenant_id: int, registrations: Sequence[Registration],
                         now: int) -> list[ANumber]:
        numbers = sorted({r.number for r in registrations})
        on_file = await tx.a_numbers_of(tenant_id, numbers)
        inserted = None if on_file else await tx.insert_a_numbers(tenant_id, registrations, actor.login, now)
        if inserted is None:
            taken = on_file[0].number if on_file else "a number"
            raise Conflict("already_registered", f"{taken} is already on file (禁止重复提交); withdraw it "
                           "first to register it again", field="numbers")
        for a_number in inserted:
            await tx.audit(AuditEvent(actor, "a_number.create", f"a_number:{a_number.number}", tenant_id,
                                      after=_record(a_number)), now)
        return inserted

    async def upload(self, actor: Actor, files: Sequence[tuple[str, bytes]], *, consent: bool) -> Uploaded:
        """Store up to 10 live photos (JPEG or PNG, under 32 KB, names unique in the tenant). A photo that breaks
        a rule is refused alone (in ``failed``, nothing of it stored); the others are stored, each audited."""
        actor.require(Permission.MANAGE_ENTERPRISES)
        tenant_id = _tenant_of(actor)
        _consented(consent)
        if not 1 <= len(files) <= MAX_FILES_PER_CALL:
            raise Invalid("invalid_count", f"send 1 to {MAX_FILES_PER_CALL} files", field="files")
        now = now_ms()

        async def work(tx: ManagementTx) -> Uploaded:
            outcome = Uploaded()
            for name, content in files:
                problem = photo_problem(name, content)
                if problem is None and not await _store_photo_in(tx, actor, tenant_id, name, content, now):
                    problem = "a photo of this name is already uploaded"
                if problem:
                    outcome.failed.append((name, problem))
                else:
                    outcome.stored.append(name)
            return outcome

        return await self.unit.run(work)

    async def photos(self, actor: Actor, page: PageRequest, name: str | None = None, since_ms: int | None = None,
                     until_ms: int | None = None) -> Page[PhotoFile]:
        """The tenant's uploaded photos, newest first (names and sizes, never the images)."""
        actor.require(Permission.READ)
        where = PhotoFilter(_tenant_of(actor), name, since_ms, until_ms)
        return await self.unit.run(lambda tx: tx.photos(where, page), read_only=True)

    async def register_with_photo(self, actor: Actor, submitted: Submitted, photo: tuple[str, bytes], *,
                                  consent: bool) -> ANumber:
        """One number and its live photo, in one transaction (the console's form): the photo is stored only when
        the number is registered. ``Invalid`` with field ``photo`` for a refused photo; a photo of that name
        already uploaded is used as it is."""
        actor.require(Permission.MANAGE_ENTERPRISES)
        tenant_id = _tenant_of(actor)
        _consented(consent)
        name, content = photo
        problem = photo_problem(name, content)
        if problem:
            raise Invalid("invalid_photo", problem, field="photo")
        try:
            registration = check_registration(submitted.number, submitted.number_type, submitted.name,
                                              submitted.identity_card, name, submitted.operator_number)
        except Invalid as error:
            raise _at(0, error) from None
        now = now_ms()

        async def work(tx: ManagementTx) -> ANumber:
            await _store_photo_in(tx, actor, tenant_id, name, content, now)  # or the one of that name already
            return (await self._insert_in(tx, actor, tenant_id, [registration], now))[0]

        return await self.unit.run(work)

    async def withdraw(self, actor: Actor, numbers: Sequence[str]) -> None:
        """Take up to 10 numbers off file; ``NotFound`` (nothing withdrawn) when one is not on file."""
        actor.require(Permission.MANAGE_ENTERPRISES)
        tenant_id = _tenant_of(actor)
        _check_count(numbers, MAX_PER_CALL)
        wanted = sorted(set(numbers))
        now = now_ms()

        async def work(tx: ManagementTx) -> None:
            on_file = {a.number: a for a in await tx.a_numbers_of(tenant_id, wanted)}
            missing = [n for n in wanted if n not in on_file]
            if missing:
                raise NotFound("A number", f"{missing[0]} is not on file for this tenant")
            await tx.delete_a_numbers(tenant_id, wanted)
            for number in wanted:
                await tx.audit(AuditEvent(actor, "a_number.delete", f"a_number:{number}", tenant_id,
                                          before=_record(on_file[number])), now)

        await self.unit.run(work)

    async def get(self, actor: Actor, a_number_id: int) -> ANumber:
        actor.require(Permission.READ)
        found = await self.unit.run(lambda tx: tx.a_number(a_number_id), read_only=True)
        if found is None or not actor.sees(found.tenant_id):
            raise NotFound("A number")
        return found

    async def list(self, actor: Actor, page: PageRequest, numbers: Sequence[str] = (),
                   report_status: ReportStatus | None = None, tenant_id: int | None = None) -> Page[ANumber]:
        """The A numbers the actor sees, newest first: a tenant user its tenant's, an operator every tenant's
        (or ``tenant_id``'s)."""
        actor.require(Permission.READ)
        if len(numbers) > MAX_QUERY_NUMBERS:
            raise Invalid("invalid_count", f"name at most {MAX_QUERY_NUMBERS} numbers", field="numbers")
        scope = actor.tenant_scope()
        if scope is None and not actor.is_operator:
            raise Forbidden("A numbers belong to a tenant; use an API token of a tenant user")
        where = ANumberFilter(tenant_id=scope if scope is not None else tenant_id, numbers=tuple(numbers),
                              report_status=report_status)
        return await self.unit.run(lambda tx: tx.a_numbers(where, page), read_only=True)

    async def list_own(self, actor: Actor, page: PageRequest, numbers: Sequence[str] = (),
                       report_status: ReportStatus | None = None) -> Page[ANumber]:
        """The actor's tenant's A numbers (Huawei's query: a tenant's own only)."""
        _tenant_of(actor)
        return await self.list(actor, page, numbers, report_status)

