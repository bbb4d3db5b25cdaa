"""What routing decides on: the bindings that can decide a call, found by indexed keys (never every
binding of a busy X), one loader per mode, read in one read-only transaction."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from privnum.domain.apps import App
from privnum.domain.bindings import Binding, extension_key, user_key
from privnum.domain.calls.routing import CallFacts
from privnum.domain.calls.session import CallSession, CallState
from privnum.domain.modes import Mode
from privnum.domain.private_numbers import PrivateNumber
from privnum.service.calls.ports import CallStore, CallTx
from privnum.service.clock import now_ms
from privnum.service.provisioning.ports import BindingFilter


async def _keyed(tx: CallTx, app: App, session: CallSession, now: int) -> CallFacts:
    """AXB and AXE: the caller's own binding on X, and (AXE) the one of the extension keyed in."""
    keys = [user_key(session.caller)] + ([extension_key(session.digits)] if session.digits else [])
    found = [await tx.by_key(session.called, key, now) for key in keys]
    return _facts(session, app, now, await tx.number(session.called), [b for b in found if b is not None])


async def _ax(tx: CallTx, app: App, session: CallSession, now: int) -> CallFacts:
    bindings = await tx.find(BindingFilter(app.id, Mode.AX, number=session.called), now, limit=1)
    return _facts(session, app, now, await tx.number(session.called), bindings)


async def _axyb(tx: CallTx, app: App, session: CallSession, now: int) -> CallFacts:
    """The called number is an X (its AX relation and the caller's YB relation under it) or a Y
    (the caller's YB relations on it and their AX relations)."""
    number = await tx.number(session.called)
    ax = await tx.find(BindingFilter(app.id, Mode.AXYB, number=session.called, yb_relations=False), now, limit=1)
    if ax:
        yb = await tx.find(BindingFilter(app.id, Mode.AXYB, parent_id=ax[0].id, party_b=session.caller), now, limit=1)
        return _facts(session, app, now, number, ax, yb_relations_of_x={ax[0].id: yb})
    yb_rows = await tx.find(BindingFilter(app.id, Mode.AXYB, number=session.called, party_a=session.caller,
                                          yb_relations=True), now)
    parents: dict[str, Binding] = {}
    for yb_row in yb_rows:
        parent = await tx.get(app.id, yb_row.parent_id or "", now)
        if parent is not None:
            parents[parent.id] = parent
    return _facts(session, app, now, number, yb_rows, x_relations_of_y=parents)


async def _no_bindings(tx: CallTx, app: App, session: CallSession, now: int) -> CallFacts:
    """X mode: nothing is stored; the customer decides."""
    return _facts(session, app, now, await tx.number(session.called), [])


def _facts(session: CallSession, app: App, now: int, number: PrivateNumber | None, bindings: list[Binding], *,
           yb_relations_of_x: dict[str, list[Binding]] | None = None,
           x_relations_of_y: dict[str, Binding] | None = None) -> CallFacts:
    return CallFacts(caller=session.caller, called=session.called, digits=session.digits, now_ms=now, app=app,
                     number=number, bindings=bindings, yb_relations_of_x=yb_relations_of_x or {},
                     x_relations_of_y=x_relations_of_y or {}, digits_asked=session.state is CallState.ROUTING)


_LOADERS: dict[Mode, Callable[[CallTx, App, CallSession, int], Awaitable[CallFacts]]] = {
    Mode.AXB: _keyed,
    Mode.AXE: _keyed,
    Mode.AX: _ax,
    Mode.AXYB: _axyb,
    Mode.X: _no_bindings,
}


async def load_facts(store: CallStore, session: CallSession, app: App) -> CallFacts:
    now = now_ms()
    loader = _LOADERS[app.mode]
    return await store.run(lambda tx: loader(tx, app, session, now), read_only=True)
