"""Words the console shows for values of the domain: statuses (with their badge tone) and roles.
Keys are the domain's values; labels are msgids."""

from __future__ import annotations

from privnum.entrypoints.console.i18n import N_

STATUS_LABELS: dict[str, str] = {
    "pending": N_("Pending review"),
    "in_review": N_("In review"),
    "approved": N_("Approved"),
    "rejected": N_("Rejected"),
    "cancelled": N_("Cancelled"),
    "processing": N_("Processing"),
    "completed": N_("Completed"),
    "active": N_("Active"),
    "suspended": N_("Suspended"),
    "frozen": N_("Frozen"),
    "disabled": N_("Disabled"),
    "expired": N_("Expired"),
    "failed": N_("Failed"),
    "delivered": N_("Delivered"),
    "dead": N_("Undeliverable"),
}

STATUS_TONES: dict[str, str] = {
    "pending": "warn", "in_review": "info", "processing": "info",
    "approved": "ok", "completed": "ok", "active": "ok", "delivered": "ok",
    "rejected": "bad", "failed": "bad", "dead": "bad", "frozen": "bad",
    "suspended": "muted", "disabled": "muted", "cancelled": "muted", "expired": "muted",
}

ROLE_LABELS: dict[str, str] = {
    "platform_admin": N_("Platform administrator"),
    "reviewer": N_("Reviewer"),
    "support": N_("Support"),
    "account_admin": N_("Account administrator"),
    "developer": N_("Developer"),
    "billing": N_("Billing"),
    "viewer": N_("Viewer"),
}


def status_label(status: object) -> str:
    return STATUS_LABELS.get(str(status), str(status))


def badge_tone(status: object) -> str:
    return STATUS_TONES.get(str(status), "muted")


def role_label(role: object) -> str:
    return ROLE_LABELS.get(str(role), str(role))
