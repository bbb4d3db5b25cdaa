"""What routes a call to X, kept in process memory: X's number row and the bindings found by key on X.

Correct only while every committed change to X is heard. A change feed (an adapter: PostgreSQL
LISTEN/NOTIFY, fed by triggers on ``bindings``, ``binding_keys`` and ``numbers``) calls ``forget(x)``
for every X a committed transaction touched; ``suspend()`` when it may have missed one (its connection
is gone) and ``resume()`` once it listens again. While suspended the cache is flushed and bypassed.

A read that started before a change and finishes after it must not keep what it read: every read
takes a ticket (the change counter when it began) and its result is kept only when X was not
forgotten (nor the cache flushed) since. Bounded (least recently used X first out), with a TTL as a
backstop; a binding's own expiry is checked on every read, so an expired binding never routes.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Literal

from privnum.domain.bindings import Binding
from privnum.domain.private_numbers import PrivateNumber

MAX_FORGOTTEN = 100_000  # X numbers remembered as "changed while a read was in flight"


class Missing(Enum):
    """Not in the cache (unlike ``None``: known to be absent)."""

    MISSING = 0


MISSING: Literal[Missing.MISSING] = Missing.MISSING


@dataclass
class _Entry:
    kept_until: float
    number: PrivateNumber | Literal[Missing.MISSING] | None = MISSING
    bindings: dict[str, Binding | None] = field(default_factory=dict)


class RoutingCache:
    def __init__(self, max_keys: int = 200_000, ttl_s: float = 60.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.max_keys = max_keys
        self.ttl_s = ttl_s
        self.clock = clock
        self.live = False  # the change feed listens: until then, and after a loss, the cache is bypassed
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._size = 0  # cached values (a number row or a binding by key each count one)
        self._changes = 0
        self._forgotten: dict[str, int] = {}  # X -> the change counter when it was last forgotten
        self._flushed = 0

    # ------------------------------------------------------------------ reads
    def ticket(self) -> int | None:
        """Taken before reading the database; ``None``: do not keep what is read."""
        return self._changes if self.live else None

    def number(self, x: str) -> PrivateNumber | Literal[Missing.MISSING] | None:
        entry = self._entry(x)
        if entry is None or entry.number is MISSING:
            return MISSING
        return entry.number

    def binding(self, x: str, key: str, now_ms: int) -> Binding | Literal[Missing.MISSING] | None:
        entry = self._entry(x)
        if entry is None or key not in entry.bindings:
            return MISSING
        found = entry.bindings[key]
        return found if found is not None and found.is_live(now_ms) else None

    def keep_number(self, ticket: int | None, x: str, number: PrivateNumber | None) -> None:
        entry = self._keepable(ticket, x)
        if entry is not None:
            self._size += entry.number is MISSING
            entry.number = number
            self._trim()

    def keep_binding(self, ticket: int | None, x: str, key: str, binding: Binding | None) -> None:
        entry = self._keepable(ticket, x)
        if entry is not None:
            self._size += key not in entry.bindings
            entry.bindings[key] = binding
            self._trim()

    # ------------------------------------------------------------------ the change feed
    def forget(self, x: str) -> None:
        """A committed transaction changed X (its bindings, keys or number row)."""
        self._changes += 1
        if len(self._forgotten) >= MAX_FORGOTTEN:
            self._forgotten.clear()
            self._flushed = self._changes  # reads in flight keep nothing, as after a flush
        self._forgotten[x] = self._changes
        self._drop(x)

    def flush(self) -> None:
        self._changes += 1
        self._flushed = self._changes
        self._forgotten.clear()
        self._entries.clear()
        self._size = 0

    def suspend(self) -> None:
        """The feed may have missed changes: forget everything and read the database until ``resume``."""
        self.live = False
        self.flush()

    def resume(self) -> None:
        """The feed listens again: whatever was read before may be stale."""
        self.flush()
        self.live = True

    def __len__(self) -> int:
        return self._size

    # ------------------------------------------------------------------ inside
    def _entry(self, x: str) -> _Entry | None:
        if not self.live:
            return None
        entry = self._entries.get(x)
        if entry is None:
            return None
        if entry.kept_until <= self.clock():
            self._drop(x)
            return None
        self._entries.move_to_end(x)
        return entry

    def _keepable(self, ticket: int | None, x: str) -> _Entry | None:
        if ticket is None or not self.live or ticket < self._flushed or self._forgotten.get(x, -1) > ticket:
            return None
        entry = self._entries.get(x)
        if entry is None or entry.kept_until <= self.clock():
            self._drop(x)
            entry = self._entries[x] = _Entry(kept_until=self.clock() + self.ttl_s)
        return entry

    def _drop(self, x: str) -> None:
        entry = self._entries.pop(x, None)
        if entry is not None:
            self._size -= len(entry.bindings) + (entry.number is not MISSING)

    def _trim(self) -> None:
        while self._size > self.max_keys and self._entries:
            self._drop(next(iter(self._entries)))
