"""``privnum db``: the database schema."""

from __future__ import annotations

import typer

from privnum.bootstrap import migrate
from privnum.entrypoints.cli.common import console, settings

db_cli = typer.Typer(help="Database schema.", no_args_is_help=True)


@db_cli.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration."""
    migrate(settings())
    console.print("database is up to date")
