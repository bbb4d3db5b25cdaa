"""A numbers on file (Huawei's A号码报备): the real user behind each A number a tenant calls from, and the rules a
registration must meet. Pure: no I/O.

Since 2025-04-25 carriers want the real user of every A number: for a mobile its owner, for a fixed line the
person who handles it (and that person's mobile). A registration holds for every app of the tenant. privnum
has no carrier to ask, so a valid registration is on file at once (``ReportStatus.REPORTED``).

The identity-card number is personal data privnum does not need once it is checked: only its mask is kept
(``mask_identity_card``), never the full number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntEnum

from privnum.domain.management_errors import Invalid

MAX_PER_CALL = 10  # numbers one create or delete may carry
MAX_QUERY_NUMBERS = 100  # numbers one query may name
MAX_NAME_LENGTH = 50
MAX_IMAGE_NAME_LENGTH = 64
MAX_PHOTO_BYTES = 32 * 1024  # a live photo (现场照片) is under 32 KB
MAX_FILES_PER_CALL = 10
PHOTO_SIGNATURES = {".jpg": (b"\xff\xd8\xff", "image/jpeg"), ".png": (b"\x89PNG\r\n\x1a\n", "image/png")}

MOBILE = re.compile(r"^\+861[3-9][0-9]{9}$")
FIXED = re.compile(r"^\+86(10|2[0-9]|[3-9][0-9]{2})[1-9][0-9]{6,7}$")  # area code without its 0, 7-8 digits
IMAGE_NAME = re.compile(r"^[^/\\\x00-\x1f\x7f]+\.(jpg|png)$", re.IGNORECASE)
IDENTITY_CARD = re.compile(r"^[1-9][0-9]{16}[0-9X]$")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"  # GB 11643-1999: the check character for each sum mod 11


class NumberType(IntEnum):
    MOBILE = 1  # the owner's own mobile
    FIXED = 2  # a fixed line, registered by the person who handles it


class ReportStatus(IntEnum):
    REPORTED = 0  # 报备成功
    FAILED = 1  # 报备失败
    REPORTING = 2  # 报备中


@dataclass(frozen=True)
class Registration:
    """One A number as a tenant submits it, checked (``check_registration``); the ID number already masked."""

    number: str
    number_type: NumberType
    name: str
    identity_card_masked: str
    live_face_image: str
    operator_number: str | None


@dataclass(frozen=True)
class ANumber(Registration):
    """An A number on file for a tenant."""

    id: int
    tenant_id: int
    report_status: ReportStatus
    fail_reason: str | None
    created_at_ms: int
    updated_at_ms: int
    created_by: str


@dataclass(frozen=True)
class PhotoFile:
    """A live photo a tenant uploaded, named by the registrations that use it (``liveFaceImage``)."""

    name: str
    content_type: str
    size_bytes: int
    created_at_ms: int


def image_name_problem(name: str) -> str | None:
    if len(name) > MAX_IMAGE_NAME_LENGTH or not IMAGE_NAME.match(name):
        return f"a photo's file name has at most {MAX_IMAGE_NAME_LENGTH} characters and ends in .jpg or .png"
    return None


def photo_problem(name: str, content: bytes) -> str | None:
    """Why a live photo is refused (its name, its size, or content that is not the JPEG or PNG its name says),
    or None."""
    problem = image_name_problem(name)
    if problem:
        return problem
    if not content:
        return "the file is empty"
    if len(content) > MAX_PHOTO_BYTES:
        return f"a photo has at most {MAX_PHOTO_BYTES // 1024} KB"
    signature, _ = PHOTO_SIGNATURES[name[-4:].lower()]
    if not content.startswith(signature):
        return f"the content is not the {name[-3:].upper()} image its name says"
    return None


def photo_content_type(name: str) -> str:
    return PHOTO_SIGNATURES[name[-4:].lower()][1]


def identity_card_is_valid(value: str) -> bool:
    """An 18-character resident identity number whose last character is the GB 11643 check character of the
    first 17 digits."""
    if not IDENTITY_CARD.match(value):
        return False
    total = sum(int(digit) * weight for digit, weight in zip(value[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == value[17]


def mask_identity_card(value: str) -> str:
    """The first 6 (the issuing region) and the last 4 characters; the birth date and serial hidden."""
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_name(name: str) -> str:
    return name[:1] + "*" * (len(name) - 1)


def mask_number(number: str) -> str:
    """+86138****0021: the country code and the first 3 digits, then 4 hidden, then the rest."""
    return number[:6] + "****" + number[10:] if len(number) > 10 else number[:3] + "****"


def check_registration(number: str, number_type: int, name: str, identity_card: str, live_face_image: str,
                       operator_number: str | None) -> Registration:
    """The registration, or ``Invalid`` naming the field (``number``, ``number_type``, ``name``,
    ``identity_card``, ``live_face_image``, ``operator_number``) that breaks a rule."""
    try:
        kind = NumberType(number_type)
    except ValueError:
        raise Invalid("invalid_number_type", "numberType is 1 (mobile) or 2 (fixed line)",
                      field="number_type") from None
    pattern, words = (MOBILE, "a mainland mobile, +861xxxxxxxxxx") if kind is NumberType.MOBILE else (
        FIXED, "a mainland fixed line, +86 then the area code without its 0 and the 7-8 digit number")
    if not pattern.match(number):
        raise Invalid("invalid_number", f"numberType {kind.value} needs {words}", field="number")
    name = name.strip()
    if not 1 <= len(name) <= MAX_NAME_LENGTH or any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise Invalid("invalid_name", f"a name has 1 to {MAX_NAME_LENGTH} printable characters", field="name")
    card = identity_card.strip().upper()
    if not identity_card_is_valid(card):
        raise Invalid("invalid_identity_card", "an identity card number has 17 digits and a check character "
                      "(0-9 or X) that matches them (GB 11643)", field="identity_card")
    image = live_face_image.strip()
    problem = image_name_problem(image)
    if problem:
        raise Invalid("invalid_live_face_image", problem, field="live_face_image")
    operator = (operator_number or "").strip() or None
    if kind is NumberType.FIXED and operator is None:
        raise Invalid("operator_number_required", "a fixed line needs the mobile of the person who handles it",
                      field="operator_number")
    if operator is not None and not MOBILE.match(operator):
        raise Invalid("invalid_operator_number", "operatorNumber is a mainland mobile, +861xxxxxxxxxx",
                      field="operator_number")
    return Registration(number, kind, name, mask_identity_card(card), image, operator)
