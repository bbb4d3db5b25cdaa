"""``privnum enterprise``: the enterprises that own apps, and how many apps each may have."""

from __future__ import annotations

import typer
from rich.table import Table

from privnum.domain.enterprises import DEFAULT_APP_QUOTA, MAX_APP_QUOTA
from privnum.entrypoints.cli.common import cli_actor, console, run_operator

enterprise_cli = typer.Typer(help="Enterprises: create, list, set the app quota.", no_args_is_help=True)


@enterprise_cli.command("create")
def enterprise_create(
    name: str = typer.Argument(..., help="Enterprise name (Huawei's spId in CDRs)."),
    app_quota: int = typer.Option(DEFAULT_APP_QUOTA, min=0, max=MAX_APP_QUOTA, help="How many apps it may have."),
) -> None:
    """Create an enterprise (``app create --enterprise`` also creates one on first use, with the default quota)."""
    created = run_operator(lambda op: op.enterprises.create(cli_actor(), name, app_quota))
    console.print(f"enterprise {created.name!r} created (app quota {created.app_quota})")


@enterprise_cli.command("list")
def enterprise_list() -> None:
    """List enterprises with their app count and quota."""
    found = run_operator(lambda op: op.enterprises.list(cli_actor()))
    table = Table("enterprise", "apps", "app quota")
    for e in found:
        table.add_row(e.name, str(e.app_count), str(e.app_quota))
    console.print(table)


@enterprise_cli.command("set-quota")
def enterprise_set_quota(
    name: str = typer.Argument(..., help="Enterprise name."),
    app_quota: int = typer.Argument(..., min=0, max=MAX_APP_QUOTA, metavar="N", help="How many apps it may have."),
) -> None:
    """Raise (or lower, never below its app count) how many apps an enterprise may have."""
    changed = run_operator(lambda op: op.enterprises.set_app_quota(cli_actor(), name, app_quota))
    console.print(f"enterprise {changed.name!r} may have {changed.app_quota} apps ({changed.app_count} now)")
