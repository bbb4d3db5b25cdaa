"""``privnum voice``: voice files (prompts) per app or for the platform: add (convert and keep, approved at once,
audited as the CLI's user), list."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

import typer
from rich.table import Table

from privnum.entrypoints.cli.common import cli_actor, console, run_operator

voice_cli = typer.Typer(help="Voice files (prompts): add one for an app or the platform, list them.",
                        no_args_is_help=True)


@voice_cli.command("add")
def voice_add(
    file: Path = typer.Argument(..., help="Audio file sox can read (WAV, FLAC, Ogg, AIFF...)."),
    name: str = typer.Option(..., "--name", help="The name bindings refer to, e.g. wait_voice1.wav."),
    app: str = typer.Option(None, "--app", help="APP_Key of the owning app; omitted: a platform default."),
) -> None:
    """Convert FILE to 8 kHz mono PCMU and PCMA and keep it as voice file NAME (replacing one of that name)."""
    added = run_operator(lambda op: op.voice_files.add(cli_actor(), app, name, file))
    owner = f"app {app}" if app else "the platform"
    verb = "replaced" if added.replaced else "added"
    console.print(f"{verb} voice file {added.file.name} of {owner} ({added.file.duration_ms / 1000:.1f} s)")


@voice_cli.command("list")
def voice_list(app: str = typer.Option(None, "--app", help="Only this app's files (APP_Key)."),
               as_json: bool = typer.Option(False, "--json", help="Print a JSON array.")) -> None:
    """List voice files: an app's, or every upload and then the prompts shipped with privnum."""
    found = run_operator(lambda op: op.voice.list(app))
    if as_json:
        print(json.dumps([asdict(f) for f in found]))
        return
    table = Table("owner", "name", "state", "seconds", "added")
    for f in found:
        added = (datetime.fromtimestamp(f.created_at_ms / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S")
                 if f.created_at_ms is not None else f"built-in ({f.builtin_language})")
        table.add_row(f.owner or "platform", f.name, f.state, f"{f.duration_ms / 1000:.1f}", added)
    console.print(table)
