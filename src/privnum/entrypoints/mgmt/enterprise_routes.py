"""Enterprises (企业管理): a tenant's drafts, their materials as files, submission for review and nudges; the
operators' list of every enterprise with its app quota."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Query, UploadFile
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from privnum.domain.enterprise_materials import parse_kind, rule_for
from privnum.domain.enterprises import CarrierKind, Enterprise, EnterpriseProfile, Nature
from privnum.entrypoints.mgmt.principal import ActorDep, ManagementDep
from privnum.entrypoints.mgmt.views import PageView, ReviewView, page_view, review_view
from privnum.service.clock import today_utc
from privnum.service.management.ent_ports import Material
from privnum.service.management.enterprises import EnterpriseDetail
from privnum.service.paging import PageRequest

router = APIRouter(prefix="/mgmt/v1", tags=["management: enterprises"])


class EnterpriseBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(max_length=200, description="as on the business licence (at most 64 characters)")
    credit_code: str = Field(max_length=64, description="统一社会信用代码, 18 characters, GB 32100 check digit")
    nature: Nature
    industry: str = Field(max_length=200)
    scenario_call: str = Field(max_length=2000)
    scenario_sms: str | None = Field(None, max_length=2000)
    call_script: str = Field(max_length=5000)
    carrier_kind: CarrierKind
    carrier_name: str = Field(max_length=500)
    carrier_is_third_party: bool = False
    legal_name: str = Field(max_length=200)
    handler_name: str = Field(max_length=200)
    handler_phone: str = Field(max_length=32)
    auth_letter_valid_until: date


class EnterpriseChanges(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, max_length=200)
    credit_code: str | None = Field(None, max_length=64)
    nature: Nature | None = None
    industry: str | None = Field(None, max_length=200)
    scenario_call: str | None = Field(None, max_length=2000)
    scenario_sms: str | None = Field(None, max_length=2000)
    call_script: str | None = Field(None, max_length=5000)
    carrier_kind: CarrierKind | None = None
    carrier_name: str | None = Field(None, max_length=500)
    carrier_is_third_party: bool | None = None
    legal_name: str | None = Field(None, max_length=200)
    handler_name: str | None = Field(None, max_length=200)
    handler_phone: str | None = Field(None, max_length=32)
    auth_letter_valid_until: date | None = None


class QuotaBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    app_quota: int


class MaterialView(BaseModel):
    kind: str
    file_id: int
    name: str
    content_type: str
    size_bytes: int
    sha256: str
    uploaded_at_ms: int
    uploaded_by: str


class EnterpriseView(BaseModel):
    id: int
    tenant_id: int | None
    name: str
    status: str = Field(description="draft, pending, approved, rejected, or expired (approved, letter past its date)")
    may_order: bool = Field(description="approved and not expired: may add apps and order numbers")
    app_count: int
    app_quota: int
    credit_code: str | None = None
    nature: str | None = None
    industry: str | None = None
    scenario_call: str | None = None
    scenario_sms: str | None = None
    call_script: str | None = None
    carrier_kind: str | None = None
    carrier_name: str | None = None
    carrier_is_third_party: bool = False
    legal_name: str | None = None
    handler_name: str | None = None
    handler_phone: str | None = None
    auth_letter_valid_until: date | None = None


class EnterpriseDetailView(EnterpriseView):
    materials: list[MaterialView]
    missing_materials: list[str]
    reviews: list[ReviewView] = Field(description="newest first: state, reason text and message of each revision")


def material_view(material: Material) -> MaterialView:
    return MaterialView(kind=material.kind.value, file_id=material.file_id, name=material.name,
                        content_type=material.content_type, size_bytes=material.size_bytes, sha256=material.sha256,
                        uploaded_at_ms=material.uploaded_at_ms, uploaded_by=material.uploaded_by)


def enterprise_fields(enterprise: Enterprise) -> dict[str, Any]:
    today = today_utc()
    fields: dict[str, Any] = {"id": enterprise.id, "tenant_id": enterprise.tenant_id, "name": enterprise.name,
                              "status": enterprise.status_on(today).value, "may_order": enterprise.may_order(today),
                              "app_count": enterprise.app_count, "app_quota": enterprise.app_quota}
    if enterprise.profile is not None:
        fields.update({k: getattr(v, "value", v) for k, v in vars(enterprise.profile).items() if k != "name"})
    return fields


def enterprise_view(enterprise: Enterprise) -> EnterpriseView:
    return EnterpriseView(**enterprise_fields(enterprise))


def detail_view(detail: EnterpriseDetail) -> EnterpriseDetailView:
    return EnterpriseDetailView(**enterprise_fields(detail.enterprise),
                                materials=[material_view(m) for m in detail.materials],
                                missing_materials=[k.value for k in detail.missing],
                                reviews=[review_view(r) for r in detail.reviews])


@router.post("/enterprises", response_model=EnterpriseDetailView, status_code=201)
async def add_enterprise(body: EnterpriseBody, actor: ActorDep, plane: ManagementDep) -> EnterpriseDetailView:
    """A draft enterprise of my tenant; upload its materials, then submit it."""
    created = await plane.enterprises.add(actor, EnterpriseProfile(**body.model_dump()))
    return detail_view(await plane.enterprises.detail(actor, created.id))


@router.get("/enterprises", response_model=PageView[EnterpriseView])
async def list_enterprises(actor: ActorDep, plane: ManagementDep, page: int = Query(1), per_page: int = Query(20)
                           ) -> dict[str, Any]:
    return page_view(await plane.enterprises.page(actor, PageRequest(page, per_page)), enterprise_view)


@router.get("/enterprises/{enterprise_id}", response_model=EnterpriseDetailView)
async def get_enterprise(enterprise_id: int, actor: ActorDep, plane: ManagementDep) -> EnterpriseDetailView:
    return detail_view(await plane.enterprises.detail(actor, enterprise_id))


@router.patch("/enterprises/{enterprise_id}", response_model=EnterpriseDetailView)
async def change_enterprise(enterprise_id: int, body: EnterpriseChanges, actor: ActorDep, plane: ManagementDep
                            ) -> EnterpriseDetailView:
    """Only while draft, rejected or expired (409 ``enterprise_not_editable`` otherwise)."""
    await plane.enterprises.change(actor, enterprise_id, body.model_dump(exclude_unset=True))
    return detail_view(await plane.enterprises.detail(actor, enterprise_id))


@router.post("/enterprises/{enterprise_id}/files", response_model=MaterialView, status_code=201)
async def upload_material(enterprise_id: int, actor: ActorDep, plane: ManagementDep,
                          kind: str = Form(..., max_length=32), file: UploadFile = File(...)) -> MaterialView:
    """Multipart ``kind`` + ``file``: replaces the enterprise's previous file of that kind."""
    material_kind = parse_kind(kind)
    data = await file.read(rule_for(material_kind).max_bytes + 1)  # one byte more tells "too large"
    return material_view(await plane.enterprises.upload(actor, enterprise_id, material_kind, file.filename or "",
                                                        data))


@router.get("/enterprises/{enterprise_id}/files/{file_id}")
async def download_material(enterprise_id: int, file_id: int, actor: ActorDep, plane: ManagementDep) -> Response:
    material, data = await plane.enterprises.download(actor, enterprise_id, file_id)
    return Response(data, media_type=material.content_type,
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(material.name)}"})


@router.post("/enterprises/{enterprise_id}/submit", response_model=ReviewView)
async def submit_enterprise(enterprise_id: int, actor: ActorDep, plane: ManagementDep) -> ReviewView:
    """To review: needs the required materials (422 ``materials_missing``) and a letter valid after today."""
    return review_view(await plane.enterprises.submit(actor, enterprise_id))


@router.post("/enterprises/{enterprise_id}/nudge", response_model=ReviewView)
async def nudge_enterprise(enterprise_id: int, actor: ActorDep, plane: ManagementDep) -> ReviewView:
    """Remind the reviewers (催审), at most once an hour."""
    return review_view(await plane.enterprises.nudge(actor, enterprise_id))


@router.get("/admin/enterprises", response_model=PageView[EnterpriseView])
async def every_enterprise(actor: ActorDep, plane: ManagementDep, page: int = Query(1), per_page: int = Query(20)
                           ) -> dict[str, Any]:
    return page_view(await plane.enterprises.everyone(actor, PageRequest(page, per_page)), enterprise_view)


@router.patch("/admin/enterprises/{enterprise_id}", response_model=EnterpriseView)
async def set_enterprise_quota(enterprise_id: int, body: QuotaBody, actor: ActorDep, plane: ManagementDep
                               ) -> EnterpriseView:
    """The app quota; never below the enterprise's app count (409 ``quota_below_app_count``)."""
    return enterprise_view(await plane.enterprises.set_quota(actor, enterprise_id, body.app_quota))
