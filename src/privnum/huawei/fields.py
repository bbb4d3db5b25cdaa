"""Field types of Huawei's JSON and query strings, as pydantic annotations with Huawei's rules, and the
base model of every request schema (unknown fields ignored, empty optional values read as absent)."""

from __future__ import annotations

import typing
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator
from pydantic.fields import FieldInfo

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


def _ascii(value: str) -> str:
    if not value.isascii():
        raise ValueError("must be ASCII")
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
AsciiUserData = Annotated[UserData, AfterValidator(_ascii)]  # the Block answer's: ASCII only too
VoiceFile = Annotated[str, Field(max_length=128)]
BindingId = Annotated[str, Field(min_length=1, max_length=64)]


def lenient_int(value: int | str | None, default: int, low: int, high: int) -> int:
    """Huawei's paging sizes: absent, not a number or outside low..high all mean ``default``."""
    try:
        number = int(value) if value is not None else default
    except ValueError:
        return default
    return number if low <= number <= high else default


def _marked(annotation: Any) -> bool:
    if typing.get_origin(annotation) is typing.Annotated and EMPTY_IS_MALFORMED in annotation.__metadata__:
        return True
    return any(_marked(arg) for arg in typing.get_args(annotation))


def _empty_is_malformed(field: FieldInfo) -> bool:
    return EMPTY_IS_MALFORMED in field.metadata or _marked(field.annotation)


class WireModel(BaseModel):
    """The base of every request schema: unknown fields ignored, empty optional values read as absent
    (except in fields whose type is marked EMPTY_IS_MALFORMED, such as numbers: ``""`` is not String(4-31))."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=False)
    _keeps_empty: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        cls._keeps_empty = frozenset(name for name, field in cls.model_fields.items() if _empty_is_malformed(field))

    @field_validator("*", mode="after")
    @classmethod
    def _text(cls, value: Any) -> Any:
        """No NUL in any text: it is not text, and PostgreSQL cannot store it (a 500 before)."""
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("must not contain a NUL character")
        return value

    @model_validator(mode="before")
    @classmethod
    def _empty_is_absent(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if v is not None and (v != "" or k in cls._keeps_empty)}
        return data

    def given(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


class PreVoice(WireModel):
    callerHintTone: VoiceFile | None = None
    calleeHintTone: VoiceFile | None = None
