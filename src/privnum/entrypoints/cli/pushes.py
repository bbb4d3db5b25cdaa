"""``privnum pushes``: look at the push outbox and replay dead-lettered pushes."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime

import typer
from rich.table import Table

from privnum.bootstrap import OperatorRuntime
from privnum.entrypoints.cli.common import cli_actor, console, run_operator
from privnum.service.management.records_ports import PushFilter, PushRecord
from privnum.service.paging import MAX_PER_PAGE, PageRequest

pushes_cli = typer.Typer(help="Pushes to customers' servers: list, show one, replay dead-lettered ones.",
                         no_args_is_help=True)


async def _newest(op: OperatorRuntime, where: PushFilter, limit: int) -> list[PushRecord]:
    """Up to ``limit`` pushes, newest first, page by page."""
    found: list[PushRecord] = []
    page = 1
    while len(found) < limit:
        listed = await op.pushes.list(cli_actor(), where, PageRequest(page, MAX_PER_PAGE))
        found += listed.items
        if page >= listed.pages:
            break
        page += 1
    return found[:limit]


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
    rows = [r.row for r in run_operator(lambda op: _newest(op, PushFilter(dead_only=dead, app_key=app), limit))]
    if as_json:
        print(json.dumps([asdict(r) for r in rows]))
        return
    table = Table("id", "push id", "app", "kind", "state", "attempts", "next attempt", "created", "last error",
                  "url")
    for r in rows:
        table.add_row(str(r.id), r.push_id, r.app_key or "", r.kind, r.state, str(r.attempts),
                      _when(r.next_attempt_at_ms) if r.state == "pending" else "", _when(r.created_at_ms),
                      r.last_error or "", r.url)
    console.print(table)


@pushes_cli.command("show")
def pushes_show(push: str = typer.Argument(..., metavar="PUSH", help="Row id or push id."),
                as_json: bool = typer.Option(False, "--json", help="Print one JSON object.")) -> None:
    """One push: its state, the body it carries, and every delivery attempt (when, HTTP status, error)."""
    detail = run_operator(lambda op: op.pushes.show(cli_actor(), push, reveal=True))
    if as_json:
        print(json.dumps({"push": asdict(detail.push.row), "body": detail.body,
                          "attempts": [asdict(a) for a in detail.attempts]}, ensure_ascii=False))
        return
    p = detail.push.row
    console.print(f"push {p.id} ({p.push_id}) {p.kind} to {p.url}: [bold]{p.state}[/bold] after {p.attempts} "
                  f"attempts" + (f", next at {_when(p.next_attempt_at_ms)}" if p.state == "pending" else ""))
    console.print_json(json.dumps(detail.body, ensure_ascii=False))
    table = Table("attempt", "ended", "HTTP", "error", "ms")
    for n, a in enumerate(detail.attempts, 1):
        table.add_row(str(n), _when(a.at_ms), str(a.http_status or "–"), a.error or "", str(a.elapsed_ms))
    console.print(table)


@pushes_cli.command("replay")
def pushes_replay(push: str = typer.Argument(..., metavar="PUSH_ROW_ID", help="Row id or push id of a dead push.")
                  ) -> None:
    """Send a dead-lettered push again from the start of the retry ladder, with the same push id."""
    replayed = run_operator(lambda op: op.pushes.replay(cli_actor(), push))
    console.print(f"push {replayed.row.id} is pending again")
