"""``privnum numbers``: the pool of X numbers: add, list, set state."""

from __future__ import annotations

import re

import typer
from rich.table import Table

from privnum.domain.areas import normalize_area_code
from privnum.domain.phone_numbers import is_global_number
from privnum.domain.private_numbers import NumberState
from privnum.entrypoints.cli.common import console, run_operator

numbers_cli = typer.Typer(help="The number pool: add, list, set state.", no_args_is_help=True)

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
    added = run_operator(lambda op: op.numbers.add(app, code, expanded, province, sms))
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
    run_operator(lambda op: op.numbers.set_state(number, state))
    console.print(f"{number} is now {state.value}")
