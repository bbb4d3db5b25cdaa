"""Access in the console: the operators' tenants (a new tenant with its first account admin, the invitation link
shown once), a tenant's users (invite, role and status per row), the invitation page (no session: the invitee
chooses a password) and everyone's API tokens (the secret shown once, revoke)."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import Response

from privnum.domain.access import TENANT_ROLES, Actor, Permission, Role
from privnum.domain.management_errors import ManagementError, NotFound
from privnum.entrypoints.api.deps import runtime_of
from privnum.entrypoints.console import labels
from privnum.entrypoints.console.form_refusals import FormErrors, sentence
from privnum.entrypoints.console.i18n import N_
from privnum.entrypoints.console.paging import Page
from privnum.entrypoints.console.rendering import redirect_with_notice, render
from privnum.entrypoints.console.session import LOGIN, Forbidden, requires
from privnum.entrypoints.mgmt.principal import management_of
from privnum.service.access.ports import ApiToken, User
from privnum.service.paging import PageRequest

router = APIRouter()
TenantManager = Annotated[Actor, Depends(requires(Permission.MANAGE_TENANTS))]
Reader = Annotated[Actor, Depends(requires(Permission.READ))]
UserManager = Annotated[Actor, Depends(requires(Permission.MANAGE_USERS))]
TokenManager = Annotated[Actor, Depends(requires(Permission.MANAGE_TOKENS))]

INVITE_PREFIX = "/console/invite"
INVITE_CSRF_COOKIE = "privnum_invite_csrf"
MAX_FIELD = 256
DEFAULT_TOKEN_DAYS = 90
ROLE_ORDER = tuple(role for role in Role if role in TENANT_ROLES)

labels.STATUS_LABELS.setdefault("invited", N_("Invited"))
labels.STATUS_TONES.setdefault("invited", "warn")
labels.STATUS_LABELS.setdefault("revoked", N_("Revoked"))
labels.STATUS_TONES.setdefault("revoked", "muted")

# What a refusal of these pages says next to its field, by its code
SENTENCES: dict[str, str] = {
    "invalid_login": N_("A login is 3 to 64 letters, digits or . _ @ -, starting with a letter or digit."),
    "weak_password": N_("Choose a password of at least 10 characters, varied, without spaces at either end."),
    "tenant_exists": N_("A tenant of this name exists already."),
    "login_taken": N_("This login is taken; choose another."),
    "invalid_name": N_("Enter a name of 1 to 64 characters."),
    "invalid_role": N_("Choose one of the roles."),
    "invalid_expiry": N_("A token is valid 1 to 366 days."),
    "own_account": N_("You cannot change your own role or status."),
    "invited": N_("An invited user becomes active by accepting the invitation."),
}


def _sentence(error: ManagementError) -> str:
    return SENTENCES.get(error.code) or sentence(error)


def _errors(error: ManagementError, known: frozenset[str]) -> FormErrors:
    if error.field and error.field in known:
        return FormErrors({error.field: _sentence(error)})
    return FormErrors(alert=_sentence(error))


def _when(ms: int | None) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d %H:%M UTC") if ms else ""


def _field(form: Any, name: str) -> str:
    return str(form.get(name, "") or "")[:MAX_FIELD]


def invitation_url(request: Request, token: str) -> str:
    """The full address of an invitation, from the request's base URL."""
    return f"{str(request.base_url).rstrip('/')}{INVITE_PREFIX}/{token}"


def _is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _refused_on_form(error: ManagementError) -> bool:
    return error.kind.value in ("invalid", "conflict")


# operators: tenants

TENANT_FIELDS = frozenset({"name", "admin_login", "admin_password"})


async def _tenants_page(request: Request, actor: Actor, *, values: dict[str, str] | None = None,
                        errors: FormErrors | None = None, created: dict[str, Any] | None = None,
                        status: int = 200) -> Response:
    users = management_of(request).users
    page = Page.of(request, (await users.tenants(actor, PageRequest(1, 1))).total)
    found = (await users.tenants(actor, PageRequest(page.number, page.size))).items
    rows = [{"id": t.id, "name": t.name, "status": t.status, "created": _when(t.created_at_ms)} for t in found]
    return render(request, "access/tenants.html", {"rows": rows, "page": page, "values": values or {},
                                                   "errors": errors or FormErrors(), "created": created},
                  status=status)


@router.get("/admin/tenants")
async def tenant_list(request: Request, actor: TenantManager) -> Response:
    return await _tenants_page(request, actor)


@router.post("/admin/tenants")
async def tenant_create(request: Request, actor: TenantManager) -> Response:
    form = await request.form()
    values = {name: _field(form, name) for name in ("name", "admin_login")}
    password = _field(form, "admin_password")
    try:
        tenant, admin, invitation = await management_of(request).users.create_tenant(
            actor, values["name"], values["admin_login"].strip(), password or None)
    except ManagementError as refused:
        if not _refused_on_form(refused):
            raise
        if refused.field == "password":
            errors = FormErrors({"admin_password": _sentence(refused)})
        elif refused.field == "login":
            errors = FormErrors({"admin_login": _sentence(refused)})
        else:
            errors = _errors(refused, TENANT_FIELDS)
        return await _tenants_page(request, actor, values=values, errors=errors, status=422)
    created = {"name": tenant.name, "login": admin.login,
               "link": invitation_url(request, invitation.token) if invitation else None}
    return await _tenants_page(request, actor, created=created, status=201)


# a tenant's users

USER_FIELDS = frozenset({"login", "role", "display_name"})


def _user_row(user: User, actor: Actor, error: str | None = None) -> dict[str, Any]:
    return {"u": user, "own": user.id == actor.user_id, "last": _when(user.last_login_at_ms), "error": error}


def _tenant_only(actor: Actor) -> None:
    if actor.is_operator:
        raise Forbidden("the users page is a tenant's")


async def _users_page(request: Request, actor: Actor, *, values: dict[str, str] | None = None,
                      errors: FormErrors | None = None, invited: dict[str, Any] | None = None,
                      status: int = 200) -> Response:
    users = management_of(request).users
    page = Page.of(request, (await users.list(actor, PageRequest(1, 1))).total)
    found = (await users.list(actor, PageRequest(page.number, page.size))).items
    return render(request, "access/users.html", {
        "rows": [_user_row(u, actor) for u in found], "page": page, "values": values or {"role": "developer"},
        "errors": errors or FormErrors(), "invited": invited, "roles": ROLE_ORDER,
        "may_manage": actor.can(Permission.MANAGE_USERS)}, status=status)


@router.get("/users")
async def user_list(request: Request, actor: Reader) -> Response:
    _tenant_only(actor)
    return await _users_page(request, actor)


@router.post("/users")
async def user_invite(request: Request, actor: UserManager) -> Response:
    _tenant_only(actor)
    form = await request.form()
    values = {name: _field(form, name) for name in USER_FIELDS}
    try:
        user, invitation = await management_of(request).users.invite(
            actor, values["login"].strip(), values["role"], display_name=values["display_name"])
    except ManagementError as refused:
        if not _refused_on_form(refused):
            raise
        return await _users_page(request, actor, values=values, errors=_errors(refused, USER_FIELDS), status=422)
    invited = {"login": user.login, "role": user.role.value,
               "link": invitation_url(request, invitation.token) if invitation else None}
    return await _users_page(request, actor, invited=invited, status=201)


async def _change_row(request: Request, actor: Actor, user_id: int, **change: str) -> Response:
    """The row again (htmx swaps it in place): the change made, or the refusal in the row."""
    _tenant_only(actor)
    users = management_of(request).users
    error = None
    try:
        user = await users.change(actor, user_id, **change)
    except ManagementError as refused:
        if not _refused_on_form(refused):
            raise
        error = _sentence(refused)
        user = await users.change(actor, user_id)
    if error is None and not _is_htmx(request):  # a plain form post (no JavaScript): back to the page
        return redirect_with_notice("/console/users", N_("Changes saved."))
    return render(request, "access/_user_row.html", {"row": _user_row(user, actor, error), "roles": ROLE_ORDER,
                                                     "may_manage": True}, status=422 if error else 200)


@router.post("/users/{user_id}/role")
async def user_role(request: Request, user_id: int, actor: UserManager) -> Response:
    return await _change_row(request, actor, user_id, role=_field(await request.form(), "role"))


@router.post("/users/{user_id}/status")
async def user_status(request: Request, user_id: int, actor: UserManager) -> Response:
    return await _change_row(request, actor, user_id, status=_field(await request.form(), "status"))


# the invitation: no session yet, so a double-submit token like the login form's

def _invite_page(request: Request, token: str, user: User, status: int = 200,
                 errors: dict[str, str] | None = None, alert: str | None = None) -> Response:
    csrf = request.cookies.get(INVITE_CSRF_COOKIE) or secrets.token_urlsafe(24)
    response = render(request, "access/invite.html", {"token": token, "invited": user, "invite_csrf": csrf,
                                                      "errors": errors or {}, "alert": alert}, status=status)
    response.set_cookie(INVITE_CSRF_COOKIE, csrf, path=INVITE_PREFIX, httponly=True, samesite="strict",
                        secure=runtime_of(request).settings.cookies_secure)
    return response


def _invitation_gone(request: Request) -> Response:
    return render(request, "access/invite_gone.html", status=404)


@router.get("/invite/{token}")
async def invite_form(request: Request, token: str) -> Response:
    try:
        user = await management_of(request).users.invitation(token[:MAX_FIELD])
    except NotFound:
        return _invitation_gone(request)
    return _invite_page(request, token, user)


@router.post("/invite/{token}")
async def invite_accept(request: Request, token: str) -> Response:
    users = management_of(request).users
    try:
        user = await users.invitation(token[:MAX_FIELD])
    except NotFound:
        return _invitation_gone(request)
    form = await request.form()
    expected = request.cookies.get(INVITE_CSRF_COOKIE, "")
    if not expected or not secrets.compare_digest(_field(form, "_csrf").encode(), expected.encode()):
        return _invite_page(request, token, user, 403, alert=N_("This form has expired. Please try again."))
    password, again = _field(form, "password"), _field(form, "password_again")
    if not password:
        return _invite_page(request, token, user, 422, {"password": N_("Enter your password.")})
    if password != again:
        return _invite_page(request, token, user, 422, {"password_again": N_("The two passwords differ.")})
    try:
        await users.accept_invitation(token, password)
    except NotFound:
        return _invitation_gone(request)
    except ManagementError as refused:
        if not _refused_on_form(refused):
            raise
        return _invite_page(request, token, user, 422, {"password": _sentence(refused)})
    response = redirect_with_notice(LOGIN, N_("Your password is set. Sign in with it."))
    response.delete_cookie(INVITE_CSRF_COOKIE, path=INVITE_PREFIX)
    return response


# my API tokens

TOKEN_FIELDS = frozenset({"name", "days"})


def _token_row(token: ApiToken, now: datetime, error: str | None = None) -> dict[str, Any]:
    expired = token.expires_at_ms <= now.timestamp() * 1000
    state = "revoked" if token.revoked_at_ms else "expired" if expired else "active"
    return {"t": token, "state": state, "expires": _when(token.expires_at_ms), "last": _when(token.last_used_at_ms),
            "revoked": _when(token.revoked_at_ms), "scopes": len(token.scopes), "error": error}


async def _tokens_page(request: Request, actor: Actor, *, values: dict[str, str] | None = None,
                       errors: FormErrors | None = None, issued: dict[str, Any] | None = None,
                       status: int = 200) -> Response:
    now = datetime.now(UTC)
    tokens = await management_of(request).sign_in.tokens(actor)
    return render(request, "access/tokens.html", {
        "rows": [_token_row(t, now) for t in tokens], "values": values or {"days": str(DEFAULT_TOKEN_DAYS)},
        "errors": errors or FormErrors(), "issued": issued}, status=status)


@router.get("/tokens")
async def token_list(request: Request, actor: TokenManager) -> Response:
    return await _tokens_page(request, actor)


@router.post("/tokens")
async def token_create(request: Request, actor: TokenManager) -> Response:
    form = await request.form()
    values = {name: _field(form, name) for name in TOKEN_FIELDS}
    try:
        days = int(values["days"])
    except ValueError:
        return await _tokens_page(request, actor, values=values,
                                  errors=FormErrors({"days": N_("Enter a whole number.")}), status=422)
    try:
        issued = await management_of(request).sign_in.issue_token(actor, values["name"], None, days)
    except ManagementError as refused:
        if not _refused_on_form(refused):
            raise
        return await _tokens_page(request, actor, values=values, errors=_errors(refused, TOKEN_FIELDS), status=422)
    return await _tokens_page(request, actor, issued={"name": issued.token.name, "secret": issued.secret},
                              status=201)


@router.post("/tokens/{token_id}/revoke")
async def token_revoke(request: Request, token_id: int, actor: TokenManager) -> Response:
    sign_in = management_of(request).sign_in
    await sign_in.revoke_token(actor, token_id)
    token = next((t for t in await sign_in.tokens(actor) if t.id == token_id), None)
    if token is None or not _is_htmx(request):  # a plain form post (no JavaScript): back to the page
        return redirect_with_notice("/console/tokens", N_("Token revoked."))
    return render(request, "access/_token_row.html", {"row": _token_row(token, datetime.now(UTC))})
