"""AXYB use cases: A-X (one A per X, 5 X per A) plus B-Y relations (a Y carries up to 1000, each AX once)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from privnum.domain.apps import App
from privnum.domain.binding_options import BindingOptions
from privnum.domain.bindings import Binding, new_binding_id
from privnum.domain.lifetimes import expiry
from privnum.domain.modes import Mode
from privnum.domain.private_numbers import NumberRole
from privnum.domain.result_codes import Refused, ResultCode, invalid
from privnum.service.clock import now_ms
from privnum.service.provisioning.binding_changes import release_all_or_refuse
from privnum.service.provisioning.lookups import own_binding, own_number
from privnum.service.provisioning.placement import Placement, place
from privnum.service.provisioning.ports import BindingFilter, ProvisioningStore, ProvisioningTx

NOT_FOUND = ResultCode.BINDING_NOT_EXIST


@dataclass
class AxRelation:
    user: str
    area_code: str | None
    non_strict: bool
    duration_s: int
    yb_duration_s: int
    options: dict[str, Any]  # domain names


@dataclass
class YbRelation:
    parent_id: str
    user: str
    area_code: str | None
    non_strict: bool
    yb_duration_s: int | None
    options: dict[str, Any]  # domain names


def yb_expiry(parent: Binding, now: int, yb_duration_s: int) -> int | None:
    """ybDuration 0 lives as long as the AX relation; it never outlives it."""
    own = expiry(now, yb_duration_s)
    if own is None:
        return parent.expires_at_ms
    if parent.expires_at_ms is None:
        return own
    return min(own, parent.expires_at_ms)


async def bind_ax(store: ProvisioningStore, app: App, request: AxRelation) -> Binding:
    app.require_bindable()
    options = BindingOptions.from_dict({**request.options, "duration": request.duration_s,
                                        "yb_duration": request.yb_duration_s, "area_code": request.area_code})
    app.require_recording(options.record)
    now = now_ms()
    binding = Binding(id=new_binding_id(), app_id=app.id, mode=Mode.AXYB, number="", party_a=request.user,
                      options=options, created_at_ms=now, updated_at_ms=now,
                      expires_at_ms=expiry(now, request.duration_s))
    how = Placement(
        full=Refused(ResultCode.INSUFFICIENT_NUMBERS, "the number is already bound"),
        key_taken=Refused(ResultCode.INSUFFICIENT_NUMBERS, "the number is already bound"),
        holder="another A",
        area_code=request.area_code,
        non_strict=request.non_strict,
    )

    async def work(tx: ProvisioningTx) -> Binding:
        return await place(tx, app, binding, how, None)

    return await store.run(work)


async def bind_yb(store: ProvisioningStore, app: App, request: YbRelation) -> Binding:
    app.require_bindable()
    now = now_ms()

    async def work(tx: ProvisioningTx) -> Binding:
        parent = await own_binding(tx, app, Mode.AXYB, request.parent_id, now, NOT_FOUND, ax_relation=True)
        if request.user == parent.party_a:
            raise invalid("user", "B must differ from the A of the AX relation")
        if await tx.find(BindingFilter(app.id, Mode.AXYB, parent_id=parent.id, party_b=request.user), now, limit=1):
            raise Refused(ResultCode.RELATION_BOUND, f"{request.user} already has a Y for this AX relation")
        yb_duration = request.yb_duration_s
        if yb_duration is None:
            yb_duration = parent.options.yb_duration or 0
        ax_duration = parent.options.duration or 0
        if ax_duration and yb_duration > ax_duration:
            yb_duration = ax_duration
        options = BindingOptions.from_dict({**request.options, "yb_duration": yb_duration})
        binding = Binding(id=new_binding_id(), app_id=app.id, mode=Mode.AXYB, number="", party_a=parent.party_a,
                          party_b=request.user, parent_id=parent.id, options=options, created_at_ms=now,
                          updated_at_ms=now, expires_at_ms=yb_expiry(parent, now, yb_duration))
        how = Placement(
            role=NumberRole.Y,
            full=Refused(ResultCode.INSUFFICIENT_NUMBERS, "the Y is full"),
            key_taken=Refused(ResultCode.RELATION_BOUND, "the Y already serves this AX relation"),
            holder="this AX relation",
            area_code=request.area_code or parent.options.area_code,
            non_strict=request.non_strict,
        )
        return await place(tx, app, binding, how, None)

    return await store.run(work)


async def give_y_for_call(store: ProvisioningStore, app: App, ax_relation: Binding, b_number: str) -> Binding:
    """B calls X without a YB relation: give B a Y (in X's city first, then anywhere), for as long as the
    AX relation lives."""
    return await bind_yb(store, app, YbRelation(parent_id=ax_relation.id, user=b_number, area_code=None,
                                                 non_strict=True, yb_duration_s=None, options={}))


async def unbind(store: ProvisioningStore, app: App, binding_id: str, y_number: str | None,
                 b_number: str | None) -> list[Binding]:
    """subscriptionId alone removes the AX relation and its YB relations; with yNum (wins) or bNum only YB ones."""
    app.require_bindable()
    now = now_ms()

    async def work(tx: ProvisioningTx) -> list[Binding]:
        parent = await own_binding(tx, app, Mode.AXYB, binding_id, now, NOT_FOUND, ax_relation=True)
        if y_number is None and b_number is None:
            children = await tx.find(BindingFilter(app.id, Mode.AXYB, parent_id=parent.id), now)
            if not await tx.release(parent):
                raise Refused(NOT_FOUND, f"{binding_id} was already unbound")
            return [parent, *children]
        where = BindingFilter(app.id, Mode.AXYB, parent_id=parent.id, number=y_number,
                              party_b=None if y_number else b_number)
        targets = await tx.find(where, now)
        if not targets:
            raise Refused(NOT_FOUND, f"no YB relation of {binding_id} matches")
        return await release_all_or_refuse(tx, targets, NOT_FOUND, "YB relation")

    return await store.run(work)


async def query(store: ProvisioningStore, app: App, binding_id: str | None,
                number: str | None) -> list[tuple[Binding, list[Binding]]]:
    """Each AX relation with its YB relations; by subscriptionId (wins) or by X."""
    now = now_ms()

    async def work(tx: ProvisioningTx) -> list[tuple[Binding, list[Binding]]]:
        if binding_id is not None:
            parent = await tx.get(app.id, binding_id, now)
            parents = [parent] if parent and parent.mode is Mode.AXYB and not parent.is_yb_relation else []
        else:
            assert number is not None
            await own_number(tx, app, number)
            parents = await tx.find(BindingFilter(app.id, Mode.AXYB, number=number, yb_relations=False), now)
        if not parents:
            raise Refused(NOT_FOUND, "no AXYB relation matches")
        return [(p, await tx.find(BindingFilter(app.id, Mode.AXYB, parent_id=p.id), now)) for p in parents]

    return await store.run(work, read_only=True)
