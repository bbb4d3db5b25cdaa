"""``privnum app``: create, update and list apps."""

from __future__ import annotations

import ipaddress
import json

import typer
from rich.table import Table

from privnum.domain.apps import EXTENSION_LENGTHS, AppStatus, CallbackUrls
from privnum.domain.modes import Mode
from privnum.entrypoints.cli.common import cli_actor, console, fail, run_operator
from privnum.service.management.ports import AppChanges

app_cli = typer.Typer(help="Apps: create, update, list.", no_args_is_help=True)

DEFAULT_ENTERPRISE = "default"


def _checked_ips(entries: list[str] | None) -> list[str] | None:
    for entry in entries or []:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise typer.BadParameter(f"{entry!r} is not an IP address or CIDR range", param_hint="--allow-ip") from None
    return entries


def _enterprise(enterprise: str | None, account: str | None) -> str:
    """``--enterprise``, or its old name ``--account`` (hidden, kept for scripts)."""
    if enterprise is not None and account is not None and enterprise != account:
        raise typer.BadParameter("give --enterprise only (--account is its old name)", param_hint="--account")
    return enterprise or account or DEFAULT_ENTERPRISE


@app_cli.command("create")
def app_create(
    name: str = typer.Option(..., help="App name."),
    mode: Mode = typer.Option(..., case_sensitive=False, help="Business mode, fixed for the app's life."),
    enterprise: str = typer.Option(None, "--enterprise", show_default=False,
                                   help="Owning enterprise (default 'default'; created on first use with a quota of "
                                        "5 apps, which `privnum enterprise set-quota` raises)."),
    account: str = typer.Option(None, "--account", hidden=True, help="Old name of --enterprise."),
    callback_url: str = typer.Option(None, help="Call-status URL (call events)."),
    cdr_url: str = typer.Option(None, help="CDR URL."),
    sms_url: str = typer.Option(None, help="SMS notification URL."),
    sms_control_url: str = typer.Option(None, help="SMS control URL (Block-mode SMS events; the SMS URL if unset)."),
    number_status_url: str = typer.Option(None, help="X-number status URL."),
    push_number_status: bool = typer.Option(False, help="Push X-number status changes."),
    recording: bool = typer.Option(False, "--recording/--no-recording", help="Allow call recording."),
    sms: bool = typer.Option(False, "--sms/--no-sms", help="Allow SMS through X."),
    sms_content: bool = typer.Option(False, "--sms-content/--no-sms-content",
                                     help="SMS notifications carry the text."),
    allow_ip: list[str] = typer.Option([], "--allow-ip", help="IP allowed to call the API (repeat); none = any."),
    extension_length: int = typer.Option(4, help="AXE extension length, 1-4 digits (fixed)."),
    as_json: bool = typer.Option(False, "--json", help="Print {app_key, app_secret} as JSON."),
) -> None:
    """Create an app; its APP_Secret is shown this once."""
    if extension_length not in EXTENSION_LENGTHS:
        raise fail("--extension-length must be 1, 2, 3 or 4", code=2)
    owner = _enterprise(enterprise, account)
    callbacks = CallbackUrls(call_status=callback_url, cdr=cdr_url, sms=sms_url, sms_control=sms_control_url,
                             number_status=number_status_url, push_number_status=push_number_status)
    allowed = _checked_ips(allow_ip) or []
    created = run_operator(lambda op: op.apps.create(cli_actor(),
        enterprise=owner, name=name, mode=mode, callbacks=callbacks, recording=recording, sms=sms,
        sms_content=sms_content, ip_allowlist=allowed, extension_length=extension_length))
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
    sms_control_url: str = typer.Option(None, help='SMS control URL ("" removes it).'),
    number_status_url: str = typer.Option(None, help="X-number status URL."),
    push_number_status: bool = typer.Option(None, "--push-number-status/--no-push-number-status"),
    recording: bool = typer.Option(None, "--recording/--no-recording"),
    sms: bool = typer.Option(None, "--sms/--no-sms"),
    sms_content: bool = typer.Option(None, "--sms-content/--no-sms-content",
                                     help="SMS notifications carry the text."),
    allow_ip: list[str] = typer.Option(None, "--allow-ip", help="Replace the IP allow-list (repeat)."),
    clear_allow_ip: bool = typer.Option(False, "--clear-allow-ip", help="Empty the IP allow-list."),
    suspend: bool = typer.Option(None, "--suspend/--resume", help="Suspend or resume the app."),
) -> None:
    """Change an app's URLs and switches (mode, name and extension length are fixed)."""
    allowlist: tuple[str, ...] | None = None
    if allow_ip:
        allowlist = tuple(_checked_ips(allow_ip) or ())
    if clear_allow_ip:
        allowlist = ()
    changes = AppChanges(
        call_status_url=callback_url, cdr_url=cdr_url, sms_url=sms_url, sms_control_url=sms_control_url,
        number_status_url=number_status_url, push_number_status=push_number_status, recording_enabled=recording,
        sms_enabled=sms, sms_content=sms_content, ip_allowlist=allowlist,
        status=None if suspend is None else AppStatus.SUSPENDED if suspend else AppStatus.ACTIVE)
    updated = run_operator(lambda op: op.apps.update(cli_actor(), app_key, changes))
    console.print(f"app {updated.name!r} updated ({updated.status.value})")


@app_cli.command("list")
def app_list() -> None:
    """List apps (without secrets)."""
    found = run_operator(lambda op: op.apps.list(cli_actor()))
    table = Table("APP_Key", "name", "mode", "status", "recording", "callback URL")
    for a in found:
        table.add_row(a.app_key, a.name, a.mode.value, a.status.value, str(a.recording_enabled),
                      a.callbacks.call_status or "")
    console.print(table)
