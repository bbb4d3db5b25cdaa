"""``privnum numbers``: the pool of X numbers: add, import into stock, list, set state (each change audited), and
the headroom report."""

from __future__ import annotations

import json
import re
from pathlib import Path

import typer
from rich import box
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from privnum.domain.areas import normalize_area_code
from privnum.domain.number_inventory import MAX_IMPORT_BYTES
from privnum.domain.phone_numbers import is_global_number
from privnum.domain.pool_headroom import Headroom
from privnum.domain.private_numbers import NumberState
from privnum.entrypoints.cli.common import cli_actor, console, fail, run_operator

numbers_cli = typer.Typer(help="The number pool: add, import into stock, list, set state.", no_args_is_help=True)

_RANGE = re.compile(r"(\+\d+)-(\+?\d+)")


def _expand(items: list[str]) -> list[str]:
    """Numbers, or ranges written FIRST-LAST (e.g. +8617000000001-+8617000000100)."""
    out: list[str] = []
    for item in items:
        match = _RANGE.fullmatch(item)
        if match:
            first, last = match.group(1), match.group(2).lstrip("+")
            start, end = int(first[1:]), int(last)
            if end < start or end - start > 100_000 or len(last) != len(first) - 1:
                raise typer.BadParameter(f"{item}: a range is FIRST-LAST of equal length, at most 100000 numbers")
            out.extend(f"+{n}" for n in range(start, end + 1))
        elif is_global_number(item):
            out.append(item)
        else:
            raise typer.BadParameter(f"{item} is not a global number such as +8617000000001")
    return out


@numbers_cli.command("add")
def numbers_add(
    numbers: list[str] = typer.Argument(..., help="Numbers in global format, or ranges FIRST-LAST."),
    app: str = typer.Option(..., "--app", help="APP_Key of the owning app."),
    area_code: str = typer.Option(..., help="City code, e.g. 0755 or 755."),
    province: str = typer.Option(None, help="Province id (derived from the area code when omitted)."),
    sms: bool = typer.Option(True, "--sms/--no-sms", help="Numbers can carry SMS."),
    count: int = typer.Option(1, min=1, max=100_000, help="Add COUNT consecutive numbers from each NUMBER."),
) -> None:
    """Add X numbers to an app's pool: each NUMBER, a range FIRST-LAST, or COUNT numbers from NUMBER."""
    code = normalize_area_code(area_code)
    if code is None:
        raise typer.BadParameter(f"{area_code!r} is not a city code such as 0755", param_hint="--area-code")
    expanded = _expand(numbers)
    if count > 1:
        expanded = [f"+{int(n[1:]) + i}" for n in expanded for i in range(count)]
    added = run_operator(lambda op: op.numbers.add(app, code, expanded, province, sms, actor=cli_actor()))
    console.print(f"added {added} numbers in area {code}")


@numbers_cli.command("list")
def numbers_list(app: str = typer.Option(None, "--app", help="Only this app's numbers.")) -> None:
    """List numbers with their status and load."""
    found = run_operator(lambda op: op.numbers.list(app))
    table = Table("number", "area", "province", "status", "bindings")
    for n in found:
        table.add_row(n.number, n.area_code, n.province or "", n.status, str(n.load))
    console.print(table)


@numbers_cli.command("set-state")
def numbers_set_state(number: str, state: NumberState = typer.Argument(..., case_sensitive=False)) -> None:
    """Freeze, blacklist, make unavailable or make available again one number."""
    run_operator(lambda op: op.numbers.set_state(number, state, actor=cli_actor()))
    console.print(f"{number} is now {state.value}")


@numbers_cli.command("import")
def numbers_import(file: Path = typer.Argument(..., help="CSV: number,area_code,city,type[,province][,sms]")) -> None:
    """Import numbers into stock (no app yet) from a CSV: every line, or none when one is wrong."""
    try:
        size = file.stat().st_size
        if size > MAX_IMPORT_BYTES:
            raise fail(f"{file} has {size} bytes; an inventory file has at most {MAX_IMPORT_BYTES // 2**20} MB")
        with Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=console,
                      transient=True) as progress:
            reading = progress.add_task(f"reading {file.name}", total=size or 1)
            chunks: list[bytes] = []
            with file.open("rb") as handle:
                while chunk := handle.read(256 * 1024):
                    chunks.append(chunk)
                    progress.advance(reading, len(chunk))
            progress.add_task("checking and importing (all or nothing)", total=None)
            data = b"".join(chunks)
            imported = run_operator(lambda op: op.inventory.import_csv(cli_actor(), data, file.name))
    except OSError as error:
        raise fail(f"cannot read {file}: {error.strerror}") from None
    console.print(f"imported {imported} numbers into stock")


def _hours(h: Headroom) -> str:
    hours = h.hours_to_exhaustion
    return "never" if hours is None else f"{hours:.1f}"


def _headroom_json(h: Headroom) -> dict[str, object]:
    return {"app_key": h.app_key, "app_name": h.app_name, "mode": h.mode.value, "area_code": h.area_code,
            "numbers": h.numbers, "open_numbers": h.open_numbers, "bindings": h.bindings,
            "free_capacity": h.free_capacity, "per_party": h.per_party, "binds_last_hour": h.binds_last_hour,
            "unbinds_last_hour": h.unbinds_last_hour, "net_per_hour": h.net_per_hour,
            "hours_to_exhaustion": h.hours_to_exhaustion}


@numbers_cli.command("headroom")
def numbers_headroom(
    app: str = typer.Option(None, "--app", help="Only this app (APP_Key)."),
    area_code: str = typer.Option(None, "--area", help="Only this city code, e.g. 0755."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per app and area, in a list."),
) -> None:
    """Per app and area: numbers, free capacity under the limits, binds in the last hour, hours to exhaustion."""
    code = None
    if area_code is not None:
        code = normalize_area_code(area_code)
        if code is None:
            raise typer.BadParameter(f"{area_code!r} is not a city code such as 0755", param_hint="--area")
    report = run_operator(lambda op: op.headroom.report(app, code))
    if as_json:
        print(json.dumps([_headroom_json(h) for h in report], indent=1))
        return
    table = Table("app", "area", "open/all", "bound", "free", "per A", "binds/h", "net/h", "hours left",
                  box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True,
                  title="pool headroom (net rate: the last hour's binds - unbinds)")
    for h in report:
        table.add_row(f"{h.app_name} {h.mode.value}", h.area_code, f"{h.open_numbers}/{h.numbers}", str(h.bindings),
                      str(h.free_capacity), str(h.per_party), str(h.binds_last_hour), str(h.net_per_hour), _hours(h))
    console.print(table)
    if not report:
        console.print("no numbers in any app" if app is None and code is None else "no numbers match")
