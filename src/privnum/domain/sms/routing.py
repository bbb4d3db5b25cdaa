"""Where a text sent to a privacy number goes, per mode (docs/contract/sms.md, "Rules"). Pure: the facts
are read by the relay before deciding.

AXB: A→X reaches B, B→X reaches A, from X; anyone else: no binding. AX: A→X with a trailing ``@<number>``
reaches that number, without the suffix; without one the customer is asked (Block); anyone→X reaches A
with ``[From<sender>]`` appended. AXYB: B→X reaches A from B's Y (from X while B has no Y); A→Y reaches
that Y's B from X. X mode: the customer is asked for every text. AXE has no SMS.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from privnum.domain.apps import App
from privnum.domain.bindings import Binding
from privnum.domain.modes import Mode
from privnum.domain.private_numbers import NumberState, PrivateNumber
from privnum.domain.sms.addressing import mark_sender, read_addressed
from privnum.domain.sms.results import SendResult
from privnum.domain.sms.segments import segment_count

TO_A, FROM_A, UNKNOWN = 0, 1, 2  # extInfo direction


@dataclass(frozen=True)
class SmsFacts:
    sender: str
    x: str  # the privacy number the text was sent to (X, or a Y in AXYB)
    text: str
    app: App | None
    number: PrivateNumber | None
    bindings: list[Binding] = field(default_factory=list)  # AXB: the sender's; AX: X's; AXYB: as for calls
    yb_relations_of_x: dict[str, list[Binding]] = field(default_factory=dict)  # AXYB: AX id -> sender's YB
    x_relations_of_y: dict[str, Binding] = field(default_factory=dict)  # AXYB: the AX relations of YB rows


@dataclass(frozen=True)
class Deliver:
    receiver: str
    from_number: str
    text: str
    direction: int
    segments: int  # what splitNum reports
    binding: Binding | None = None
    user_data: str | None = None


@dataclass(frozen=True)
class Drop:
    result: SendResult
    binding: Binding | None = None


@dataclass(frozen=True)
class AskCustomer:
    """Push a Block SMS event and obey the answer (AX without ``@<number>``, X mode)."""

    direction: int
    binding: Binding | None = None


SmsDecision = Deliver | Drop | AskCustomer


def route_sms(facts: SmsFacts) -> SmsDecision:
    app, number = facts.app, facts.number
    if app is None or number is None or number.app_id != app.id:
        return Drop(SendResult.NO_BINDING)
    if not app.is_active:
        return Drop(SendResult.APP_NOT_COMMERCIAL)
    if app.arrears.sms_refusal is not None:
        return Drop(app.arrears.sms_refusal)
    if number.state is NumberState.FROZEN:
        return Drop(SendResult.ACCOUNT_FROZEN)
    if number.state is not NumberState.AVAILABLE:
        return Drop(SendResult.NUMBER_SUSPENDED)
    if app.mode is Mode.AXE or not app.sms_enabled or not number.sms_capable:
        return Drop(SendResult.NO_SMS_CAPABILITY)
    if app.mode is Mode.X:
        return AskCustomer(UNKNOWN)
    router = {Mode.AXB: _axb, Mode.AX: _ax, Mode.AXYB: _axyb}[app.mode]
    return router(facts)


def deliver(facts: SmsFacts, binding: Binding | None, *, to: str, text: str, direction: int,
            from_number: str | None = None, counted: str | None = None, user_data: str | None = None) -> SmsDecision:
    """Deliver ``text`` to ``to``, unless the binding has SMS switched off. ``counted`` is the text whose
    segments are reported when it differs from the one sent (AX ``@<number>``: the suffix counts)."""
    if binding is not None and binding.options.private_sms is False:
        return Drop(SendResult.NO_SMS_CAPABILITY, binding)
    return Deliver(receiver=to, from_number=from_number or facts.x, text=text, direction=direction,
                   segments=segment_count(counted if counted is not None else text), binding=binding,
                   user_data=user_data or (binding.options.user_data if binding is not None else None))


def _axb(facts: SmsFacts) -> SmsDecision:
    for b in facts.bindings:
        if facts.sender == b.party_a and b.party_b:
            return deliver(facts, b, to=b.party_b, text=facts.text, direction=FROM_A)
        if facts.sender == b.party_b and b.party_a:
            return deliver(facts, b, to=b.party_a, text=facts.text, direction=TO_A)
    return Drop(SendResult.NO_BINDING)


def _ax(facts: SmsFacts) -> SmsDecision:
    if not facts.bindings or not facts.bindings[0].party_a:
        return Drop(SendResult.NO_BINDING)
    b = facts.bindings[0]
    a = b.party_a or ""
    if facts.sender != a:
        return deliver(facts, b, to=a, text=mark_sender(facts.text, facts.sender), direction=TO_A)
    if b.options.private_sms is False:
        return Drop(SendResult.NO_SMS_CAPABILITY, b)
    addressed = read_addressed(facts.text)
    if addressed is None:
        return AskCustomer(FROM_A, b)
    return deliver(facts, b, to=addressed.to, text=addressed.text, direction=FROM_A, counted=facts.text)


def _axyb(facts: SmsFacts) -> SmsDecision:
    ax_rows = [b for b in facts.bindings if not b.is_yb_relation]
    if ax_rows:  # sent to an X
        ax = ax_rows[0]
        if facts.sender == ax.party_a or not ax.party_a:
            return Drop(SendResult.NO_BINDING, ax)
        yb = next((r for r in facts.yb_relations_of_x.get(ax.id, []) if r.party_b == facts.sender), None)
        return deliver(facts, ax, to=ax.party_a, text=facts.text, direction=TO_A,
                       from_number=yb.number if yb is not None else facts.x)
    for yb in facts.bindings:  # sent to a Y
        parent = facts.x_relations_of_y.get(yb.parent_id or "")
        if parent is not None and facts.sender == yb.party_a and yb.party_b:
            return deliver(facts, parent, to=yb.party_b, text=facts.text, direction=FROM_A,
                           from_number=parent.number)
    return Drop(SendResult.NO_BINDING)
