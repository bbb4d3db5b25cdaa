"""Enterprises (Huawei's 企业, the CDR's ``spId``): each owns apps, at most its app quota of them.

Huawei allows 5 apps per enterprise by default and raises the quota on request; apps are never
deleted, so an enterprise's app count only grows.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from enum import StrEnum

from privnum.domain.operator_errors import OperatorError

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


@dataclass(frozen=True)
class Enterprise:
    id: int
    name: str
    app_count: int
    app_quota: int
    tenant_id: int | None = None  # None: the operators' own (created from the CLI)
    status: EnterpriseStatus = EnterpriseStatus.APPROVED


class AppQuotaReached(OperatorError):
    """The enterprise already has as many apps as its quota allows."""

    def __init__(self, enterprise: Enterprise) -> None:
        self.enterprise = enterprise
        name = enterprise.name
        super().__init__(
            f"enterprise {name!r} already has {enterprise.app_count} apps (its quota); raise it with "
            f"`privnum enterprise set-quota {shlex.quote(name)} {enterprise.app_count + 1}`")


def check_app_quota(quota: int) -> None:
    if not 0 <= quota <= MAX_APP_QUOTA:
        raise OperatorError(f"an app quota is 0 to {MAX_APP_QUOTA}, not {quota}")
