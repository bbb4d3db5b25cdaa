"""What SMS routing decides on, read in one transaction: X, its app, and the bindings that can decide
(by indexed keys, as for calls)."""

from __future__ import annotations

from privnum.domain.apps import App
from privnum.domain.bindings import Binding, user_key
from privnum.domain.modes import Mode
from privnum.domain.private_numbers import PrivateNumber
from privnum.domain.sms.message import SmsMessage
from privnum.domain.sms.routing import SmsFacts
from privnum.service.provisioning.ports import BindingFilter
from privnum.service.sms.ports import SmsTx


async def load_sms_facts(tx: SmsTx, message: SmsMessage, app: App | None, number: PrivateNumber | None,
                         now_ms: int) -> SmsFacts:
    """``number`` is X as the relay read it to find its app (not read again here)."""
    facts = SmsFacts(message.sender, message.x_number, message.text, app, number)
    if app is None or number is None or number.app_id != app.id:
        return facts
    x, sender = message.x_number, message.sender
    if app.mode is Mode.AXB:
        found = await tx.by_key(x, user_key(sender), now_ms)
        return _with(facts, [found] if found is not None else [])
    if app.mode is Mode.AX:
        return _with(facts, await tx.find(BindingFilter(app.id, Mode.AX, number=x), now_ms, limit=1))
    if app.mode is Mode.AXYB:
        ax = await tx.find(BindingFilter(app.id, Mode.AXYB, number=x, yb_relations=False), now_ms, limit=1)
        if ax:
            yb = await tx.find(BindingFilter(app.id, Mode.AXYB, parent_id=ax[0].id, party_b=sender), now_ms, limit=1)
            return _with(facts, ax, yb_relations_of_x={ax[0].id: yb})
        yb_rows = await tx.find(BindingFilter(app.id, Mode.AXYB, number=x, party_a=sender, yb_relations=True), now_ms)
        parents: dict[str, Binding] = {}
        for row in yb_rows:
            parent = await tx.get(app.id, row.parent_id or "", now_ms)
            if parent is not None:
                parents[parent.id] = parent
        return _with(facts, yb_rows, x_relations_of_y=parents)
    return facts


def _with(facts: SmsFacts, bindings: list[Binding], *, yb_relations_of_x: dict[str, list[Binding]] | None = None,
          x_relations_of_y: dict[str, Binding] | None = None) -> SmsFacts:
    return SmsFacts(facts.sender, facts.x, facts.text, facts.app, facts.number, bindings,
                    yb_relations_of_x or {}, x_relations_of_y or {})
