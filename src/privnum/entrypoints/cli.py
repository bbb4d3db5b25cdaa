"""The ``privnum`` command: serve the API, manage apps and the number pool, migrate the database."""

from __future__ import annotations

import asyncio
import ipaddress
import json
import re
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from privnum.adapters.db.app_store import AppStore, OperatorError
from privnum.adapters.db.database import open_database
from privnum.adapters.db.migrate import upgrade
from privnum.config import Settings
from privnum.domain.apps import EXTENSION_LENGTHS, CallbackUrls
from privnum.domain.areas import normalize_area_code
from privnum.domain.modes import Mode
from privnum.domain.phone_numbers import is_global_number
from privnum.domain.private_numbers import NumberState
from privnum.entrypoints.cli_api import api
from privnum.entrypoints.cli_calls import call_cli
from privnum.entrypoints.cli_pushes import pushes_cli

T = TypeVar("T")

cli = typer.Typer(help="privnum: a self-hostable privacy-number platform (Huawei PrivateNumber-compatible).",
                  no_args_is_help=True, pretty_exceptions_enable=False)
app_cli = typer.Typer(help="Apps: create, update, list.", no_args_is_help=True)
numbers_cli = typer.Typer(help="The number pool: add, list, set state.", no_args_is_help=True)
db_cli = typer.Typer(help="Database schema.", no_args_is_help=True)
cli.add_typer(app_cli, name="app")
cli.add_typer(numbers_cli, name="numbers")
cli.add_typer(db_cli, name="db")
cli.add_typer(pushes_cli, name="pushes", help="Pushes: list (dead letters too), replay.")
cli.add_typer(call_cli, name="call", help="Calls: simulate one through the sandbox driver.")
cli.command("api")(api)
console = Console()
err = Console(stderr=True)


def _settings() -> Settings:
    return Settings.from_env()


def _with_store(work: Any) -> Any:
    """Migrate, then run ``work(store)`` on a fresh engine; operator errors exit 1 with their sentence."""
    settings = _settings()
    upgrade(settings.database_url)

    async def run() -> Any:
        db = open_database(settings.database_url)
        try:
            return await work(AppStore(db))
        finally:
            await db.dispose()

    try:
        return asyncio.run(run())
    except OperatorError as error:
        err.print(f"[red]error:[/red] {error}")
        raise typer.Exit(1) from None


@cli.command()
def serve(host: str = typer.Option(None, help="Address to listen on (default 127.0.0.1)."),
          port: int = typer.Option(None, help="Port (default 8080)."),
          workers: int = typer.Option(1, help="Worker processes."),
          time_scale: float = typer.Option(None, help="Multiply push-retry delays (0.001: a minute is 60 ms)."),
          sandbox: bool = typer.Option(None, "--sandbox/--no-sandbox", help="Serve the sandbox telephony API."),
          log_level: str = typer.Option("warning", help="uvicorn log level.")) -> None:
    """Migrate the database, then serve the API (and deliver pushes, sweep expiries)."""
    import os

    import uvicorn

    if time_scale is not None:
        if time_scale <= 0:
            raise typer.BadParameter("must be greater than 0", param_hint="--time-scale")
        os.environ["PRIVNUM_TIME_SCALE"] = str(time_scale)
    if sandbox is not None:
        os.environ["PRIVNUM_SANDBOX"] = "1" if sandbox else "0"
    settings = Settings.from_env(host=host, port=port)
    os.environ["PRIVNUM_HOST"], os.environ["PRIVNUM_PORT"] = settings.host, str(settings.port)
    upgrade(settings.database_url)
    console.print(f"privnum serving on http://{settings.host}:{settings.port} (database {settings.database_url})")
    uvicorn.run("privnum.entrypoints.api.asgi:app", host=settings.host, port=settings.port, workers=workers,
                loop="uvloop", http="httptools", log_level=log_level, access_log=False)


@db_cli.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration."""
    upgrade(_settings().database_url)
    console.print("database is up to date")


def _checked_ips(entries: list[str] | None) -> list[str] | None:
    for entry in entries or []:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise typer.BadParameter(f"{entry!r} is not an IP address or CIDR range", param_hint="--allow-ip") from None
    return entries


def _callbacks(callback_url: str | None, cdr_url: str | None, sms_url: str | None, number_status_url: str | None,
               push_number_status: bool) -> CallbackUrls:
    return CallbackUrls(call_status=callback_url, cdr=cdr_url, sms=sms_url, number_status=number_status_url,
                        push_number_status=push_number_status)


@app_cli.command("create")
def app_create(
    name: str = typer.Option(..., help="App name."),
    mode: Mode = typer.Option(..., case_sensitive=False, help="Business mode, fixed for the app's life."),
    account: str = typer.Option("default", help="Owning account (created on first use; at most 5 apps each)."),
    callback_url: str = typer.Option(None, help="Call-status URL (call events)."),
    cdr_url: str = typer.Option(None, help="CDR URL."),
    sms_url: str = typer.Option(None, help="SMS notification URL."),
    number_status_url: str = typer.Option(None, help="X-number status URL."),
    push_number_status: bool = typer.Option(False, help="Push X-number status changes."),
    recording: bool = typer.Option(False, "--recording/--no-recording", help="Allow call recording."),
    sms: bool = typer.Option(False, "--sms/--no-sms", help="Allow SMS through X."),
    allow_ip: list[str] = typer.Option([], "--allow-ip", help="IP allowed to call the API (repeat); none = any."),
    extension_length: int = typer.Option(4, help="AXE extension length, 1-4 digits (fixed)."),
    as_json: bool = typer.Option(False, "--json", help="Print {app_key, app_secret} as JSON."),
) -> None:
    """Create an app; its APP_Secret is shown this once."""
    if extension_length not in EXTENSION_LENGTHS:
        err.print("[red]error:[/red] --extension-length must be 1, 2, 3 or 4")
        raise typer.Exit(2)
    created = _with_store(lambda store: store.create_app(
        account=account, name=name, mode=mode,
        callbacks=_callbacks(callback_url, cdr_url, sms_url, number_status_url, push_number_status),
        recording=recording, sms=sms, ip_allowlist=_checked_ips(allow_ip) or [], extension_length=extension_length))
    if as_json:
        print(json.dumps({"app_key": created.app_key, "app_secret": created.app_secret, "mode": created.mode.value}))
        return
    console.print(f"app {created.name!r} ({created.mode.value})")
    console.print(f"  APP_Key:    {created.app_key}")
    console.print(f"  APP_Secret: {created.app_secret}   (shown once: keep it now)")


@app_cli.command("update")
def app_update(
    app_key: str = typer.Argument(..., help="APP_Key of the app."),
    callback_url: str = typer.Option(None, help="Call-status URL."),
    cdr_url: str = typer.Option(None, help="CDR URL."),
    sms_url: str = typer.Option(None, help="SMS notification URL."),
    number_status_url: str = typer.Option(None, help="X-number status URL."),
    push_number_status: bool = typer.Option(None, "--push-number-status/--no-push-number-status"),
    recording: bool = typer.Option(None, "--recording/--no-recording"),
    sms: bool = typer.Option(None, "--sms/--no-sms"),
    allow_ip: list[str] = typer.Option(None, "--allow-ip", help="Replace the IP allow-list (repeat)."),
    clear_allow_ip: bool = typer.Option(False, "--clear-allow-ip", help="Empty the IP allow-list."),
    suspend: bool = typer.Option(None, "--suspend/--resume", help="Suspend or resume the app."),
) -> None:
    """Change an app's URLs and switches (mode, name and extension length are fixed)."""
    changes: dict[str, Any] = {k: v for k, v in {
        "call_status_url": callback_url, "cdr_url": cdr_url, "sms_url": sms_url,
        "number_status_url": number_status_url, "push_number_status": push_number_status,
        "recording_enabled": recording, "sms_enabled": sms,
    }.items() if v is not None}
    if allow_ip:
        changes["ip_allowlist"] = _checked_ips(allow_ip)
    if clear_allow_ip:
        changes["ip_allowlist"] = []
    if suspend is not None:
        changes["status"] = "suspended" if suspend else "active"
    updated = _with_store(lambda store: store.update_app(app_key, **changes))
    console.print(f"app {updated.name!r} updated ({updated.status.value})")


@app_cli.command("list")
def app_list() -> None:
    """List apps (without secrets)."""
    found = _with_store(lambda store: store.list_apps())
    table = Table("APP_Key", "name", "mode", "status", "recording", "callback URL")
    for a in found:
        table.add_row(a.app_key, a.name, a.mode.value, a.status.value, str(a.recording_enabled),
                      a.callbacks.call_status or "")
    console.print(table)


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
    added = _with_store(lambda store: store.add_numbers(app, code, expanded, province, sms))
    console.print(f"added {added} numbers in area {code}")


@numbers_cli.command("list")
def numbers_list(app: str = typer.Option(None, "--app", help="Only this app's numbers.")) -> None:
    """List numbers with their status and load."""
    found = _with_store(lambda store: store.list_numbers(app))
    table = Table("number", "area", "province", "status", "bindings")
    for n in found:
        table.add_row(n.number, n.area_code, n.province or "", n.status, str(n.load))
    console.print(table)


@numbers_cli.command("set-state")
def numbers_set_state(number: str, state: NumberState = typer.Argument(..., case_sensitive=False)) -> None:
    """Freeze, blacklist, make unavailable or make available again one number."""
    _with_store(lambda store: store.set_number_state(number, state))
    console.print(f"{number} is now {state.value}")


def main() -> None:
    cli()
