"""Apps (应用管理): create one under an approved enterprise (the secret is in that answer only), read and change
them (effective at once), rotate the secret with a grace period; operators suspend and resume. No DELETE."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from privnum.domain.app_rules import check_mode
from privnum.domain.apps import App, CallbackUrls
from privnum.domain.management_errors import Invalid
from privnum.entrypoints.mgmt.principal import ActorDep, ManagementDep
from privnum.entrypoints.mgmt.views import PageView, page_view
from privnum.service.management.apps import AppForm
from privnum.service.management.ports import AppChanges
from privnum.service.paging import PageRequest

router = APIRouter(prefix="/mgmt/v1", tags=["management: apps"])

CONTROL_URL = "Block-mode SMS events (短信控制地址); the SMS URL when not set"
CONTENT = "SMS notifications carry the text, smsContent (短信通知携带内容)"


class Tag(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str = Field(max_length=512)
    value: str = Field("", max_length=1024)


class AppBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enterprise_id: int
    name: str = Field(max_length=200)
    mode: str = Field(max_length=8, description="AXB, AX, AXE or AXYB; fixed for the app's life")
    call_status_url: str | None = Field(None, max_length=4096)
    cdr_url: str | None = Field(None, max_length=4096)
    sms_url: str | None = Field(None, max_length=4096)
    sms_control_url: str | None = Field(None, max_length=4096, description=CONTROL_URL)
    number_status_url: str | None = Field(None, max_length=4096)
    push_number_status: bool = False
    recording_enabled: bool = False
    sms_enabled: bool = False
    sms_content: bool = Field(False, description=CONTENT)
    ip_allowlist: list[str] = Field(default_factory=list, max_length=1000)
    extension_length: int = 4
    tags: list[Tag] = Field(default_factory=list, max_length=100)


class AppPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mode: str | None = Field(None, description="refused: 422 mode_immutable")
    name: str | None = Field(None, max_length=200)
    call_status_url: str | None = Field(None, max_length=4096, description='"" removes the URL')
    cdr_url: str | None = Field(None, max_length=4096)
    sms_url: str | None = Field(None, max_length=4096)
    sms_control_url: str | None = Field(None, max_length=4096, description=CONTROL_URL)
    number_status_url: str | None = Field(None, max_length=4096)
    push_number_status: bool | None = None
    recording_enabled: bool | None = None
    sms_enabled: bool | None = None
    sms_content: bool | None = Field(None, description=CONTENT)
    ip_allowlist: list[str] | None = Field(None, max_length=1000)
    extension_length: int | None = None
    tags: list[Tag] | None = Field(None, max_length=100)


class RotateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    grace_hours: int = Field(24, description="0-72: how long the previous secret keeps authenticating")


class AppView(BaseModel):
    id: int
    enterprise_id: int
    enterprise_name: str
    tenant_id: int | None
    name: str
    mode: str
    app_key: str
    status: str
    call_status_url: str | None
    cdr_url: str | None
    sms_url: str | None
    sms_control_url: str | None = Field(description=CONTROL_URL)
    number_status_url: str | None
    push_number_status: bool
    recording_enabled: bool
    sms_enabled: bool
    sms_content: bool = Field(description=CONTENT)
    ip_allowlist: list[str]
    extension_length: int
    tags: list[Tag]
    previous_secret_valid_until_ms: int | None = Field(None, description="after a rotation: end of the grace")


class AppWithSecret(AppView):
    app_secret: str = Field(description="shown in this answer only: keep it now")


def app_fields(app: App) -> dict[str, Any]:
    return {"id": app.id, "enterprise_id": app.enterprise_id, "enterprise_name": app.enterprise_name,
            "tenant_id": app.tenant_id, "name": app.name, "mode": app.mode.value, "app_key": app.app_key,
            "status": app.status.value, "call_status_url": app.callbacks.call_status, "cdr_url": app.callbacks.cdr,
            "sms_url": app.callbacks.sms, "sms_control_url": app.callbacks.sms_control,
            "number_status_url": app.callbacks.number_status,
            "push_number_status": app.callbacks.push_number_status, "recording_enabled": app.recording_enabled,
            "sms_enabled": app.sms_enabled, "sms_content": app.sms_content, "ip_allowlist": list(app.ip_allowlist),
            "extension_length": app.extension_length, "tags": [Tag(key=k, value=v) for k, v in app.tags],
            "previous_secret_valid_until_ms": app.previous_secret_until_ms if app.previous_secret else None}


def app_view(app: App) -> AppView:
    return AppView(**app_fields(app))


def with_secret(app: App) -> AppWithSecret:
    return AppWithSecret(**app_fields(app), app_secret=app.app_secret)


@router.post("/apps", response_model=AppWithSecret, status_code=201)
async def add_app(body: AppBody, actor: ActorDep, plane: ManagementDep) -> AppWithSecret:
    """Under an approved, unexpired enterprise (409 ``enterprise_not_approved``), within its app quota (409
    ``quota_exceeded``). The answer carries ``app_secret``, which no other answer shows."""
    form = AppForm(
        enterprise_id=body.enterprise_id, name=body.name, mode=check_mode(body.mode),
        callbacks=CallbackUrls(call_status=body.call_status_url, cdr=body.cdr_url, sms=body.sms_url,
                               sms_control=body.sms_control_url, number_status=body.number_status_url,
                               push_number_status=body.push_number_status),
        recording_enabled=body.recording_enabled, sms_enabled=body.sms_enabled, sms_content=body.sms_content,
        ip_allowlist=tuple(body.ip_allowlist),
        extension_length=body.extension_length, tags=tuple((t.key, t.value) for t in body.tags))
    return with_secret(await plane.apps.add(actor, form))


@router.get("/apps", response_model=PageView[AppView])
async def list_apps(actor: ActorDep, plane: ManagementDep, page: int = Query(1), per_page: int = Query(20)
                    ) -> dict[str, Any]:
    return page_view(await plane.apps.page(actor, PageRequest(page, per_page)), app_view)


@router.get("/apps/{app_id}", response_model=AppView)
async def get_app(app_id: int, actor: ActorDep, plane: ManagementDep) -> AppView:
    return app_view(await plane.apps.get(actor, app_id))


@router.patch("/apps/{app_id}", response_model=AppView)
async def change_app(app_id: int, body: AppPatch, actor: ActorDep, plane: ManagementDep) -> AppView:
    """Effective for the very next Huawei API call (the app cache is cleared)."""
    if "mode" in body.model_fields_set:
        raise Invalid("mode_immutable", "an app's mode is fixed; create a new app of the other mode and move the "
                      "numbers to it", field="mode")
    changes = AppChanges(
        name=body.name, call_status_url=body.call_status_url, cdr_url=body.cdr_url, sms_url=body.sms_url,
        sms_control_url=body.sms_control_url, number_status_url=body.number_status_url,
        push_number_status=body.push_number_status, recording_enabled=body.recording_enabled,
        sms_enabled=body.sms_enabled, sms_content=body.sms_content,
        ip_allowlist=None if body.ip_allowlist is None else tuple(body.ip_allowlist),
        extension_length=body.extension_length,
        tags=None if body.tags is None else tuple((t.key, t.value) for t in body.tags))
    return app_view(await plane.apps.change(actor, app_id, changes))


@router.post("/apps/{app_id}/secret:rotate", response_model=AppWithSecret)
async def rotate_secret(app_id: int, actor: ActorDep, plane: ManagementDep, body: RotateBody | None = None
                        ) -> AppWithSecret:
    """A new ``app_secret`` (shown here only); the previous one keeps working for ``grace_hours``."""
    return with_secret(await plane.apps.rotate_secret(actor, app_id, (body or RotateBody()).grace_hours))


@router.post("/admin/apps/{app_id}/suspend", response_model=AppView)
async def suspend_app(app_id: int, actor: ActorDep, plane: ManagementDep) -> AppView:
    """Its Huawei API calls get 1010008 until resumed."""
    return app_view(await plane.apps.set_suspended(actor, app_id, True))


@router.post("/admin/apps/{app_id}/resume", response_model=AppView)
async def resume_app(app_id: int, actor: ActorDep, plane: ManagementDep) -> AppView:
    return app_view(await plane.apps.set_suspended(actor, app_id, False))
