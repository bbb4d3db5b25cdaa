"""``privnum billing product …``, ``privnum billing package buy …`` and ``privnum billing packages``: the operator's
catalogue of packages (套餐包), buying one for a tenant, and what is left of a tenant's packages (billing.md
R-9…R-14). Prices are decimals in the product's currency (``38``, ``0.5``), stored as integer micros."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import typer
from rich.table import Table

from privnum.domain.billing.money import InvalidAmount, from_decimal_string, to_decimal_string
from privnum.domain.billing.packages import Quota
from privnum.entrypoints.cli.common import console, run_operator
from privnum.service.clock import now_ms

product_cli = typer.Typer(help="Package products: the catalogue tenants buy packages from.", no_args_is_help=True)
package_cli = typer.Typer(help="Packages: buy one for a tenant.", no_args_is_help=True)

_QUOTA = re.compile(r"([a-z]+\.[a-z]+)(?::([a-z]+))?=([0-9]+)")


def _price(text: str) -> int:
    try:
        return from_decimal_string(text)
    except InvalidAmount as error:
        raise typer.BadParameter(str(error), param_hint="--price") from None


def _quota(text: str) -> Quota:
    match = _QUOTA.fullmatch(text.strip())
    if match is None:
        raise typer.BadParameter(f"{text!r}: METER[:CLASS]=UNITS, e.g. call.forwarded=500 or sms.forwarded:virtual=50",
                                 param_hint="--quota")
    meter, number_class, units = match.groups()
    return Quota(meter, number_class, int(units))


def _utc(at_ms: int, *, zone: bool = True) -> str:
    shown = datetime.fromtimestamp(at_ms / 1000, UTC).strftime("%Y-%m-%d %H:%M")
    return f"{shown} UTC" if zone else shown


@product_cli.command("add")
def product_add(
    name: str = typer.Argument(..., help="The product's name, unique."),
    price: str = typer.Option(..., "--price", help="Its price, e.g. 38."),
    quotas: list[str] = typer.Option(..., "--quota", help="METER[:CLASS]=UNITS, once per quota, e.g. "
                                     "call.forwarded=500 --quota sms.forwarded:virtual=50 (no class: any)."),
    months: int = typer.Option(12, "--months", help="How many calendar months a package lasts."),
    currency: str = typer.Option("CNY", "--currency", help="The currency of its price."),
) -> None:
    """Add a package product to the catalogue."""
    micros = _price(price)
    parsed = [_quota(quota) for quota in quotas]
    made = run_operator(lambda op: op.billing.packages.add_product(name, micros, parsed, months, currency))
    console.print(f"product {made.name!r} (id {made.product_id}): {to_decimal_string(made.price_micros)} "
                  f"{made.currency} for {made.validity_months} months")


@product_cli.command("list")
def product_list() -> None:
    """The catalogue."""
    products = run_operator(lambda op: op.billing.packages.products())
    table = Table("product", "price", "months", "quotas")
    for product in products:
        table.add_row(product.name, f"{to_decimal_string(product.price_micros)} {product.currency}",
                      str(product.validity_months),
                      ", ".join(f"{q.meter}:{q.number_class or 'any'}={q.units}" for q in product.quotas))
    console.print(table if products else "no package products")


@package_cli.command("buy")
def package_buy(
    tenant: str = typer.Argument(..., help="The tenant's name."),
    product: str = typer.Option(..., "--product", help="The product to buy."),
    reference: str = typer.Option(None, "--ref", help="Idempotency: a reference given twice buys once."),
) -> None:
    """Buy a package for a tenant, paid from its wallet; it takes effect at the next full hour."""
    done = run_operator(lambda op: op.billing.packages.buy(tenant, product, reference))
    package = done.bought.package
    what = "bought" if done.new else "already bought under this reference"
    console.print(f"package {package.package_id} ({done.bought.product}) {what}: in force from "
                  f"{_utc(package.effective_from_ms)} until {_utc(package.expires_at_ms)}; "
                  f"balance {to_decimal_string(done.balance_micros)} {done.currency}")


def show_packages(tenant: str = typer.Argument(..., help="The tenant's name.")) -> None:
    """A tenant's packages: what is left of each quota, and when each is in force."""
    found = run_operator(lambda op: op.billing.packages.of_tenant(tenant))
    now = now_ms()
    table = Table("package", "product", "quota", "left", "from (UTC)", "until (UTC)", "state")
    for bought in found:
        package = bought.package
        state = package.state_at(now).value.replace("_", " ")
        for quota in package.balances:
            table.add_row(str(package.package_id), bought.product, f"{quota.meter}:{quota.number_class or 'any'}",
                          f"{quota.remaining}/{quota.granted}", _utc(package.effective_from_ms, zone=False),
                          _utc(package.expires_at_ms, zone=False), state)
    console.print(table if found else f"tenant {tenant!r} has no packages")
