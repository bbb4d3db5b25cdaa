"""A numbers on file (A号码报备) in the management API: list (masked), one by id, register, withdraw. The same use
cases as Huawei's wire API (``/v1.0/privatenumber/a-number``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from starlette.responses import Response

from privnum.domain.a_numbers import ANumber, ReportStatus, mask_name, mask_number
from privnum.domain.access import Actor, Permission
from privnum.domain.management_errors import Invalid
from privnum.entrypoints.mgmt.principal import ActorDep, ManagementDep
from privnum.entrypoints.mgmt.views import PageView, page_view
from privnum.service.management.a_numbers import Submitted
from privnum.service.paging import PageRequest

router = APIRouter(prefix="/mgmt/v1", tags=["management: A numbers"])


class ANumberView(BaseModel):
    id: int
    tenant_id: int
    number: str = Field(description="masked (+86138****0021) unless the role may reveal numbers")
    number_type: int = Field(description="1 mobile, 2 fixed line")
    name: str = Field(description="masked: the first character only")
    identity_card: str = Field(description="masked; privnum never keeps the full ID number")
    live_face_image: str
    operator_number: str | None
    report_status: int = Field(description="0 reported, 1 failed, 2 reporting")
    fail_reason: str | None
    created_at_ms: int
    created_by: str


def a_number_view(a_number: ANumber, actor: Actor) -> ANumberView:
    reveal = actor.can(Permission.REVEAL_NUMBERS)

    def shown(number: str | None) -> str | None:
        return number if reveal or number is None else mask_number(number)

    return ANumberView(id=a_number.id, tenant_id=a_number.tenant_id, number=shown(a_number.number) or "",
                       number_type=a_number.number_type.value, name=mask_name(a_number.name),
                       identity_card=a_number.identity_card_masked, live_face_image=a_number.live_face_image,
                       operator_number=shown(a_number.operator_number), report_status=a_number.report_status.value,
                       fail_reason=a_number.fail_reason, created_at_ms=a_number.created_at_ms,
                       created_by=a_number.created_by)


class NumberEntry(BaseModel):
    number: str = Field(max_length=20, description="+8613800000000 (mobile) or +8675528000000 (fixed line)")
    number_type: int = Field(description="1 mobile, 2 fixed line")
    name: str = Field(max_length=50, description="the owner (mobile) or the person who handles the line (fixed)")
    identity_card: str = Field(max_length=20, description="18 characters; only its mask is kept")
    live_face_image: str = Field(max_length=64, description="the photo's file name, .jpg or .png")
    operator_number: str | None = Field(None, max_length=20, description="fixed lines: the handler's mobile")


class RegisterBody(BaseModel):
    numbers: list[NumberEntry] = Field(max_length=100, description="1 to 10")
    agree_authorization_statement: bool = Field(False, description="must be true")


def _status(value: int | None) -> ReportStatus | None:
    if value is None:
        return None
    try:
        return ReportStatus(value)
    except ValueError:
        raise Invalid("invalid_report_status", "report_status is 0, 1 or 2", field="report_status") from None


@router.get("/a-numbers", response_model=PageView[ANumberView])
async def list_a_numbers(actor: ActorDep, plane: ManagementDep, page: int = Query(1), per_page: int = Query(20),
                         number: list[str] = Query([], max_length=100), report_status: int | None = Query(None),
                         tenant_id: int | None = Query(None, description="operators: one tenant's")) -> dict[str, Any]:
    """Newest first; a tenant user sees its tenant's, an operator every tenant's."""
    found = await plane.a_numbers.list(actor, PageRequest(page, per_page), number, _status(report_status), tenant_id)
    return page_view(found, lambda a: a_number_view(a, actor))


@router.get("/a-numbers/{a_number_id}", response_model=ANumberView)
async def get_a_number(a_number_id: int, actor: ActorDep, plane: ManagementDep) -> ANumberView:
    return a_number_view(await plane.a_numbers.get(actor, a_number_id), actor)


@router.post("/a-numbers", response_model=list[ANumberView], status_code=201)
async def register_a_numbers(body: RegisterBody, actor: ActorDep, plane: ManagementDep) -> list[ANumberView]:
    submitted = [Submitted(e.number, e.number_type, e.name, e.identity_card, e.live_face_image, e.operator_number)
                 for e in body.numbers]
    made = await plane.a_numbers.register(actor, submitted, consent=body.agree_authorization_statement)
    return [a_number_view(a, actor) for a in made]


@router.delete("/a-numbers/{a_number_id}", status_code=204)
async def withdraw_a_number(a_number_id: int, actor: ActorDep, plane: ManagementDep) -> Response:
    found = await plane.a_numbers.get(actor, a_number_id)
    await plane.a_numbers.withdraw(actor, [found.number])
    return Response(status_code=204)
