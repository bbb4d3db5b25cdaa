"""Huawei's A-number registration wire format (A号码报备, docs/contract/a-numbers.md): the request bodies, the
``PPT.xxxx`` result codes, and the JSON of an answer. Unknown fields are ignored, as in every Huawei body."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from privnum.domain.a_numbers import MAX_PER_CALL, MAX_QUERY_NUMBERS, ANumber, PhotoFile, ReportStatus
from privnum.domain.management_errors import ManagementError, RefusalKind
from privnum.huawei.times import huawei_time


@dataclass(frozen=True)
class PptCode:
    code: str
    text: str
    http_status: int


INTERNAL_ERROR = PptCode("PPT.0001", "Internal server error.", 400)
INVALID_PARAMETER = PptCode("PPT.0002", "Invalid Parameter.", 400)
UNAUTHORIZED = PptCode("PPT.0007", "Request unauthorized.", 403)
NOT_EXIST = PptCode("PPT.0009", "Order does not exist.", 400)

CREATED = "Create Successful."
DELETED = "Delete Successful."
UPLOADED = "Upload Successful."
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"  # UTC, as every Huawei time

# the use cases' field names -> the wire's
WIRE_FIELDS = {"number": "number", "number_type": "numberType", "name": "name", "identity_card": "identityCard",
               "live_face_image": "liveFaceImage", "operator_number": "operatorNumber", "numbers": "numbers",
               "files": "files"}


class _Body(BaseModel):
    model_config = ConfigDict(extra="ignore")


class NumberEntry(_Body):
    number: str = Field(min_length=1, max_length=20)
    numberType: int
    name: str = Field(min_length=1, max_length=50)
    identityCard: str = Field(min_length=1, max_length=20)
    liveFaceImage: str = Field(min_length=1, max_length=64)
    operatorNumber: str | None = Field(None, max_length=20)


class CreateBody(_Body):
    numbers: list[NumberEntry] = Field(min_length=1, max_length=MAX_PER_CALL)


class QueryBody(_Body):
    page: int = Field(1, ge=1, le=1_000_000)
    size: int = Field(10, ge=1, le=100)
    number: list[str] | None = Field(None, max_length=MAX_QUERY_NUMBERS)
    reportStatus: int | None = Field(None, ge=0, le=2)


class DeleteBody(_Body):
    numbers: list[str] = Field(min_length=1, max_length=MAX_PER_CALL)


class FileQueryBody(_Body):
    page: int = Field(1, ge=1, le=1_000_000)
    size: int = Field(10, ge=1, le=100)
    startTime: str | None = Field(None, pattern=r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
    stopTime: str | None = Field(None, pattern=r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
    fileName: str | None = Field(None, min_length=1, max_length=64)


def utc_ms(text: str) -> int:
    """A Huawei time (UTC ``YYYY-MM-DD HH:MM:SS``) in ms since the epoch; ValueError when it is no real time."""
    return int(datetime.strptime(text, TIME_FORMAT).replace(tzinfo=UTC).timestamp() * 1000)


def wire_field(field: str | None) -> str | None:
    """``numbers.3.identity_card`` -> ``numbers[3].identityCard``."""
    if not field:
        return None
    parts = field.split(".")
    out = WIRE_FIELDS.get(parts[0], parts[0])
    for part in parts[1:]:
        out += f"[{part}]" if part.isdigit() else "." + WIRE_FIELDS.get(part, part)
    return out


def code_of(error: ManagementError) -> PptCode:
    if error.kind is RefusalKind.NOT_FOUND:
        return NOT_EXIST
    if error.kind in (RefusalKind.FORBIDDEN, RefusalKind.UNAUTHENTICATED):
        return UNAUTHORIZED
    return INVALID_PARAMETER


def refusal_body(code: PptCode, detail: str = "", field: str | None = None) -> dict[str, str]:
    """``error_code`` and ``error_msg``: Huawei's text, then privnum's sentence on what is wrong."""
    said = f"{field}: {detail}" if field and detail else detail
    return {"error_code": code.code, "error_msg": f"{code.text} {said}".strip()}


def number_entry(a_number: ANumber) -> dict[str, Any]:
    entry: dict[str, Any] = {"number": a_number.number, "reportStatus": a_number.report_status.value}
    if a_number.report_status is ReportStatus.FAILED and a_number.fail_reason:
        entry["failReason"] = a_number.fail_reason
    return entry


def file_entry(photo: PhotoFile) -> dict[str, Any]:
    return {"createTime": huawei_time(photo.created_at_ms), "fileName": photo.name}


def failed_files(failed: list[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"file": name[:64], "failReason": reason} for name, reason in failed]
