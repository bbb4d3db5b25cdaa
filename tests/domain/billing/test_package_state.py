"""What the package views show, without I/O: a package's state around its hour-aligned window, the share of a
quota used (rounded down: never 100 % while a unit is left), and who may buy one."""

from __future__ import annotations

from privnum.domain.access import ROLE_PERMISSIONS, Permission, Role
from privnum.domain.billing.packages import PackageProduct, PackageState, Quota, QuotaBalance, bought, used_percent

HOUR_MS = 3_600_000


def test_a_package_is_not_yet_then_in_force_then_expired() -> None:
    product = PackageProduct(1, "p", 38_000_000, (Quota("call.forwarded", None, 500),), validity_months=1)
    package = bought(product, 7, 10 * HOUR_MS + 180_000)  # 10:03 → in force from 11:00
    start, end = package.effective_from_ms, package.expires_at_ms
    assert start == 11 * HOUR_MS
    assert [package.state_at(t) for t in (start - 1, start, end - 1, end)] == [
        PackageState.NOT_YET, PackageState.IN_FORCE, PackageState.IN_FORCE, PackageState.EXPIRED]


def test_used_percent_rounds_down() -> None:
    used = (0, 2, 799, 800, 999, 1000)
    assert [used_percent(QuotaBalance("sms.forwarded", "virtual", 1000, n)) for n in used] == [0, 0, 79, 80, 99, 100]


def test_account_admins_billing_users_and_platform_admins_buy_packages() -> None:
    buyers = {role for role, granted in ROLE_PERMISSIONS.items() if Permission.BUY_PACKAGES in granted}
    assert buyers == {Role.PLATFORM_ADMIN, Role.ACCOUNT_ADMIN, Role.BILLING}
