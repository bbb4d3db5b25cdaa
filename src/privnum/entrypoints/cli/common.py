"""What every operator command shares: the consoles, and running one action on the operator's use cases."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from privnum.bootstrap import OperatorRuntime, build_operator
from privnum.config import Settings
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
