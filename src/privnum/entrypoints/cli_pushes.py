"""``privnum pushes``: look at the push outbox and replay dead-lettered pushes."""

from __future__ import annotations

import asyncio
import json
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from privnum.adapters.db.database import open_database
from privnum.adapters.db.migrate import upgrade
from privnum.adapters.db.outbox_store import OutboxStore
from privnum.config import Settings
from privnum.service.clock import now_ms

pushes_cli = typer.Typer(help="Pushes to customers' servers: list, replay dead-lettered ones.", no_args_is_help=True)
console = Console()
err = Console(stderr=True)


def _with_outbox(work: Any) -> Any:
    """Migrate, then run ``work(outbox)`` on a fresh engine."""
    settings = Settings.from_env()
    upgrade(settings.database_url)

    async def run() -> Any:
        db = open_database(settings.database_url)
        try:
            return await work(OutboxStore(db))
        finally:
            await db.dispose()

    return asyncio.run(run())


def _when(ms: int | None) -> str:
    if ms is None:
        return ""
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S")


@pushes_cli.command("list")
def pushes_list(dead: bool = typer.Option(False, "--dead", help="Only dead-lettered pushes."),
                app: str = typer.Option(None, "--app", help="Only this app's pushes (APP_Key)."),
                limit: int = typer.Option(100, help="At most this many, newest first."),
                as_json: bool = typer.Option(False, "--json", help="Print a JSON array.")) -> None:
    """List pushes, newest first, with their state and attempts."""
    rows = _with_outbox(lambda outbox: outbox.list_pushes(dead_only=dead, app_key=app, limit=limit))
    now = now_ms()
    if as_json:
        print(json.dumps([{**asdict(r), "state": r.shown_state(now)} for r in rows]))
        return
    table = Table("id", "push id", "app", "kind", "state", "attempts", "next attempt", "created", "last error",
                  "url")
    for r in rows:
        state = r.shown_state(now)
        table.add_row(str(r.id), r.push_id, r.app_key or "", r.kind, state, str(r.attempts),
                      _when(r.next_attempt_at_ms) if state == "pending" else "", _when(r.created_at_ms),
                      r.last_error or "", r.url)
    console.print(table)


@pushes_cli.command("replay")
def pushes_replay(push: str = typer.Argument(..., metavar="PUSH_ROW_ID", help="Row id or push id of a dead push.")
                  ) -> None:
    """Send a dead-lettered push again from the start of the retry ladder, with the same push id."""
    row_id, problem = _with_outbox(lambda outbox: outbox.replay(push, now_ms()))
    if problem:
        err.print(f"[red]error:[/red] {problem}")
        raise typer.Exit(1)
    console.print(f"push {row_id} is pending again")
