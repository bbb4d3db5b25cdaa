"""Rent at assignment (billing.md R-19, R-24): a number assigned to an app of a billed tenant is charged the current
month's full rent at once, in the assignment's transaction — one journal ``rent:<tenant>:<YYYY-MM>:<number>`` per
number, over a usage record keyed ``<number>:<YYYY-MM>`` like the monthly rent job's, so the database's unique
(app, source, key, meter) charges a number's month once. Refused, nothing written, while the tenant is in arrears or
when its balance and credit limit together do not cover the rent. A tenant without a billing account pays nothing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo

from privnum.domain.billing.arrears import AccountStanding, enforcement
from privnum.domain.billing.ledger import REVENUE_RENT, JournalKind
from privnum.domain.billing.meters import Meter, NumberClass, number_class_of
from privnum.domain.billing.money import to_decimal_string
from privnum.domain.billing.plans import NoRate, PricePlan, price_at
from privnum.domain.billing.rent import BILLING_ZONE, assignment_rent_key, month_of, rent_usage_key
from privnum.domain.management_errors import Conflict
from privnum.service.billing.ports import BillingAccount, BillingTx, NewUsage
from privnum.service.billing.settlement import charge
from privnum.service.billing.standing import Standings
from privnum.service.management.assignment_ports import AssignedNumber

TOP_UP_FIRST = "top up first"


class AssignmentRent:
    def __init__(self, standings: Standings, zone: tzinfo = BILLING_ZONE) -> None:
        self.standings = standings
        self.zone = zone  # the billing time zone: which month an assignment falls in

    async def charge_in(self, tx: BillingTx, tenant_id: int | None, app_id: int, numbers: Sequence[AssignedNumber],
                        now_ms: int) -> int:
        """Charge this month's rent of ``numbers`` just assigned to the app, in ``tx``; the amount in micros (0:
        unbilled tenant, or every number already paid this month for the tenant). A refusal raises ``Conflict``
        before anything is written."""
        if tenant_id is None or not numbers:
            return 0
        account = await tx.account(tenant_id, lock=True)
        if account is None:
            return 0
        if enforcement(AccountStanding(account.standing)).refuses_orders:
            raise Conflict("in_arrears", f"the account is in arrears (balance {_amount(account)}): {TOP_UP_FIRST}; "
                           "numbers are ordered and assigned again once a top-up covers the balance")
        plan = await tx.plan(account.price_plan)
        if plan is None:
            raise Conflict("no_price_plan", f"the account's price plan {account.price_plan!r} does not exist; "
                           "an operator opens the account on an existing plan first")
        month = month_of(now_ms, self.zone)
        keys = {rent_usage_key(n.number, month): n for n in numbers}
        paid = await tx.rent_usage(tenant_id, list(keys))  # a number given back and assigned again this month
        owed = [NewUsage(tenant_id=tenant_id, app_id=app_id, source="rent", key=key, meter=Meter.NUMBER_RENT.value,
                         number_class=number_class_of(n.number, n.number_type).value, x_number=n.number,
                         quantity=1, units=1, occurred_at_ms=now_ms)
                for key, n in keys.items() if key not in paid]
        total = _rent_total(plan, owed)
        if account.balance_micros + account.credit_limit_micros < total:
            raise Conflict("insufficient_funds", f"this month's rent of {len(owed)} number"
                           f"{'s' if len(owed) != 1 else ''} is {to_decimal_string(total)} {account.currency}, more "
                           f"than the balance {_amount(account)} and the credit limit "
                           f"{to_decimal_string(account.credit_limit_micros)} allow: {TOP_UP_FIRST}")
        await tx.add_usage(owed, now_ms)
        stored = await tx.rent_usage(tenant_id, [usage.key for usage in owed])
        for usage in owed:
            record = stored.get(usage.key)
            if record is not None:  # always: the numbers paid already were left out
                await charge(tx, tenant_id, assignment_rent_key(tenant_id, usage.x_number, month), plan, [record],
                             REVENUE_RENT, JournalKind.RENT, f"rent {month} of {usage.x_number}, assigned", now_ms)
        if total:
            await self.standings.follow_balance(tx, tenant_id, now_ms)
        return total


def _rent_total(plan: PricePlan, owed: Sequence[NewUsage]) -> int:
    """The rent of ``owed`` at the plan's price in force at assignment."""
    try:
        return sum(price_at(plan, Meter.NUMBER_RENT, NumberClass(usage.number_class), usage.occurred_at_ms)
                   .amount(usage.units) for usage in owed)
    except NoRate as missing:
        raise Conflict("no_rent_price", f"the account's price plan prices no number rent: {missing}") from None


def _amount(account: BillingAccount) -> str:
    return f"{to_decimal_string(account.balance_micros)} {account.currency}"
