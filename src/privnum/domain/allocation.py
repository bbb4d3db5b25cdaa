"""Choosing an X: where to look (areaCode + areaMatchMode) and how to say why nothing fits.

Huawei's areaMatchMode: "0" (strict, the default) looks only in the requested city;
"1" (non-strict) falls back to the same province, then to any number of the app.
The race between two binds for the same X is settled by the database, not here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from privnum.domain.areas import province_of
from privnum.domain.result_codes import Refused, ResultCode


@dataclass(frozen=True)
class AreaScope:
    """One tier of the search: a city, a province, or anywhere in the app's pool."""

    area_code: str | None = None
    province: str | None = None

    @property
    def label(self) -> str:
        if self.area_code:
            return f"area code {self.area_code}"
        if self.province:
            return f"province {self.province}"
        return "the app's pool"


class NoNumberReason(Enum):
    """Which limit left a bind without a number; the value is a metric-friendly name."""

    NO_NUMBER_IN_AREA = "no_number_in_area"  # the app has no number where the bind may look
    NUMBERS_UNUSABLE = "numbers_unusable"  # every one frozen, blacklisted or unavailable
    NUMBERS_LOCKED = "numbers_locked"  # the usable ones are paused by the operator (no new bindings)
    BINDING_CAP_REACHED = "binding_cap_reached"  # every open number carries its maximum (5000 pairs, 9999 ext...)
    PAIR_LIMIT = "pair_limit"  # every number with room already carries A or B (each at most once per X)
    CONTENDED = "contended"  # numbers fitted, but concurrent binds took them first
    USER_QUOTA = "user_quota"  # AX / AXYB: the A already holds its 5 X


@dataclass(frozen=True)
class ScopeCensus:
    """What a scope holds for this request: every number, the usable ones (the locked among them), those with
    room, and those with room that carry none of the request's parties (``None``: not counted)."""

    scope: AreaScope
    numbers: int
    usable: int
    with_room: int
    locked: int = 0
    free_of_parties: int | None = None

    @property
    def reason(self) -> NoNumberReason:
        if self.numbers == 0:
            return NoNumberReason.NO_NUMBER_IN_AREA
        if self.usable == 0:
            return NoNumberReason.NUMBERS_UNUSABLE
        if self.with_room == 0:
            return NoNumberReason.NUMBERS_LOCKED if self.locked == self.usable else NoNumberReason.BINDING_CAP_REACHED
        if self.free_of_parties:
            return NoNumberReason.CONTENDED
        return NoNumberReason.PAIR_LIMIT


def search_scopes(area_code: str | None, non_strict: bool) -> list[AreaScope]:
    if area_code is None:
        return [AreaScope()]
    scopes = [AreaScope(area_code=area_code)]
    if non_strict:
        province = province_of(area_code)
        if province:
            scopes.append(AreaScope(province=province))
        scopes.append(AreaScope())
    return scopes


def explain_shortage(censuses: list[ScopeCensus], holder: str) -> str:
    """One sentence per scope searched, e.g. 'area code 0755: all 3 numbers already carry +86139... '.

    ``holder`` names what blocked the numbers that had room, e.g. "callerNum or calleeNum".
    """
    parts = [f"{c.scope.label}: {_scope_sentence(c, holder)}" for c in censuses]
    return "No number fits. " + "; ".join(parts) + "."


def _scope_sentence(c: ScopeCensus, holder: str) -> str:
    reason = c.reason
    if reason is NoNumberReason.NO_NUMBER_IN_AREA:
        return "the app has no number there"
    if reason is NoNumberReason.NUMBERS_UNUSABLE:
        return f"all {c.numbers} numbers are frozen, blacklisted or unavailable"
    if reason is NoNumberReason.NUMBERS_LOCKED:
        return f"all {c.usable} usable numbers are locked by the operator"
    if reason is NoNumberReason.BINDING_CAP_REACHED:
        return f"all {c.usable} usable numbers are full"
    if reason is NoNumberReason.CONTENDED:
        return f"{c.free_of_parties} numbers fitted but concurrent binds took them first"
    return f"all {c.with_room} numbers with room already carry {holder}"


def shortage_reason(censuses: list[ScopeCensus]) -> NoNumberReason:
    """The limit that was hit, read in the widest scope searched (it holds the narrower ones)."""
    return censuses[-1].reason


class NoNumber(Refused):
    """A bind that found no number (1012008 / 1011002 / 1011003 on the wire, unchanged), and which limit was hit."""

    def __init__(self, result: ResultCode, reason: NoNumberReason, detail: str) -> None:
        super().__init__(result, detail)
        self.reason = reason
