"""Field types of Huawei's JSON and query strings, as pydantic annotations with Huawei's rules."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field

from privnum.domain.areas import normalize_area_code
from privnum.domain.phone_numbers import GLOBAL_NUMBER, UNESCAPED_PLUS_NUMBER


def _global_number(value: str) -> str:
    if GLOBAL_NUMBER.fullmatch(value):
        return value
    if UNESCAPED_PLUS_NUMBER.fullmatch(value):
        raise ValueError("the '+' of a global number must be sent as %2B in a query string")
    raise ValueError(f"{value!r} is not a number in global format (+ country code and digits, e.g. +8613800000000)")


def _flag(value: Any) -> bool:
    """Huawei documents "true"/"false" strings; its demos also send JSON booleans."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise ValueError('must be "true" or "false"')


def _area_code(value: str) -> str:
    code = normalize_area_code(value)
    if code is None:
        raise ValueError(f"{value!r} is not a city code such as 0755 or 755")
    return code


def _enum_text(value: Any) -> Any:
    """Enumerated strings ("0"/"1"); a bare JSON integer is read as its digits."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _user_data(value: str) -> str:
    if any(c in value for c in "{}^"):
        raise ValueError("must not contain '{', '}' or '^'")
    return value


def _strict_int(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("must be an integer")
    if isinstance(value, float) and not value.is_integer():
        raise ValueError("must be an integer")
    return value


class EmptyIsMalformed:
    """Marks a field type whose ``""`` is a malformed value (refused), not an absent one (see WireModel)."""


EMPTY_IS_MALFORMED = EmptyIsMalformed()

GlobalNumber = Annotated[str, Field(min_length=4, max_length=31), AfterValidator(_global_number), EMPTY_IS_MALFORMED]
Flag = Annotated[bool, BeforeValidator(_flag)]
AreaCode = Annotated[str, Field(max_length=32), AfterValidator(_area_code)]
MatchMode = Annotated[str, BeforeValidator(_enum_text), Field(pattern=r"^[01]$")]
ZeroOne = MatchMode
Direction = Annotated[int, BeforeValidator(_strict_int), Field(ge=0, le=2)]
WholeNumber = Annotated[int, BeforeValidator(_strict_int), Field(ge=0, le=2_000_000_000)]
UserData = Annotated[str, Field(min_length=1, max_length=256), AfterValidator(_user_data)]
VoiceFile = Annotated[str, Field(max_length=128)]
BindingId = Annotated[str, Field(min_length=1, max_length=64)]


def lenient_int(value: int | str | None, default: int, low: int, high: int) -> int:
    """Huawei's paging sizes: absent, not a number or outside low..high all mean ``default``."""
    try:
        number = int(value) if value is not None else default
    except ValueError:
        return default
    return number if low <= number <= high else default
