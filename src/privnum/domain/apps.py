"""Tenancy: enterprises own apps; an app has one mode, its keys, its URLs and its switches."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from privnum.domain.billing.arrears import AccountStanding, Enforcement, enforcement
from privnum.domain.ip_ranges import ip_in_ranges
from privnum.domain.modes import Mode
from privnum.domain.result_codes import Refused, ResultCode

EXTENSION_LENGTHS = (1, 2, 3, 4)


class AppStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"


@dataclass
class CallbackUrls:
    call_status: str | None = None
    cdr: str | None = None
    sms: str | None = None  # SMS notifications (Notify)
    sms_control: str | None = None  # Block SMS events; the SMS URL when not set
    number_status: str | None = None
    push_number_status: bool = False


@dataclass
class App:
    id: int
    enterprise_id: int
    name: str
    mode: Mode
    app_key: str
    app_secret: str
    status: AppStatus = AppStatus.ACTIVE
    callbacks: CallbackUrls = field(default_factory=CallbackUrls)
    recording_enabled: bool = False
    sms_enabled: bool = False
    sms_content: bool = False  # SMS notifications carry the text (smsContent)
    ip_allowlist: tuple[str, ...] = ()
    extension_length: int = 4
    enterprise_name: str = ""
    tenant_id: int | None = None  # the enterprise's tenant (None: the operators' own apps)
    tags: tuple[tuple[str, str], ...] = ()
    previous_secret: str | None = None  # after a rotation, still accepted until previous_secret_until_ms
    previous_secret_until_ms: int | None = None
    standing: AccountStanding = AccountStanding.ACTIVE  # its tenant's billing standing (unbilled: active)

    def secrets_at(self, now_ms: int) -> tuple[str, ...]:
        """The secrets that authenticate at ``now_ms``: the current one, and the previous one during its grace."""
        until = self.previous_secret_until_ms
        if self.previous_secret and until is not None and now_ms < until:
            return (self.app_secret, self.previous_secret)
        return (self.app_secret,)

    @property
    def is_active(self) -> bool:
        return self.status is AppStatus.ACTIVE

    @property
    def arrears(self) -> Enforcement:
        """What its tenant's billing standing refuses (billing.md R-24); nothing while active."""
        return enforcement(self.standing)

    def require_bindable(self) -> None:
        """Binds, unbinds, modifications and temporary callees are refused (1010029) while its tenant is in
        arrears."""
        if self.arrears.bind_refusal is not None:
            raise Refused(self.arrears.bind_refusal,
                          "the account is in arrears; binding works again once a top-up covers the balance")

    def require_recording(self, wants_recording: bool | None) -> None:
        """A binding may ask for recording only when this app has recording switched on."""
        if wants_recording and not self.recording_enabled:
            raise Refused(ResultCode.RECORDING_NOT_ENABLED,
                          "switch recording on for this app before setting recordFlag")

    def allows_ip(self, ip: str) -> bool:
        """An empty allow-list means no restriction; entries are addresses or CIDR ranges (IPv4/IPv6)."""
        return not self.ip_allowlist or ip_in_ranges(ip, self.ip_allowlist)
