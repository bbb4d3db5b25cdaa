"""What the provisioning use cases need from storage, as protocols; adapters/db implements them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Protocol, TypeVar

from privnum.domain.allocation import AreaScope, ScopeCensus
from privnum.domain.bindings import Binding
from privnum.domain.modes import Mode
from privnum.domain.private_numbers import NumberRole, PrivateNumber

T = TypeVar("T")


class Claim(Enum):
    """Outcome of trying to place a binding on a number, settled atomically by the database."""

    PLACED = "placed"
    NUMBER_FULL = "number_full"  # no room, not available, or busy in the other AXYB role
    KEY_TAKEN = "key_taken"  # a user number / extension / AX relation already on that number
    QUOTA_EXCEEDED = "quota_exceeded"  # the A already holds its 5 X


@dataclass(frozen=True)
class BindingFilter:
    app_id: int
    mode: Mode
    number: str | None = None
    party_a: str | None = None
    party_b: str | None = None
    extension: str | None = None
    parent_id: str | None = None
    yb_relations: bool | None = None  # AXYB: True only YB rows, False only AX rows


class ProvisioningTx(Protocol):
    """One database transaction of a provisioning call."""

    async def purge_expired(self, now_ms: int, app_id: int | None = None, limit: int = 500) -> int: ...

    async def number(self, number: str) -> PrivateNumber | None: ...

    async def candidates(self, app_id: int, scope: AreaScope, role: NumberRole, capacity: int, keys: Sequence[str],
                         exclude: Sequence[str], limit: int) -> list[str]: ...

    async def census(self, app_id: int, scope: AreaScope, role: NumberRole, capacity: int,
                     keys: Sequence[str]) -> ScopeCensus: ...

    async def quota_used(self, app_id: int, user: str) -> int: ...

    async def claim(self, binding: Binding, role: NumberRole, capacity: int, quota_limit: int) -> Claim: ...

    async def rekey(self, old: Binding, new: Binding) -> Claim: ...

    async def move_quota(self, app_id: int, old_user: str, new_user: str, limit: int) -> bool: ...

    async def save(self, binding: Binding) -> bool: ...

    async def release(self, binding: Binding) -> bool: ...

    async def get(self, app_id: int, binding_id: str, now_ms: int) -> Binding | None: ...

    async def find(self, where: BindingFilter, now_ms: int, offset: int = 0, limit: int | None = None,
                   ) -> list[Binding]: ...

    async def count(self, where: BindingFilter, now_ms: int) -> int: ...

    async def by_key(self, number: str, key: str, now_ms: int) -> Binding | None: ...

    async def used_extensions(self, number: str) -> set[str]: ...


@dataclass(frozen=True)
class NumberPage:
    """A page of the live bindings on one number, read in one step."""

    owner_app_id: int | None  # the app the number belongs to; None: no such number
    total: int  # live bindings that match the filter
    bindings: list[Binding]


class ProvisioningStore(Protocol):
    async def page_on_number(self, where: BindingFilter, now_ms: int, offset: int, limit: int) -> NumberPage:
        """Who owns ``where.number``, how many live bindings match ``where``, and those from ``offset`` (at
        most ``limit``, oldest first): one consistent read."""
        ...

    async def place_first_fit(self, binding: Binding, scope: AreaScope, role: NumberRole, capacity: int) -> bool:
        """In one atomic step, put ``binding`` (its ``number`` set here) on the least-loaded number of ``scope``
        that is available, has room below ``capacity`` in ``role`` and holds none of the binding's exclusive
        keys. False when that step finds none or loses a race, with nothing changed: the full placement
        (``run`` with ``placement.place``) then decides."""
        ...

    async def run(self, work: Callable[[ProvisioningTx], Awaitable[T]], *, read_only: bool = False) -> T:
        """Run ``work`` in one transaction, again from the start if it lost a transient conflict."""
        ...
