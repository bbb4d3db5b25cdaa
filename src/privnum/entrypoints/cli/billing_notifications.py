"""``privnum billing low-balance`` and ``privnum billing notifications``: a tenant's low-balance threshold, and the
billing notifications raised for the operator (billing.md R-14, R-27) with whether the webhook has them yet."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import typer
from rich.table import Table

from privnum.domain.billing.money import InvalidAmount, from_decimal_string, to_decimal_string
from privnum.entrypoints.cli.common import cli_actor, console, run_operator


def _utc(at_ms: int | None) -> str:
    if at_ms is None:
        return ""
    return datetime.fromtimestamp(at_ms / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S")


def low_balance(tenant: str = typer.Argument(..., help="The tenant's name."),
                amount: str = typer.Argument(..., help="The threshold, e.g. 50; or off.")) -> None:
    """Tell the operator (a low_balance notification) when the tenant's balance falls below AMOUNT."""
    threshold: int | None = None
    if amount.strip().lower() != "off":
        try:
            threshold = from_decimal_string(amount.strip())
        except InvalidAmount as error:
            raise typer.BadParameter(f"{error} (or off)", param_hint="AMOUNT") from None
    actor = cli_actor()
    account = run_operator(lambda op: op.billing.notifications.set_low_balance(actor, tenant, threshold))
    shown = "off" if threshold is None else f"below {to_decimal_string(threshold)} {account.currency}"
    console.print(f"tenant {account.tenant_id}: low-balance notification {shown} "
                  f"(balance {to_decimal_string(account.balance_micros)} {account.currency})")


def notifications(tenant: str = typer.Option(None, "--tenant", help="One tenant's only (its name)."),
                  undelivered: bool = typer.Option(False, "--undelivered",
                                                   help="Only those the webhook has not taken yet."),
                  limit: int = typer.Option(100, "--limit", min=1, max=1000, help="At most this many, newest first.")
                  ) -> None:
    """Billing notifications raised for the operator, newest first."""
    actor = cli_actor()
    found = run_operator(lambda op: op.billing.notifications.list(actor, tenant, undelivered=undelivered,
                                                                  limit=limit))
    if not found:
        console.print("no billing notifications")
        return
    table = Table("id", "at (UTC)", "tenant", "kind", "what", "delivered")
    table.columns[3].no_wrap = True
    for notice in found:
        body = json.loads(notice.body)
        what = ", ".join(f"{k} {body[k]}" for k in ("balance", "threshold", "product", "remaining", "expires_at")
                         if body.get(k) is not None)
        if notice.delivered_at_ms is not None:
            delivered = _utc(notice.delivered_at_ms)
        else:
            delivered = f"no ({notice.attempts} tries{': ' + notice.last_error if notice.last_error else ''})"
        table.add_row(str(notice.id), _utc(notice.created_at_ms), notice.tenant_name, notice.kind, what, delivered)
    console.print(table)
