"""The routing cache's own rules, without I/O: what a read may keep, when it is bypassed, and that an
expired binding never routes from it."""

from __future__ import annotations

from privnum.domain.bindings import Binding
from privnum.domain.modes import Mode
from privnum.domain.private_numbers import NumberState, PrivateNumber
from privnum.service.calls.routing_cache import MISSING, RoutingCache

X, KEY, NOW = "+8617000000001", "user:+8613900000001", 1_000_000


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def binding(expires_at_ms: int | None = None) -> Binding:
    return Binding(id="b1", app_id=1, mode=Mode.AXB, number=X, party_a="+8613900000001", party_b="+8613900000002",
                   expires_at_ms=expires_at_ms)


def number(x: str = X) -> PrivateNumber:
    return PrivateNumber(number=x, app_id=1, area_code="0755", province=None, state=NumberState.AVAILABLE)


def live_cache(**kw: float) -> RoutingCache:
    cache = RoutingCache(**kw)  # type: ignore[arg-type]
    cache.resume()
    return cache


def test_what_a_read_keeps_is_answered_until_its_number_is_forgotten() -> None:
    cache = live_cache()
    assert cache.binding(X, KEY, NOW) is MISSING
    cache.keep_binding(cache.ticket(), X, KEY, None)  # "no binding" is kept too
    cache.keep_number(cache.ticket(), X, number())
    assert cache.binding(X, KEY, NOW) is None and cache.number(X) == number()
    cache.forget(X)
    assert cache.binding(X, KEY, NOW) is MISSING and cache.number(X) is MISSING


def test_a_read_that_began_before_a_change_keeps_nothing() -> None:
    cache = live_cache()
    ticket = cache.ticket()
    cache.forget(X)  # committed while the read was in flight: what it read may be older
    cache.keep_binding(ticket, X, KEY, binding())
    assert cache.binding(X, KEY, NOW) is MISSING
    cache.keep_binding(cache.ticket(), X, KEY, binding())  # a read begun after the change keeps
    assert cache.binding(X, KEY, NOW) == binding()


def test_a_change_to_another_number_does_not_spoil_a_read() -> None:
    cache = live_cache()
    ticket = cache.ticket()
    cache.forget("+8617000000002")
    cache.keep_binding(ticket, X, KEY, binding())
    assert cache.binding(X, KEY, NOW) == binding()


def test_while_suspended_nothing_is_answered_nor_kept_and_resuming_forgets_reads_in_flight() -> None:
    cache = live_cache()
    cache.keep_binding(cache.ticket(), X, KEY, binding())
    cache.suspend()
    assert cache.ticket() is None and cache.binding(X, KEY, NOW) is MISSING and len(cache) == 0
    cache.keep_binding(None, X, KEY, binding())
    ticket_before = 0
    cache.resume()
    cache.keep_binding(ticket_before, X, KEY, binding())  # read before the feed listened again
    assert cache.binding(X, KEY, NOW) is MISSING


def test_an_expired_binding_never_routes_from_the_cache() -> None:
    cache = live_cache()
    cache.keep_binding(cache.ticket(), X, KEY, binding(expires_at_ms=NOW + 10))
    assert cache.binding(X, KEY, NOW) == binding(expires_at_ms=NOW + 10)
    assert cache.binding(X, KEY, NOW + 10) is None


def test_entries_end_after_the_ttl_and_the_size_stays_bounded() -> None:
    clock = Clock()
    cache = live_cache(ttl_s=60.0, max_keys=100, clock=clock)
    cache.keep_binding(cache.ticket(), X, KEY, binding())
    clock.now = 61.0
    assert cache.binding(X, KEY, NOW) is MISSING
    for i in range(1000):
        cache.keep_number(cache.ticket(), f"+86170{i:08d}", number(f"+86170{i:08d}"))
    assert len(cache) == 100
    assert cache.number("+8617000000999") is not MISSING and cache.number("+8617000000000") is MISSING
