"""AXB use cases: A and B talk through X; each real number at most once per X, 5000 pairs per X."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from privnum.domain.apps import App
from privnum.domain.binding_options import BindingOptions
from privnum.domain.bindings import Binding, new_binding_id
from privnum.domain.lifetimes import expiry
from privnum.domain.modes import Mode
from privnum.domain.result_codes import Refused, ResultCode, invalid
from privnum.service.clock import now_ms
from privnum.service.provisioning.binding_changes import release_all_or_refuse, save_or_refuse
from privnum.service.provisioning.lookups import own_binding, own_number
from privnum.service.provisioning.placement import Placement, place, place_at_once
from privnum.service.provisioning.ports import BindingFilter, Claim, ProvisioningStore, ProvisioningTx

NOT_FOUND = ResultCode.RECORD_NOT_EXIST


@dataclass
class AxbBind:
    caller: str
    callee: str
    number: str | None = None
    area_code: str | None = None
    non_strict: bool = False
    duration_s: int = 0
    options: dict[str, Any] | None = None  # domain names


async def bind(store: ProvisioningStore, app: App, request: AxbBind) -> Binding:
    app.require_bindable()
    if request.caller == request.callee:
        raise invalid("callee", "must differ from the caller")
    options = BindingOptions.from_dict({**(request.options or {}), "duration": request.duration_s})
    app.require_recording(options.record)
    now = now_ms()
    binding = Binding(id=new_binding_id(), app_id=app.id, mode=Mode.AXB, number="", party_a=request.caller,
                      party_b=request.callee, options=options, created_at_ms=now, updated_at_ms=now,
                      expires_at_ms=expiry(now, request.duration_s))
    named = request.number
    how = Placement(
        full=Refused(ResultCode.INSUFFICIENT_NUMBERS, f"{named} already carries its maximum of pairs"),
        key_taken=Refused(ResultCode.RELATION_BOUND,
                          f"{request.caller} or {request.callee} is already bound on {named}"),
        holder=f"{request.caller} or {request.callee}",
        area_code=request.area_code,
        non_strict=request.non_strict,
    )

    if named is None and await place_at_once(store, app, binding, how):
        return binding

    async def work(tx: ProvisioningTx) -> Binding:
        return await place(tx, app, binding, how, named)

    return await store.run(work)


async def unbind(store: ProvisioningStore, app: App, binding_id: str | None, number: str | None) -> list[Binding]:
    """By subscriptionId (wins), or every binding on the X ``number``."""
    app.require_bindable()
    now = now_ms()

    async def work(tx: ProvisioningTx) -> list[Binding]:
        if binding_id is not None:
            targets = [await own_binding(tx, app, Mode.AXB, binding_id, now, NOT_FOUND)]
        else:
            assert number is not None
            await own_number(tx, app, number)
            targets = await tx.find(BindingFilter(app.id, Mode.AXB, number=number), now)
            if not targets:
                raise Refused(NOT_FOUND, f"no binding on {number}")
        return await release_all_or_refuse(tx, targets, NOT_FOUND)

    return await store.run(work)


async def modify(store: ProvisioningStore, app: App, binding_id: str, caller: str | None, callee: str | None,
                 duration_s: int | None, changes: dict[str, Any]) -> Binding:
    """Absent fields stay as they are; a new duration restarts the timer from now."""
    app.require_bindable()
    app.require_recording(changes.get("record"))
    now = now_ms()

    async def work(tx: ProvisioningTx) -> Binding:
        old = await own_binding(tx, app, Mode.AXB, binding_id, now, NOT_FOUND)
        new = replace(old, options=old.options.merged(changes), updated_at_ms=now)
        new.party_a = caller or old.party_a
        new.party_b = callee or old.party_b
        if new.party_a == new.party_b:
            raise invalid("callee", "must differ from the caller")
        if duration_s is not None:
            new.options = new.options.merged({"duration": duration_s})
            new.expires_at_ms = expiry(now, duration_s)
        if (new.party_a, new.party_b) != (old.party_a, old.party_b) and not await _rekeyed(tx, app, old, new, now):
            raise Refused(ResultCode.RELATION_BOUND, f"{new.party_a} or {new.party_b} is already bound on {old.number}")
        return await save_or_refuse(tx, new, NOT_FOUND)

    return await store.run(work)


async def _rekeyed(tx: ProvisioningTx, app: App, old: Binding, new: Binding, now: int) -> bool:
    """Move the binding's exclusive keys; an expired binding still holding one is purged first."""
    if await tx.rekey(old, new) is Claim.PLACED:
        return True
    return bool(await tx.purge_expired(now, app.id)) and await tx.rekey(old, new) is Claim.PLACED


@dataclass
class Page:
    bindings: list[Binding]
    total: int
    index: int
    size: int


async def query(store: ProvisioningStore, app: App, binding_id: str | None, number: str | None,
                caller: str | None, callee: str | None, page_index: int, page_size: int) -> Page:
    now = now_ms()

    if binding_id is None:
        assert number is not None
        where = BindingFilter(app.id, Mode.AXB, number=number, party_a=caller, party_b=callee)
        found = await store.page_on_number(where, now, (page_index - 1) * page_size, page_size)
        if found.owner_app_id != app.id:
            raise Refused(ResultCode.NUMBER_NOT_IN_APP, f"{number} is not a number of this app")
        if found.total == 0:
            raise Refused(NOT_FOUND, f"no binding on {number} matches")
        if not found.bindings:
            raise Refused(NOT_FOUND, f"page {page_index} is past the last page ({found.total} bindings)")
        return Page(found.bindings, found.total, page_index, page_size)

    async def work(tx: ProvisioningTx) -> Page:
        assert binding_id is not None
        return Page([await own_binding(tx, app, Mode.AXB, binding_id, now, NOT_FOUND)], 1, 1, page_size)

    return await store.run(work, read_only=True)
