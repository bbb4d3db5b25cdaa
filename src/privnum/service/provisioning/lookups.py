"""The lookups every mode starts with: "this app's binding of this mode, or refuse" and "a number of
this app, or refuse", each with the result code its interface documents."""

from __future__ import annotations

from privnum.domain.apps import App
from privnum.domain.bindings import Binding
from privnum.domain.modes import Mode
from privnum.domain.private_numbers import PrivateNumber
from privnum.domain.result_codes import Refused, ResultCode
from privnum.service.provisioning.ports import ProvisioningTx


async def own_binding(tx: ProvisioningTx, app: App, mode: Mode, binding_id: str, now_ms: int,
                      not_found: ResultCode, *, ax_relation: bool = False) -> Binding:
    """The live binding ``binding_id`` of ``app`` in ``mode`` (with ``ax_relation``: an AXYB AX relation);
    else ``not_found`` (each interface documents its own code)."""
    found = await tx.get(app.id, binding_id, now_ms)
    if found is None or found.mode is not mode or (ax_relation and found.is_yb_relation):
        what = "AX relation" if ax_relation else "binding"
        raise Refused(not_found, f"no {what} {binding_id} in this app")
    return found


async def own_number(tx: ProvisioningTx, app: App, number: str,
                     not_ours: ResultCode = ResultCode.NUMBER_NOT_IN_APP) -> PrivateNumber:
    """The privacy number ``number`` when it is ``app``'s; else ``not_ours``."""
    record = await tx.number(number)
    if record is None or record.app_id != app.id:
        raise Refused(not_ours, f"{number} is not a number of this app")
    return record
