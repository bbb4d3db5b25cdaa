"""Writing found bindings back, or removing them, when a concurrent request may have unbound them first."""

from __future__ import annotations

from privnum.domain.bindings import Binding
from privnum.domain.result_codes import Refused, ResultCode
from privnum.service.provisioning.ports import ProvisioningTx


async def save_or_refuse(tx: ProvisioningTx, binding: Binding, not_found: ResultCode) -> Binding:
    if not await tx.save(binding):
        raise Refused(not_found, "the binding was unbound meanwhile")
    return binding


async def release_or_refuse(tx: ProvisioningTx, binding: Binding, not_found: ResultCode) -> Binding:
    if not await tx.release(binding):
        raise Refused(not_found, "the binding was already unbound")
    return binding


async def release_all_or_refuse(tx: ProvisioningTx, bindings: list[Binding], not_found: ResultCode,
                                what: str = "binding") -> list[Binding]:
    """Remove every binding still there; refuse when a concurrent request removed them all first."""
    released = [binding for binding in bindings if await tx.release(binding)]
    if not released:
        raise Refused(not_found, f"the {what} was already unbound")
    return released
