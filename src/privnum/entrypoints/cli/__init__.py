"""The ``privnum`` command: serve the API, manage enterprises, apps and the number pool, look at pushes, keep
voice files, migrate the database. One audience per module; every operator action goes through ``bootstrap``."""

from __future__ import annotations

import typer

from privnum.entrypoints.cli.api import api
from privnum.entrypoints.cli.apps import app_cli
from privnum.entrypoints.cli.billing import billing_cli
from privnum.entrypoints.cli.calls import call_cli
from privnum.entrypoints.cli.db import db_cli
from privnum.entrypoints.cli.doctor import doctor
from privnum.entrypoints.cli.enterprises import enterprise_cli
from privnum.entrypoints.cli.numbers import numbers_cli
from privnum.entrypoints.cli.operators import operator_cli, tenant_cli
from privnum.entrypoints.cli.pushes import pushes_cli
from privnum.entrypoints.cli.serve import serve
from privnum.entrypoints.cli.sms import sms_cli
from privnum.entrypoints.cli.voice import voice_cli

cli = typer.Typer(help="privnum: a self-hostable privacy-number platform (Huawei PrivateNumber-compatible).",
                  no_args_is_help=True, pretty_exceptions_enable=False)
cli.command()(serve)
cli.add_typer(enterprise_cli, name="enterprise")
cli.add_typer(app_cli, name="app")
cli.add_typer(numbers_cli, name="numbers")
cli.add_typer(db_cli, name="db")
cli.add_typer(pushes_cli, name="pushes", help="Pushes: list (dead letters too), show one with its attempts, replay.")
cli.add_typer(call_cli, name="call", help="Calls: simulate one through the sandbox driver.")
cli.add_typer(sms_cli, name="sms", help="Privacy SMS: simulate one through the sandbox.")
cli.add_typer(voice_cli, name="voice")
cli.add_typer(operator_cli, name="operator")
cli.add_typer(tenant_cli, name="tenant")
cli.add_typer(billing_cli, name="billing")
cli.command("api")(api)
cli.command("doctor")(doctor)


def main() -> None:
    cli()
