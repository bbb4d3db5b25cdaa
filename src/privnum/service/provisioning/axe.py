"""AXE use cases: many A share one X, each behind its own extension E of the app's fixed length."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from typing import Any

from privnum.domain.apps import App
from privnum.domain.binding_options import BindingOptions
from privnum.domain.bindings import Binding, extension_key, new_binding_id, user_key
from privnum.domain.lifetimes import axe_unit_seconds, check_axe_lifetime, expiry
from privnum.domain.limits import extension_capacity
from privnum.domain.modes import Mode
from privnum.domain.result_codes import Refused, ResultCode, invalid
from privnum.service.clock import now_ms
from privnum.service.provisioning.binding_changes import release_or_refuse, save_or_refuse
from privnum.service.provisioning.lookups import own_binding, own_number
from privnum.service.provisioning.placement import Placement, place
from privnum.service.provisioning.ports import BindingFilter, ProvisioningStore, ProvisioningTx

NOT_FOUND = ResultCode.BINDING_NOT_EXIST


@dataclass
class AxeBind:
    user: str
    number: str | None = None
    area_code: str | None = None
    non_strict: bool = False
    extension: str | None = None
    lifetime_s: int = 0
    options: dict[str, Any] | None = None  # domain names


@dataclass(frozen=True)
class AxeTarget:
    binding_id: str | None = None
    number: str | None = None
    extension: str | None = None


def check_extension(app: App, extension: str, field: str = "extension") -> str:
    digits = extension.isascii() and extension.isdigit()  # not "²" or "١": a caller keys in 0-9
    if not digits or len(extension) != app.extension_length or int(extension) == 0:
        raise invalid(field, f"must be {app.extension_length} digits (this app's extension length), not all zero")
    return extension


def _free_extension(used: set[str], length: int) -> str | None:
    """A random free extension, so extensions are not guessable in order."""
    total = extension_capacity(length)
    if len(used) >= total:
        return None
    for _ in range(32):
        candidate = str(random.randint(1, total)).zfill(length)
        if candidate not in used:
            return candidate
    for value in range(1, total + 1):
        candidate = str(value).zfill(length)
        if candidate not in used:
            return candidate
    return None


async def bind(store: ProvisioningStore, app: App, request: AxeBind) -> Binding:
    app.require_bindable()
    options = BindingOptions.from_dict(request.options or {})
    app.require_recording(options.record)
    now = now_ms()
    binding = Binding(id=new_binding_id(), app_id=app.id, mode=Mode.AXE, number="", party_a=request.user,
                      extension=request.extension, options=options, created_at_ms=now, updated_at_ms=now,
                      expires_at_ms=expiry(now, request.lifetime_s))
    named = request.number

    async def pick(tx: ProvisioningTx, b: Binding) -> bool:
        b.extension = _free_extension(await tx.used_extensions(b.number), app.extension_length)
        return b.extension is not None

    how = Placement(
        full=Refused(ResultCode.NO_IDLE_EXTENSION, f"{named} has no free extension"),
        key_taken=Refused(ResultCode.NO_IDLE_EXTENSION, f"extension {request.extension} is already used on {named}"),
        shortage=ResultCode.INSUFFICIENT_NUMBERS if request.extension is None else ResultCode.NO_IDLE_EXTENSION,
        holder=f"extension {request.extension}",
        area_code=request.area_code,
        non_strict=request.non_strict,
        pick_extension=None if request.extension else pick,
        search_keys=[user_key(request.user)] + ([extension_key(request.extension)] if request.extension else []),
    )

    async def work(tx: ProvisioningTx) -> Binding:
        if named is not None and await tx.find(BindingFilter(app.id, Mode.AXE, number=named, party_a=request.user),
                                               now, limit=1):
            raise Refused(ResultCode.RELATION_BOUND, f"{request.user} already has an extension on {named}")
        return await place(tx, app, binding, how, named)

    return await store.run(work)


async def _resolve(tx: ProvisioningTx, app: App, target: AxeTarget, now: int) -> Binding:
    if target.binding_id is not None:
        return await own_binding(tx, app, Mode.AXE, target.binding_id, now, NOT_FOUND)
    if target.number is None or target.extension is None:
        raise invalid("binding", "a binding id, or the privacy number together with the extension, is required")
    await own_number(tx, app, target.number)
    found_list = await tx.find(BindingFilter(app.id, Mode.AXE, number=target.number, extension=target.extension),
                               now, limit=1)
    if not found_list:
        raise Refused(NOT_FOUND, f"no binding on {target.number} extension {target.extension}")
    return found_list[0]


async def unbind(store: ProvisioningStore, app: App, target: AxeTarget) -> Binding:
    app.require_bindable()
    now = now_ms()

    async def work(tx: ProvisioningTx) -> Binding:
        found = await _resolve(tx, app, target, now)
        return await release_or_refuse(tx, found, NOT_FOUND)

    return await store.run(work)


async def modify(store: ProvisioningStore, app: App, target: AxeTarget, new_user: str | None,
                 changes: dict[str, Any]) -> Binding:
    """A new bindExpiredTime restarts the lifetime from now; the query keeps reporting the bind's value."""
    app.require_bindable()
    app.require_recording(changes.get("record"))
    now = now_ms()

    async def work(tx: ProvisioningTx) -> Binding:
        old = await _resolve(tx, app, target, now)
        lifetime = changes.pop("bind_expired_time", None)
        unit = changes.pop("time_unit", None) or old.options.time_unit  # timeUnit, else the binding's
        for field, value in (("bind_expired_time", lifetime), ("callback_expired_time",
                                                                changes.get("callback_expired_time"))):
            if value is not None:
                check_axe_lifetime(value, unit, field)
        new = replace(old, options=old.options.merged(changes), updated_at_ms=now)
        if new_user is not None:
            new.party_a = new_user
        if lifetime is not None:
            new.expires_at_ms = expiry(now, lifetime * axe_unit_seconds(unit))
        return await save_or_refuse(tx, new, NOT_FOUND)

    return await store.run(work)


async def query(store: ProvisioningStore, app: App, target: AxeTarget) -> Binding:
    now = now_ms()
    return await store.run(lambda tx: _resolve(tx, app, target, now), read_only=True)


async def list_on_number(store: ProvisioningStore, app: App, number: str, offset: int, limit: int) -> list[Binding]:
    """Every live binding on one X, oldest first (the v2.0 cursor query)."""
    now = now_ms()

    async def work(tx: ProvisioningTx) -> list[Binding]:
        await own_number(tx, app, number)
        return await tx.find(BindingFilter(app.id, Mode.AXE, number=number), now, offset=offset, limit=limit)

    return await store.run(work, read_only=True)
