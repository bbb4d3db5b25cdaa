"""Roles and permissions, the actor's view of tenants, and the login/password/role rules, without I/O."""

from __future__ import annotations

import pytest

from privnum.domain.access import (
    OPERATOR_ROLES,
    ROLE_PERMISSIONS,
    TENANT_ROLES,
    Actor,
    ActorKind,
    Permission,
    Role,
    check_login,
    check_password,
    check_role,
)
from privnum.domain.management_errors import Forbidden, Invalid


def actor(role: Role, tenant_id: int | None = 7, scopes: frozenset[Permission] | None = None) -> Actor:
    return Actor(ActorKind.USER, "someone", role, user_id=1, tenant_id=tenant_id, token_scopes=scopes)


def test_every_role_has_its_permissions_and_operators_alone_decide_reviews() -> None:
    assert set(ROLE_PERMISSIONS) == set(Role)
    deciders = {role for role, granted in ROLE_PERMISSIONS.items() if Permission.DECIDE_REVIEWS in granted}
    assert deciders == {Role.PLATFORM_ADMIN, Role.REVIEWER}
    assert all(Permission.MANAGE_TENANTS not in ROLE_PERMISSIONS[r] for r in TENANT_ROLES)


def test_viewer_reads_only_and_billing_reads_billing() -> None:
    assert ROLE_PERMISSIONS[Role.VIEWER] == {Permission.READ}
    assert actor(Role.BILLING).can(Permission.READ_BILLING)
    assert not actor(Role.DEVELOPER).can(Permission.ROTATE_SECRETS)
    with pytest.raises(Forbidden, match="developer"):
        actor(Role.DEVELOPER).require(Permission.MANAGE_USERS)


def test_a_token_never_grants_more_than_its_scopes() -> None:
    scoped = actor(Role.ACCOUNT_ADMIN, scopes=frozenset({Permission.READ}))
    assert scoped.can(Permission.READ) and not scoped.can(Permission.MANAGE_APPS)
    beyond_role = actor(Role.VIEWER, scopes=frozenset({Permission.MANAGE_APPS}))
    assert not beyond_role.can(Permission.MANAGE_APPS)


def test_tenant_users_see_only_their_tenant_and_operators_everything() -> None:
    tenant_user = actor(Role.ACCOUNT_ADMIN, tenant_id=7)
    assert tenant_user.sees(7) and not tenant_user.sees(8) and not tenant_user.sees(None)
    assert tenant_user.tenant_scope() == 7
    support = actor(Role.SUPPORT, tenant_id=None)
    assert support.is_operator and support.sees(8) and support.sees(None) and support.tenant_scope() is None


@pytest.mark.parametrize("login", ["ab", "a b", "-abc", "x" * 65, "名字abc", ""])
def test_bad_logins_are_refused(login: str) -> None:
    with pytest.raises(Invalid) as refused:
        check_login(login)
    assert refused.value.field == "login"


@pytest.mark.parametrize("password", ["short", "aaaaaaaaaaaa", " padded-password ", "x" * 257])
def test_weak_passwords_are_refused(password: str) -> None:
    with pytest.raises(Invalid):
        check_password(password)


def test_roles_belong_to_their_side() -> None:
    assert check_role("developer", tenant=True) is Role.DEVELOPER
    with pytest.raises(Invalid):
        check_role("reviewer", tenant=True)
    with pytest.raises(Invalid):
        check_role("account_admin", tenant=False)
    with pytest.raises(Invalid):
        check_role("root", tenant=False)
    assert OPERATOR_ROLES.isdisjoint(TENANT_ROLES)
