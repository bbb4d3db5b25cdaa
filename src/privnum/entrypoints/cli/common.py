"""What every operator command shares: the consoles, and running one action on the operator's use cases."""

from __future__ import annotations

import asyncio
import getpass
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from privnum.bootstrap import OperatorRuntime, build_operator
from privnum.config import Settings
from privnum.domain.access import Actor
from privnum.domain.operator_errors import OperatorError

T = TypeVar("T")

console = Console()
err = Console(stderr=True)


def settings() -> Settings:
    return Settings.from_env()


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print ``error: message`` on stderr; the caller raises the returned Exit."""
    err.print("[red]error:[/red]", escape(message), soft_wrap=True)
    return typer.Exit(code)


def run_operator(work: Callable[[OperatorRuntime], Awaitable[T]]) -> T:
    """Migrate, open the database, run ``work(operator)``, dispose; an operator error exits 1 with its sentence."""

    async def run() -> T:
        async with build_operator(settings()) as operator:
            return await work(operator)

    try:
        return asyncio.run(run())
    except OperatorError as error:
        raise fail(str(error)) from None


def cli_actor() -> Actor:
    """Whoever runs the CLI on the server: a platform admin, audited under their system login."""
    try:
        login = getpass.getuser()
    except (KeyError, OSError):
        login = "cli"
    return Actor.cli(f"cli:{login}")


def read_password_file(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as handle:
            password = handle.read().strip()
    except OSError as error:
        raise fail(f"cannot read the password file {path}: {error.strerror}") from None
    if not password:
        raise fail(f"the password file {path} is empty")
    return password
