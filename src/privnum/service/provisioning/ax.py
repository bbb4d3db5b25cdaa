"""AX use cases: X belongs to one A (an A holds at most 5 X); A reaches others via a temporary callee."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from privnum.domain.apps import App
from privnum.domain.binding_options import BindingOptions, TemporaryCallee
from privnum.domain.bindings import Binding, new_binding_id
from privnum.domain.limits import X_PER_USER
from privnum.domain.modes import Mode
from privnum.domain.result_codes import Refused, ResultCode, invalid
from privnum.service.clock import now_ms
from privnum.service.provisioning.binding_changes import release_or_refuse, save_or_refuse
from privnum.service.provisioning.lookups import own_binding, own_number
from privnum.service.provisioning.placement import Placement, place
from privnum.service.provisioning.ports import BindingFilter, ProvisioningStore, ProvisioningTx

NOT_FOUND = ResultCode.BINDING_NOT_EXIST


@dataclass
class AxBind:
    user: str
    number: str | None = None
    area_code: str | None = None
    non_strict: bool = False
    options: dict[str, Any] | None = None  # domain names


@dataclass(frozen=True)
class AxTarget:
    """Which AX binding a request means: by subscriptionId (wins), or by X (and A)."""

    binding_id: str | None = None
    user: str | None = None
    number: str | None = None


async def bind(store: ProvisioningStore, app: App, request: AxBind) -> Binding:
    app.require_bindable()
    options = BindingOptions.from_dict(request.options or {})
    app.require_recording(options.record)
    now = now_ms()
    binding = Binding(id=new_binding_id(), app_id=app.id, mode=Mode.AX, number="", party_a=request.user,
                      options=options, created_at_ms=now, updated_at_ms=now)
    named = request.number
    taken = Refused(ResultCode.RESOURCE_ALLOCATED, f"{named} is already bound to another number")
    how = Placement(
        not_in_app=ResultCode.ACCOUNT_NOT_EXIST,
        full=taken,
        key_taken=taken,
        shortage=ResultCode.INSUFFICIENT_NUMBERS_AX,
        holder="another number",
        area_code=request.area_code,
        non_strict=request.non_strict,
    )

    async def work(tx: ProvisioningTx) -> Binding:
        return await place(tx, app, binding, how, named)

    return await store.run(work)


async def _resolve(tx: ProvisioningTx, app: App, target: AxTarget, now: int) -> Binding:
    if target.binding_id is not None:
        return await own_binding(tx, app, Mode.AX, target.binding_id, now, NOT_FOUND)
    if target.number is None:
        raise invalid("binding", "a binding id or the privacy number is required")
    await own_number(tx, app, target.number, ResultCode.NUMBER_NOT_APPLIED)
    found_list = await tx.find(BindingFilter(app.id, Mode.AX, number=target.number), now, limit=1)
    if not found_list:
        raise Refused(NOT_FOUND, f"{target.number} is not bound")
    return found_list[0]


async def unbind(store: ProvisioningStore, app: App, target: AxTarget) -> Binding:
    """origNum is not used to find the binding (Huawei ignores it on unbind)."""
    app.require_bindable()
    now = now_ms()

    async def work(tx: ProvisioningTx) -> Binding:
        found = await _resolve(tx, app, AxTarget(binding_id=target.binding_id, number=target.number), now)
        return await release_or_refuse(tx, found, NOT_FOUND)

    return await store.run(work)


async def modify(store: ProvisioningStore, app: App, target: AxTarget, new_user: str | None,
                 changes: dict[str, Any]) -> Binding:
    app.require_bindable()
    app.require_recording(changes.get("record"))
    now = now_ms()

    async def work(tx: ProvisioningTx) -> Binding:
        old = await _resolve(tx, app, target, now)
        new = replace(old, options=old.options.merged(changes), updated_at_ms=now)
        if new_user is not None and new_user != old.party_a:
            new.party_a = new_user
            if not await tx.move_quota(app.id, old.party_a or "", new_user, X_PER_USER):
                raise Refused(ResultCode.USER_LIMIT_EXCEEDED, f"{new_user} already holds {X_PER_USER} numbers")
            await tx.rekey(old, new)
        return await save_or_refuse(tx, new, NOT_FOUND)

    return await store.run(work)


async def set_temporary_callee(store: ProvisioningStore, app: App, target: AxTarget, callee: str,
                               duration_s: int, user_data: str | None) -> Binding:
    """Name the real callee of A's next calls to X; overwrites the previous one."""
    app.require_bindable()
    now = now_ms()

    async def work(tx: ProvisioningTx) -> Binding:
        found = await _resolve(tx, app, AxTarget(binding_id=target.binding_id, number=target.number), now)
        if callee == found.party_a:
            raise invalid("temporary_callee", "must differ from the bound number")
        temp = TemporaryCallee(number=callee, expires_at_ms=now + duration_s * 1000, user_data=user_data)
        new = replace(found, options=replace(found.options, temporary_callee=temp))
        return await save_or_refuse(tx, new, NOT_FOUND)

    return await store.run(work)


async def query(store: ProvisioningStore, app: App, target: AxTarget) -> list[Binding]:
    """Priority subscriptionId > origNum > privateNum."""
    now = now_ms()

    async def work(tx: ProvisioningTx) -> list[Binding]:
        if target.binding_id is None and target.user is not None:
            found = await tx.find(BindingFilter(app.id, Mode.AX, party_a=target.user), now)
            if not found:
                raise Refused(NOT_FOUND, f"{target.user} has no binding in this app")
            return found
        return [await _resolve(tx, app, target, now)]

    return await store.run(work, read_only=True)
