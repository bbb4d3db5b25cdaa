"""The call store with routing reads served from the ``RoutingCache``.

A read-only run first tries the cache alone (no transaction at all when every read hits); at the first
miss it runs again in a real read-only transaction whose number and by-key reads fill the cache. Writes
and every other read go to the store unchanged.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import NoReturn, TypeVar

from privnum.domain.bindings import Binding
from privnum.domain.calls.cdr import Cdr
from privnum.domain.calls.session import CallSession
from privnum.domain.private_numbers import PrivateNumber
from privnum.domain.pushes import OutboundPush
from privnum.service.calls.ports import CallStore, CallTx
from privnum.service.calls.routing_cache import MISSING, RoutingCache
from privnum.service.provisioning.ports import BindingFilter

T = TypeVar("T")


class _Missed(Exception):
    """The cache cannot answer this run alone."""


class _CacheOnlyTx:
    def __init__(self, cache: RoutingCache) -> None:
        self.cache = cache

    async def number(self, number: str) -> PrivateNumber | None:
        found = self.cache.number(number)
        if found is MISSING:
            raise _Missed
        return found

    async def by_key(self, number: str, key: str, now_ms: int) -> Binding | None:
        found = self.cache.binding(number, key, now_ms)
        if found is MISSING:
            raise _Missed
        return found

    async def find(self, where: BindingFilter, now_ms: int, offset: int = 0, limit: int | None = None,
                   ) -> list[Binding]:
        raise _Missed

    async def get(self, app_id: int, binding_id: str, now_ms: int) -> Binding | None:
        raise _Missed

    async def save(self, binding: Binding) -> NoReturn:
        raise _Missed

    async def save_call(self, session: CallSession, owner: str, now_ms: int, *, new: bool = False) -> NoReturn:
        raise _Missed

    async def save_cdr(self, cdr: Cdr, now_ms: int) -> NoReturn:
        raise _Missed

    async def enqueue(self, pushes: Sequence[OutboundPush], now_ms: int) -> NoReturn:
        raise _Missed


class _ReadThroughTx:
    """The real transaction; what it reads by number and by key is kept under the run's ticket."""

    def __init__(self, tx: CallTx, cache: RoutingCache, ticket: int | None) -> None:
        self.tx = tx
        self.cache = cache
        self.ticket = ticket

    async def number(self, number: str) -> PrivateNumber | None:
        found = self.cache.number(number)
        if found is not MISSING:
            return found
        row = await self.tx.number(number)
        self.cache.keep_number(self.ticket, number, row)
        return row

    async def by_key(self, number: str, key: str, now_ms: int) -> Binding | None:
        found = self.cache.binding(number, key, now_ms)
        if found is not MISSING:
            return found
        binding = await self.tx.by_key(number, key, now_ms)
        self.cache.keep_binding(self.ticket, number, key, binding)
        return binding

    async def find(self, where: BindingFilter, now_ms: int, offset: int = 0, limit: int | None = None,
                   ) -> list[Binding]:
        return await self.tx.find(where, now_ms, offset, limit)

    async def get(self, app_id: int, binding_id: str, now_ms: int) -> Binding | None:
        return await self.tx.get(app_id, binding_id, now_ms)

    async def save(self, binding: Binding) -> bool:
        return await self.tx.save(binding)

    async def save_call(self, session: CallSession, owner: str, now_ms: int, *, new: bool = False) -> bool:
        return await self.tx.save_call(session, owner, now_ms, new=new)

    async def save_cdr(self, cdr: Cdr, now_ms: int) -> None:
        await self.tx.save_cdr(cdr, now_ms)

    async def enqueue(self, pushes: Sequence[OutboundPush], now_ms: int) -> None:
        await self.tx.enqueue(pushes, now_ms)


class CachedCallStore:
    def __init__(self, store: CallStore, cache: RoutingCache) -> None:
        self.store = store
        self.cache = cache
        self.instance_id = store.instance_id
        self.answered_from_memory = 0  # read-only runs the cache answered alone
        self.read_from_database = 0  # read-only runs that needed the database (a miss, or the cache bypassed)

    async def run(self, work: Callable[[CallTx], Awaitable[T]], *, read_only: bool = False) -> T:
        if not read_only:
            return await self.store.run(work)
        self.read_from_database += 1
        if not self.cache.live:
            return await self.store.run(work, read_only=True)
        try:
            answer = await work(_CacheOnlyTx(self.cache))
        except _Missed:
            pass
        else:
            self.read_from_database -= 1
            self.answered_from_memory += 1
            return answer
        ticket = self.cache.ticket()
        return await self.store.run(lambda tx: work(_ReadThroughTx(tx, self.cache, ticket)), read_only=True)

    async def heartbeat(self, now_ms: int) -> None:
        await self.store.heartbeat(now_ms)

    async def retire(self) -> None:
        await self.store.retire()

    async def orphaned_calls(self, now_ms: int, stale_ms: int) -> list[CallSession]:
        return await self.store.orphaned_calls(now_ms, stale_ms)
