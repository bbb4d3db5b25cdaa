"""``privnum call simulate``: place a sandbox call on a running server and watch its events live."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Any

import typer
from rich.console import Console

from privnum.config import Settings

call_cli = typer.Typer(help="Calls: simulate one through the sandbox driver.", no_args_is_help=True)
console = Console()


def http_json(method: str, url: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


@call_cli.command("simulate")
def simulate(
    caller: str = typer.Argument(..., help="Real number calling, e.g. +8613900000001."),
    called: str = typer.Argument(..., help="Privacy number dialled (X, or Y in AXYB)."),
    digits: str = typer.Option(None, "--digits", help="AXE extension keyed in after X."),
    outcome: str = typer.Option("answer", help="answer | no_answer | busy | reject"),
    answer_after: int = typer.Option(500, help="ms from forwarding until the callee answers."),
    talk: int = typer.Option(1000, help="ms the parties talk."),
    hang_up_by: str = typer.Option("caller", help="caller | callee"),
    reject_status: int = typer.Option(603, help="SIP status for --outcome reject."),
    give_up_after: int = typer.Option(None, help="ms after which the caller hangs up (e.g. while ringing)."),
    base_url: str = typer.Option(None, help="Server (default from PRIVNUM_HOST/PRIVNUM_PORT)."),
    wait: float = typer.Option(120.0, help="Seconds to wait for the call to end."),
) -> None:
    """Place a simulated call and print its event trace until the call is released."""
    base = (base_url or Settings.from_env().base_url).rstrip("/")
    body: dict[str, Any] = {
        "caller": caller, "called": called, "extension_digits": digits, "caller_hangs_up_after_ms": give_up_after,
        "callee": {"outcome": outcome, "answer_after_ms": answer_after, "talk_ms": talk, "hang_up_by": hang_up_by,
                   "reject_sip_status": reject_status},
    }
    try:
        status, answer = http_json("POST", f"{base}/sandbox/v1/calls", body)
    except urllib.error.URLError as error:
        console.print(f"[red]cannot reach {base}: {error.reason}[/red] (is `privnum serve` running?)")
        raise typer.Exit(1) from None
    if status != 201:
        console.print(f"[red]call refused ({status}):[/red] {answer}")
        raise typer.Exit(1)
    session_id = answer["session_id"]
    console.print(f"session [bold]{session_id}[/bold]")
    shown = 0
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        _, trace = http_json("GET", f"{base}/sandbox/v1/calls/{session_id}")
        events = trace.get("events", []) if isinstance(trace, dict) else []
        for event in events[shown:]:
            stamp = time.strftime("%H:%M:%S", time.gmtime(event["at_ms"] / 1000))
            code = f"  stateCode {event['state_code']}" if event["event"] == "disconnect" else ""
            console.print(f"{stamp}.{event['at_ms'] % 1000:03d}  {event['event']:<12} {event['state']}{code}")
        shown = len(events)
        if isinstance(trace, dict) and trace.get("released") and any(e["event"] == "disconnect" for e in events):
            return
        time.sleep(0.1)
    console.print("[yellow]the call was still running when --wait ran out[/yellow]")
    raise typer.Exit(2)
