"""Choosing an X: where to look (areaCode + areaMatchMode) and how to say why nothing fits.

Huawei's areaMatchMode: "0" (strict, the default) looks only in the requested city;
"1" (non-strict) falls back to the same province, then to any number of the app.
The race between two binds for the same X is settled by the database, not here.
"""

from __future__ import annotations

from dataclasses import dataclass

from privnum.domain.areas import province_of


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


@dataclass(frozen=True)
class ScopeCensus:
    """What a scope holds for this request: every number, the usable ones, those with room."""

    scope: AreaScope
    numbers: int
    usable: int
    with_room: int


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
    parts = []
    for c in censuses:
        if c.numbers == 0:
            parts.append(f"{c.scope.label}: the app has no number there")
        elif c.usable == 0:
            parts.append(f"{c.scope.label}: all {c.numbers} numbers are frozen, blacklisted or unavailable")
        elif c.with_room == 0:
            parts.append(f"{c.scope.label}: all {c.usable} usable numbers are full")
        else:
            parts.append(f"{c.scope.label}: all {c.with_room} numbers with room already carry {holder}")
    return "No number fits. " + "; ".join(parts) + "."
