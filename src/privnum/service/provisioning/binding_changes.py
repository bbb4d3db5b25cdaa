"""Writing a found binding back, or removing it, when a concurrent request may have unbound it first."""

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
