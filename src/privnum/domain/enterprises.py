"""Enterprises (Huawei's 企业, the CDR's ``spId``): each owns apps, at most its app quota of them.

Huawei allows 5 apps per enterprise by default and raises the quota on request; apps are never
deleted, so an enterprise's app count only grows.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from privnum.domain.credit_code import credit_code_problem
from privnum.domain.management_errors import Conflict, Invalid

DEFAULT_APP_QUOTA = 5
MAX_APP_QUOTA = 10_000


class EnterpriseStatus(StrEnum):
    """Where an enterprise's qualification review stands. Enterprises an operator creates from the CLI are
    approved from the start; a tenant's start as drafts."""

    DRAFT = "draft"
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    EXPIRED = "expired"  # approved once, its authorisation letter has expired since


EDITABLE = frozenset({EnterpriseStatus.DRAFT, EnterpriseStatus.REJECTED, EnterpriseStatus.EXPIRED})


class Nature(StrEnum):
    """企业性质."""

    CHANNEL = "channel"  # 渠道
    SAAS = "saas"
    DIRECT = "direct"  # 直客


class CarrierKind(StrEnum):
    """What carries the business (业务承载方)."""

    APP = "app"
    MINI_PROGRAM = "mini_program"
    WEBSITE = "website"
    OFFICIAL_ACCOUNT = "official_account"
    H5 = "h5"
    OTHER = "other"


@dataclass(frozen=True)
class EnterpriseProfile:
    """What a tenant declares about an enterprise for its qualification review (企业资质审核)."""

    name: str  # as on the business licence
    credit_code: str
    nature: Nature
    industry: str
    scenario_call: str
    call_script: str
    carrier_kind: CarrierKind
    carrier_name: str
    legal_name: str
    handler_name: str
    handler_phone: str
    auth_letter_valid_until: date  # when the 业务办理授权书 expires
    scenario_sms: str | None = None
    carrier_is_third_party: bool = False  # then a 业务承载方授权委托书 is required


@dataclass(frozen=True)
class Enterprise:
    id: int
    name: str
    app_count: int
    app_quota: int
    tenant_id: int | None = None  # None: the operators' own (created from the CLI)
    # as stored: EXPIRED only once a tenant starts renewing an expired one (``status_on`` tells it from the date)
    status: EnterpriseStatus = EnterpriseStatus.APPROVED
    profile: EnterpriseProfile | None = None  # None: made from the CLI, without a qualification review

    def status_on(self, today: date) -> EnterpriseStatus:
        """The status as of ``today``: an approved enterprise whose authorisation letter has passed its date is
        expired. Computed where read (no sweep), so it turns at the day's start, in every process alike."""
        letter = self.profile.auth_letter_valid_until if self.profile else None
        if self.status is EnterpriseStatus.APPROVED and letter is not None and letter < today:
            return EnterpriseStatus.EXPIRED
        return self.status

    def may_order(self, today: date) -> bool:
        """Whether this enterprise may order numbers and add apps today: approved and not expired."""
        return self.status_on(today) is EnterpriseStatus.APPROVED


def require_approved(enterprise: Enterprise, today: date) -> None:
    status = enterprise.status_on(today)
    if status is not EnterpriseStatus.APPROVED:
        what = {EnterpriseStatus.EXPIRED: "its authorisation letter has expired; upload a new business "
                                          "authorisation with its new date and resubmit it",
                EnterpriseStatus.PENDING: "it is waiting for review"}.get(status, "submit it for review first")
        raise Conflict("enterprise_not_approved", f"enterprise {enterprise.name!r} is {status.value}, not approved: "
                       f"{what}")


def require_editable(enterprise: Enterprise, today: date) -> None:
    status = enterprise.status_on(today)
    if status not in EDITABLE:
        raise Conflict("enterprise_not_editable", f"an enterprise can be changed while draft, rejected or expired; "
                       f"this one is {status.value}")


class AppQuotaReached(Conflict):
    """The enterprise already has as many apps as its quota allows."""

    def __init__(self, enterprise: Enterprise, *, from_cli: bool = True) -> None:
        self.enterprise = enterprise
        name = enterprise.name
        if from_cli:
            message = (f"enterprise {name!r} already has {enterprise.app_count} apps (its quota); raise it with "
                       f"`privnum enterprise set-quota {shlex.quote(name)} {enterprise.app_count + 1}`")
        else:
            message = (f"enterprise {name!r} has reached its quota of {enterprise.app_quota} apps; apps are never "
                       f"deleted, so ask an operator to raise the quota")
        super().__init__("quota_exceeded", message)


NAME_MAX = 64
_PHONE = re.compile(r"^(?:\+?86)?1[3-9]\d{9}$")
_TEXT_LIMITS = {"industry": 64, "scenario_call": 500, "scenario_sms": 500, "call_script": 2000,
                "carrier_name": 128, "legal_name": 64, "handler_name": 64}


def _text(field: str, value: str | None, *, required: bool = True) -> str | None:
    cleaned = (value or "").strip()
    if not cleaned:
        if required:
            raise Invalid("field_required", f"{field} is required", field=field)
        return None
    if len(cleaned) > _TEXT_LIMITS[field]:
        raise Invalid("field_too_long", f"{field} has at most {_TEXT_LIMITS[field]} characters", field=field)
    return cleaned


def check_profile(profile: EnterpriseProfile) -> EnterpriseProfile:
    """The profile with its texts trimmed, or Invalid naming the first field at fault."""
    name = profile.name.strip()
    if not 1 <= len(name) <= NAME_MAX:
        raise Invalid("invalid_name", f"the name (as on the business licence) has 1 to {NAME_MAX} characters",
                      field="name")
    problem = credit_code_problem(profile.credit_code.strip())
    if problem:
        raise Invalid("invalid_credit_code", problem, field="credit_code")
    phone = profile.handler_phone.strip()
    if not _PHONE.match(phone):
        raise Invalid("invalid_phone", "the handler's phone is a mainland mobile number (11 digits, starting with 1)",
                      field="handler_phone")
    return replace(
        profile, name=name, credit_code=profile.credit_code.strip(), handler_phone=phone,
        industry=_text("industry", profile.industry) or "", scenario_call=_text("scenario_call", profile.scenario_call)
        or "", scenario_sms=_text("scenario_sms", profile.scenario_sms, required=False),
        call_script=_text("call_script", profile.call_script) or "",
        carrier_name=_text("carrier_name", profile.carrier_name) or "",
        legal_name=_text("legal_name", profile.legal_name) or "",
        handler_name=_text("handler_name", profile.handler_name) or "")


def check_letter_valid(profile: EnterpriseProfile, today: date) -> None:
    if profile.auth_letter_valid_until <= today:
        raise Invalid("authorization_expired", f"the business authorisation letter must be valid after today "
                      f"({today.isoformat()}); upload a current one and set its date", field="auth_letter_valid_until")


def check_app_quota(quota: int) -> None:
    if not 0 <= quota <= MAX_APP_QUOTA:
        raise Invalid("invalid_quota", f"an app quota is 0 to {MAX_APP_QUOTA}, not {quota}", field="app_quota")
