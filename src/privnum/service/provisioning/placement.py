"""Putting a binding on a number: the one it names, or the first one that fits.

The search honours areaCode/areaMatchMode and never gives up while a number that satisfies
every rule is free: it walks all candidates, and when a concurrent bind wins a race for one
(the database refuses the claim) it simply tries the next.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from privnum.domain.allocation import NoNumber, NoNumberReason, explain_shortage, search_scopes, shortage_reason
from privnum.domain.apps import App
from privnum.domain.bindings import Binding
from privnum.domain.limits import X_PER_USER, capacity
from privnum.domain.private_numbers import NumberRole, NumberState
from privnum.domain.result_codes import Refused, ResultCode
from privnum.service.clock import now_ms
from privnum.service.provisioning.ports import Claim, ProvisioningStore, ProvisioningTx

CANDIDATE_BATCH = 32
log = logging.getLogger("privnum.placement")

ExtensionPicker = Callable[[ProvisioningTx, Binding], Awaitable[bool]]


@dataclass
class Placement:
    """How one mode wants a binding placed and what it answers when it cannot be."""

    full: Refused  # the named number has no room
    key_taken: Refused  # a party / extension / relation is already on the named number
    holder: str  # what blocks numbers with room, for the shortage sentence
    area_code: str | None = None
    non_strict: bool = False
    role: NumberRole = NumberRole.X
    not_in_app: ResultCode = ResultCode.NUMBER_NOT_IN_APP  # the named number is not this app's
    shortage: ResultCode = ResultCode.INSUFFICIENT_NUMBERS  # nothing fits in the search
    pick_extension: ExtensionPicker | None = None  # AXE without extendNum
    search_keys: list[str] = field(default_factory=list)  # none: the binding's exclusive keys


async def place_at_once(store: ProvisioningStore, app: App, binding: Binding, how: Placement) -> bool:
    """The common bind in one step (measured: the search's statements cost more than a signed request): the
    least-loaded number of the first scope that fits takes ``binding``. False when the binding needs more than
    that (an extension to pick, a user quota, search keys of its own) or the step found nothing at once; then
    ``place`` runs, which tries every candidate and every scope, purges the expired, explains a shortage."""
    if how.pick_extension or how.search_keys or binding.quota_user() is not None:
        return False
    scope = search_scopes(how.area_code, how.non_strict)[0]
    return await store.place_first_fit(binding, scope, how.role, capacity(app.mode, how.role, app.extension_length))


async def place(tx: ProvisioningTx, app: App, binding: Binding, how: Placement, named: str | None) -> Binding:
    """Claim ``named`` (or, when None, a number found by the search) for ``binding``.

    Expired bindings are swept every second in the background; one that has expired but still
    holds what this bind needs is purged here, and the placement tried once more.
    """
    try:
        try:
            return await _place(tx, app, binding, how, named)
        except Refused:
            if not await tx.purge_expired(now_ms(), app.id):
                raise
        return await _place(tx, app, binding, how, named)
    except NoNumber as refusal:
        _log_no_number(app, how, refusal)
        raise


async def _place(tx: ProvisioningTx, app: App, binding: Binding, how: Placement, named: str | None) -> Binding:
    cap = capacity(app.mode, how.role, app.extension_length)
    keys = how.search_keys or binding.exclusive_keys()
    user = binding.quota_user()
    if user is not None and await tx.quota_used(app.id, user) >= X_PER_USER:
        raise _quota_refusal(user)
    if named is not None:
        return await _place_on(tx, app, binding, how, named, cap)
    tried: list[str] = []
    for scope in search_scopes(how.area_code, how.non_strict):
        while batch := await tx.candidates(app.id, scope, how.role, cap, keys, tried, CANDIDATE_BATCH):
            random.shuffle(batch)  # concurrent binds spread over the least-loaded numbers instead of queueing on one
            for number in batch:
                tried.append(number)
                binding.number = number
                if await _try_claim(tx, binding, how, cap) is Claim.PLACED:
                    return binding
    censuses = [await tx.census(app.id, s, how.role, cap, keys)
                for s in search_scopes(how.area_code, how.non_strict)]
    raise NoNumber(how.shortage, shortage_reason(censuses), explain_shortage(censuses, how.holder))


def _log_no_number(app: App, how: Placement, refusal: NoNumber) -> None:
    """Say in the server log which limit was hit (the wire answer keeps Huawei's result code)."""
    area = f"{how.area_code} ({'non-strict' if how.non_strict else 'strict'})" if how.area_code else "any"
    log.warning("no number: reason=%s app=%s mode=%s area=%s resultcode=%s: %s", refusal.reason.value, app.app_key,
                app.mode.value, area, refusal.result.code, refusal.detail)


async def _place_on(tx: ProvisioningTx, app: App, binding: Binding, how: Placement, named: str, cap: int) -> Binding:
    number = await tx.number(named)
    if number is None or number.app_id != app.id:
        raise Refused(how.not_in_app, f"{named} is not a number of this app")
    if number.state is NumberState.FROZEN:
        raise Refused(ResultCode.SUBSCRIBER_FROZEN, f"{named} is frozen")
    if number.state is not NumberState.AVAILABLE:
        raise Refused(ResultCode.NUMBER_STATUS_ABNORMAL, f"{named} is {number.state.value}")
    if number.locked:
        raise Refused(ResultCode.NUMBER_STATUS_ABNORMAL, f"{named} is locked by the operator: no new bindings")
    if number.role not in (None, how.role):
        raise Refused(how.shortage, f"{named} already serves as {number.role.value.upper()} in this app")
    binding.number = named
    outcome = await _try_claim(tx, binding, how, cap)
    if outcome is Claim.PLACED:
        return binding
    if outcome is Claim.KEY_TAKEN:
        raise how.key_taken
    raise how.full


async def _try_claim(tx: ProvisioningTx, binding: Binding, how: Placement, cap: int) -> Claim:
    attempts = 8 if how.pick_extension else 1
    outcome = Claim.NUMBER_FULL
    for _ in range(attempts):
        if how.pick_extension and not await how.pick_extension(tx, binding):
            return Claim.NUMBER_FULL
        outcome = await tx.claim(binding, how.role, cap, X_PER_USER)
        if outcome is Claim.QUOTA_EXCEEDED:
            raise _quota_refusal(binding.quota_user() or "")
        if outcome is not Claim.KEY_TAKEN:
            return outcome
    return outcome


def _quota_refusal(user: str) -> NoNumber:
    return NoNumber(ResultCode.USER_LIMIT_EXCEEDED, NoNumberReason.USER_QUOTA,
                    f"{user} already holds {X_PER_USER} numbers in this app")
