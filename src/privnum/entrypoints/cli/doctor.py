"""``privnum doctor``: check this node's deployment and say what to fix; exit 1 when a check fails."""

from __future__ import annotations

import asyncio
import json

import typer
from rich.markup import escape

from privnum.bootstrap import diagnose
from privnum.domain.health_checks import Verdict, exit_code
from privnum.entrypoints.cli.common import console, fail, settings

_MARKS = {Verdict.OK: "[green]ok  [/]", Verdict.WARN: "[yellow]warn[/]", Verdict.FAIL: "[red]fail[/]"}


def doctor(as_json: bool = typer.Option(False, "--json", help="A JSON list of {name, verdict, detail, fix}.")) -> None:
    """Check the database (reachable, migrated, its clock), Redis, the SIP port, Kannel and every app's push URLs
    with this node's configuration (PRIVNUM_*), and say what to fix. Changes nothing."""
    try:
        chosen = settings()
    except ValueError as error:
        raise fail(str(error)) from None
    results = asyncio.run(diagnose(chosen))
    if as_json:
        print(json.dumps([{"name": r.name, "verdict": r.verdict.value, "detail": r.detail, "fix": r.fix}
                          for r in results], indent=1, ensure_ascii=False))
    else:
        for r in results:
            console.print(f"{_MARKS[r.verdict]} [bold]{escape(r.name)}[/]: {escape(r.detail)}", soft_wrap=True)
            if r.fix:
                console.print(f"      → {escape(r.fix)}", soft_wrap=True)
        failed = sum(r.verdict is Verdict.FAIL for r in results)
        warned = sum(r.verdict is Verdict.WARN for r in results)
        console.print(f"{len(results)} checks: {failed} failed, {warned} warnings" if failed or warned
                      else f"{len(results)} checks: all ok")
    raise typer.Exit(exit_code(results))
