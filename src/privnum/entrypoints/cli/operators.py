"""``privnum operator`` and ``privnum tenant``: the people of the management plane, from the server's shell.

``privnum operator create`` bootstraps the first operator (the console and the management API need one to
sign in); tenants are created with their first account admin, who then invites the rest of their staff."""

from __future__ import annotations

import typer
from rich.table import Table

from privnum.domain.access import OPERATOR_ROLES, Role
from privnum.entrypoints.cli.common import cli_actor, console, read_password_file, run_operator
from privnum.service.paging import PageRequest

operator_cli = typer.Typer(help="Operators: create (the first one too), list.", no_args_is_help=True)
tenant_cli = typer.Typer(help="Tenants (customer accounts): create with their first admin, list.",
                         no_args_is_help=True)


@operator_cli.command("create")
def operator_create(
    login: str = typer.Option(..., "--login", help="The operator's login."),
    password_file: str = typer.Option(..., "--password-file", help="A file holding the password (one line)."),
    role: str = typer.Option(Role.PLATFORM_ADMIN.value, help="platform_admin, reviewer or support."),
) -> None:
    """Create an operator who signs in to the console at /console and the management API at /mgmt/v1."""
    if role not in {r.value for r in OPERATOR_ROLES}:
        raise typer.BadParameter("platform_admin, reviewer or support", param_hint="--role")
    password = read_password_file(password_file)
    created = run_operator(lambda op: op.users.create_operator(cli_actor(), login, password, Role(role)))
    console.print(f"operator {created.login!r} created ({created.role.value}); sign in at /console/login")


@operator_cli.command("list")
def operator_list() -> None:
    found = run_operator(lambda op: op.users.list(cli_actor(), PageRequest(1, 200), operators=True))
    table = Table("login", "role", "status")
    for user in found.items:
        table.add_row(user.login, user.role.value, user.status)
    console.print(table)


@tenant_cli.command("create")
def tenant_create(
    name: str = typer.Argument(..., help="The tenant's name (the customer)."),
    admin: str = typer.Option(..., "--admin", help="Login of its first account admin."),
    password_file: str = typer.Option(None, "--password-file",
                                      help="The admin's password; without it the admin gets an invitation link."),
) -> None:
    """Create a tenant and its first account admin (who invites the rest of the tenant's staff)."""
    password = read_password_file(password_file) if password_file else None
    tenant, user, invitation = run_operator(lambda op: op.users.create_tenant(cli_actor(), name, admin, password))
    console.print(f"tenant {tenant.name!r} created (id {tenant.id}) with account admin {user.login!r}")
    if invitation is not None:
        console.print(f"invitation (shown once): /console/invite/{invitation.token}")


@tenant_cli.command("list")
def tenant_list() -> None:
    found = run_operator(lambda op: op.users.tenants(cli_actor(), PageRequest(1, 200)))
    table = Table("id", "tenant", "status")
    for tenant in found.items:
        table.add_row(str(tenant.id), tenant.name, tenant.status)
    console.print(table)
