"""``privnum sms simulate``: hand a text to a running server's sandbox and show what became of it."""

from __future__ import annotations

import time

import typer
from rich.console import Console
from rich.table import Table

from privnum.config import Settings
from privnum.entrypoints.cli.calls import http_json

sms_cli = typer.Typer(help="Privacy SMS: simulate one through the sandbox.", no_args_is_help=True)
console = Console()
SETTLED = ("sent", "done")


@sms_cli.command("simulate")
def simulate(
    sender: str = typer.Argument(..., help="Real number sending, e.g. +8613900000001."),
    x: str = typer.Argument(..., help="Privacy number it is sent to (X, or a Y in AXYB)."),
    text: str = typer.Argument(..., help='The text; in AX mode end it with "@<number>" to address it.'),
    server: str = typer.Option(None, help="Base URL of the running server (default: from PRIVNUM_HOST/PORT)."),
    wait: float = typer.Option(15.0, help="Seconds to wait for the message to settle."),
) -> None:
    """Send one SMS through the sandbox and print its trace once it is settled (or when --wait runs out)."""
    base = (server or Settings.from_env().base_url).rstrip("/")
    try:
        status, answer = http_json("POST", f"{base}/sandbox/v1/sms", {"from": sender, "to": x, "text": text})
    except OSError as error:
        console.print(f"[red]Cannot reach {base}:[/] {error}. Start it with [bold]privnum serve[/] or pass --server.")
        raise typer.Exit(1) from None
    if status != 201:
        console.print(f"[red]Refused ({status}):[/] {answer}")
        raise typer.Exit(1)
    message_id = answer["message_id"]
    console.print(f"message [bold]{message_id}[/] recorded")
    trace: dict = {}
    deadline = time.monotonic() + wait
    with console.status("relaying…"):
        while time.monotonic() < deadline:
            _, trace = http_json("GET", f"{base}/sandbox/v1/sms/{message_id}")
            if trace.get("state") in SETTLED:
                break
            time.sleep(0.1)
    table = Table(show_header=False, box=None)
    for key in ("state", "send_result", "result", "mode", "subscription_id", "notification_mode", "receiver",
                "from_number", "forwarded_text", "segments", "direction", "last_error"):
        if trace.get(key) is not None:
            table.add_row(key, str(trace[key]))
    console.print(table)
    for d in trace.get("delivered", []):
        console.print(f"[green]carrier delivered[/] {d['from']} → {d['to']}: {d['text']}")
    if trace.get("state") not in SETTLED:
        console.print(f"[yellow]not settled after {wait:g} s[/] (Block mode waits for the customer's answer)")
        raise typer.Exit(2)
