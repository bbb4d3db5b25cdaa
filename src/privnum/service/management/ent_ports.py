"""What the enterprise and app use cases need from storage beyond ``TenancyStore``: tenants' enterprises with
their profiles and materials, tenants' apps, secret rotation; and the app cache they clear on a change."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from privnum.domain.apps import App
from privnum.domain.enterprise_materials import MaterialKind
from privnum.domain.enterprises import Enterprise, EnterpriseProfile, EnterpriseStatus
from privnum.service.paging import Page, PageRequest


@dataclass(frozen=True)
class Material:
    """One uploaded material of an enterprise (its bytes stay in ``stored_files``)."""

    kind: MaterialKind
    file_id: int
    name: str
    content_type: str
    size_bytes: int
    sha256: str
    uploaded_at_ms: int
    uploaded_by: str


@dataclass(frozen=True)
class NewMaterial:
    kind: MaterialKind
    name: str
    content_type: str
    data: bytes
    uploaded_by: str


class EnterpriseRows(Protocol):
    """Tenants' enterprises, their materials and the apps listed per tenant, inside the caller's transaction."""

    async def insert_enterprise(self, tenant_id: int, profile: EnterpriseProfile, app_quota: int,
                                now_ms: int) -> Enterprise | None:
        """A draft; None (inserting nothing) when the tenant has an enterprise of that name."""
        ...

    async def update_enterprise_profile(self, enterprise_id: int, profile: EnterpriseProfile,
                                        now_ms: int) -> Enterprise | None:
        """None (changing nothing) when the new name is taken by another enterprise of the tenant."""
        ...

    async def set_enterprise_status(self, enterprise_id: int, status: EnterpriseStatus, now_ms: int) -> None: ...

    async def enterprise_page(self, tenant_id: int | None, page: PageRequest) -> Page[Enterprise]:
        """One tenant's enterprises (None: everyone's), newest first."""
        ...

    async def set_app_quota_of(self, enterprise_id: int, app_quota: int) -> bool:
        """False, changing nothing, when the enterprise has more apps than ``app_quota``."""
        ...

    async def put_material(self, enterprise_id: int, tenant_id: int | None, material: NewMaterial,
                           now_ms: int) -> Material:
        """Store the file and make it the enterprise's material of its kind (the previous one is deleted)."""
        ...

    async def materials(self, enterprise_id: int) -> list[Material]: ...

    async def material_data(self, enterprise_id: int, file_id: int) -> tuple[Material, bytes] | None: ...

    async def app_page(self, tenant_id: int | None, page: PageRequest) -> Page[App]:
        """One tenant's apps (None: everyone's), newest first."""
        ...

    async def app_named(self, enterprise_id: int, name: str) -> App | None: ...

    async def rotate_app_secret(self, app_id: int, new_secret: str, previous_until_ms: int | None,
                                now_ms: int) -> App:
        """The new secret becomes current; the old one stays valid until ``previous_until_ms`` (None: not at all)."""
        ...


class AppCache(Protocol):
    def forget(self, app: App) -> None:
        """Forget what is cached of ``app``, so the next request reads its new settings."""
        ...
