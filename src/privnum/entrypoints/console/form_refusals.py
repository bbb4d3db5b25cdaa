"""A use case's refusal on a console form: next to its field when it names one, else above the form."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from privnum.domain.management_errors import ManagementError


@dataclass
class FormErrors:
    fields: dict[str, str] = field(default_factory=dict)  # field -> message (English; the page translates msgids)
    alert: str | None = None

    @classmethod
    def of(cls, error: ManagementError, known: Mapping[str, object] | frozenset[str] | set[str]) -> FormErrors:
        if error.field and error.field in known:
            return cls({error.field: error.message})
        return cls(alert=error.message)

    def __bool__(self) -> bool:
        return bool(self.fields or self.alert)
