"""A use case's refusal on a console form: next to its field when it names one, else above the form."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from privnum.domain.management_errors import ManagementError
from privnum.entrypoints.console.i18n import N_

# What a refusal says on a form, by its code (the use case's own sentence, in English, when the code is not here)
SENTENCES: dict[str, str] = {
    "invalid_credit_code": N_("Enter the 18-character unified social credit code exactly as on the business licence."),
    "invalid_phone": N_("Enter a mainland mobile number of 11 digits."),
    "field_required": N_("This field is required."),
    "field_too_long": N_("This is too long."),
    "name_taken": N_("This name is already used; choose another."),
    "materials_missing": N_("Upload every required material first."),
    "authorization_expired": N_("The authorisation letter must be valid after today."),
    "file_too_large": N_("The file is too large for this material."),
    "file_type_not_allowed": N_("This type of file is not accepted for this material."),
    "file_empty": N_("The file is empty."),
    "enterprise_not_approved": N_("This enterprise is not approved, or its authorisation letter has expired."),
    "quota_exceeded": N_("This enterprise has reached its app quota. Ask an operator to raise it."),
    "invalid_url": N_("Enter an http:// or https:// address without spaces."),
    "invalid_ip": N_("Enter IP addresses or CIDR ranges, one per line."),
    "invalid_tag": N_("Tags are key=value with letters, Chinese characters, digits or _ . : / = + - @."),
    "too_many_tags": N_("An application has at most 10 tags."),
    "duplicate_tag": N_("Each tag key may appear once."),
    "invalid_extension_length": N_("The extension length is 1 to 4 digits."),
    "invalid_grace": N_("The grace period is 0 to 72 hours."),
    "message_required": N_("Say why in the message when the reason is other."),
    "review_not_pending": N_("This review has been decided already. Reload the page."),
}


def sentence(error: ManagementError) -> str:
    return SENTENCES.get(error.code, error.message)


@dataclass
class FormErrors:
    fields: dict[str, str] = field(default_factory=dict)  # field -> message (English; the page translates msgids)
    alert: str | None = None

    @classmethod
    def of(cls, error: ManagementError, known: Mapping[str, object] | frozenset[str] | set[str]) -> FormErrors:
        if error.field and error.field in known:
            return cls({error.field: sentence(error)})
        return cls(alert=sentence(error))

    def __bool__(self) -> bool:
        return bool(self.fields or self.alert)
