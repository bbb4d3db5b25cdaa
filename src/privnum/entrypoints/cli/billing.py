"""``privnum billing``: price plans, tenants' billing accounts, hourly settlement, monthly rent, top-ups, balances
(issue 15); packages in ``billing_packages.py``. Amounts are decimals in the account's currency (``12.5``), stored
as integer micros."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import typer
from rich.table import Table

from privnum.domain.billing.money import InvalidAmount, from_decimal_string, to_decimal_string
from privnum.entrypoints.cli.billing_notifications import low_balance, notifications
from privnum.entrypoints.cli.billing_packages import package_cli, product_cli, show_packages
from privnum.entrypoints.cli.common import console, fail, run_operator
from privnum.service.billing.ports import BillingAccount
from privnum.service.clock import now_ms

billing_cli = typer.Typer(help="Billing: plans, accounts, settle an hour, charge a month's rent, top up, adjust, "
                               "balance, packages.", no_args_is_help=True)

_HOUR = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}")


def _amount(text: str, hint: str) -> int:
    try:
        return from_decimal_string(text)
    except InvalidAmount as error:
        raise typer.BadParameter(str(error), param_hint=hint) from None


def _show(account: BillingAccount) -> None:
    console.print(f"tenant {account.tenant_id}: balance {to_decimal_string(account.balance_micros)} "
                  f"{account.currency} (plan {account.price_plan}, {account.standing})")


@billing_cli.command("plan")
def plan(name: str = typer.Argument(..., help="The plan's name."),
         minute_price: str = typer.Option(..., "--minute-price",
                                          help="Price of a started forwarded minute, e.g. 0.1."),
         truncate: bool = typer.Option(False, "--truncate-to-cents",
                                       help="Cut each hourly settlement to whole cents, as Huawei does (抹零).")
         ) -> None:
    """Add a version of a Huawei-priced plan (CNY: SMS 0.28/0.27, rent 5/15) with your price per minute."""
    price = _amount(minute_price, "--minute-price")
    version = run_operator(lambda op: op.billing.accounts.add_huawei_plan(name, price, truncate))
    console.print(f"plan {name!r} version {version}")


@billing_cli.command("open")
def open_account(tenant: str = typer.Argument(..., help="The tenant's name."),
                 plan_name: str = typer.Option(..., "--plan", help="The price plan.")) -> None:
    """Open a tenant's billing account on a plan (or move it to another plan)."""
    _show(run_operator(lambda op: op.billing.accounts.open(tenant, plan_name)))


@billing_cli.command("settle")
def settle(hour: str = typer.Option(..., "--hour", help="The UTC hour to settle, YYYY-MM-DDTHH.")) -> None:
    """Settle one UTC hour: every tenant's unsettled usage ending before its end, once."""
    try:
        if not _HOUR.fullmatch(hour):
            raise ValueError(hour)
        start = int(datetime.strptime(hour, "%Y-%m-%dT%H").replace(tzinfo=UTC).timestamp()) * 1000
    except ValueError:
        raise typer.BadParameter("YYYY-MM-DDTHH, e.g. 2026-12-01T10", param_hint="--hour") from None
    settled = run_operator(lambda op: op.billing.settlement.settle_hour(start, now_ms()))
    table = Table("tenant", "journal", "records", "amount")
    for done in settled:
        table.add_row(str(done.tenant_id), done.key, str(done.records), to_decimal_string(done.amount_micros))
    console.print(table if settled else f"nothing to settle up to the end of {hour}")


@billing_cli.command("rent")
def rent(month: str = typer.Option(..., "--month", help="The month to charge, YYYY-MM.")) -> None:
    """Charge a month's number rent to every tenant that owes it, once."""
    try:
        charged = run_operator(lambda op: op.billing.rent.charge_rent(month, now_ms()))
    except ValueError as error:
        raise fail(str(error)) from None
    table = Table("tenant", "journal", "numbers", "amount")
    for done in charged:
        table.add_row(str(done.tenant_id), done.key, str(done.numbers), to_decimal_string(done.amount_micros))
    console.print(table if charged else f"no rent to charge for {month}")


@billing_cli.command("topup")
def topup(tenant: str = typer.Argument(..., help="The tenant's name."),
          amount: str = typer.Argument(..., help="The amount, e.g. 100 or 12.5."),
          note: str = typer.Option(None, "--note", help="What the money is (a payment reference)."),
          reference: str = typer.Option(None, "--ref", help="Idempotency: a reference given twice tops up once.")
          ) -> None:
    """Top up a tenant's wallet."""
    micros = _amount(amount, "AMOUNT")
    _show(run_operator(lambda op: op.billing.wallets.top_up(tenant, micros, note, reference)))


@billing_cli.command("balance")
def balance(tenant: str = typer.Argument(..., help="The tenant's name.")) -> None:
    """A tenant's balance."""
    _show(run_operator(lambda op: op.billing.wallets.balance(tenant)))


billing_cli.add_typer(product_cli, name="product")
billing_cli.add_typer(package_cli, name="package")
billing_cli.command("packages")(show_packages)
billing_cli.command("low-balance")(low_balance)
billing_cli.command("notifications")(notifications)


@billing_cli.command("credit-limit")
def credit_limit(tenant: str = typer.Argument(..., help="The tenant's name."),
                 amount: str = typer.Argument(..., help="How far below zero its balance may go; 0: prepaid.")
                 ) -> None:
    """Set how far below zero a tenant's balance may go before it is frozen for arrears."""
    micros = _amount(amount, "AMOUNT")
    _show(run_operator(lambda op: op.billing.wallets.set_credit_limit(tenant, micros)))


@billing_cli.command("adjust", context_settings={"ignore_unknown_options": True})  # a debit is "-5"
def adjust(tenant: str = typer.Argument(..., help="The tenant's name."),
           amount: str = typer.Argument(..., help="The signed amount: 5 credits the wallet, -5 debits it."),
           reason: str = typer.Option(..., "--reason", help="Why (shown on the statement)."),
           reference: str = typer.Option(None, "--ref", help="Idempotency: a reference given twice adjusts once.")
           ) -> None:
    """Adjust a tenant's wallet by a signed amount, with a reason (a credit note, a correction)."""
    micros = _amount(amount, "AMOUNT")
    _show(run_operator(lambda op: op.billing.wallets.adjust(tenant, micros, reason, reference)))
