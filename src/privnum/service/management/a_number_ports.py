"""What the A-number use cases need from storage: the ``a_numbers`` rows, inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from privnum.domain.a_numbers import ANumber, PhotoFile, Registration, ReportStatus
from privnum.service.paging import Page, PageRequest


@dataclass(frozen=True)
class ANumberFilter:
    tenant_id: int | None = None  # None: every tenant's (operators only)
    numbers: tuple[str, ...] = ()  # empty: any number
    report_status: ReportStatus | None = None


@dataclass(frozen=True)
class PhotoFilter:
    tenant_id: int
    name: str | None = None
    since_ms: int | None = None
    until_ms: int | None = None


@dataclass(frozen=True)
class NewPhoto:
    name: str
    content_type: str
    content: bytes
    sha256: str


class ANumberRows(Protocol):
    async def insert_a_numbers(self, tenant_id: int, registrations: Sequence[Registration], created_by: str,
                               now_ms: int) -> list[ANumber] | None:
        """Insert all of them as reported, or none (returning None) when one is already on file for the tenant."""
        ...

    async def a_number(self, a_number_id: int) -> ANumber | None: ...

    async def a_numbers_of(self, tenant_id: int, numbers: Sequence[str]) -> list[ANumber]:
        """Those of ``numbers`` on file for the tenant."""
        ...

    async def delete_a_numbers(self, tenant_id: int, numbers: Sequence[str]) -> int: ...

    async def a_numbers(self, where: ANumberFilter, page: PageRequest) -> Page[ANumber]:
        """Newest first."""
        ...

    async def insert_photo(self, tenant_id: int, photo: NewPhoto, created_by: str, now_ms: int) -> bool:
        """False, storing nothing, when the tenant already has a photo of that name."""
        ...

    async def photo_names(self, tenant_id: int, names: Sequence[str]) -> set[str]:
        """Those of ``names`` the tenant has uploaded."""
        ...

    async def photos(self, where: PhotoFilter, page: PageRequest) -> Page[PhotoFile]:
        """Newest first."""
        ...
