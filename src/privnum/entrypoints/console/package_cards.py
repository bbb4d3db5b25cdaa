"""The account page's packages (billing.md R-9, R-10, R-14): a card per package with the units left of each quota
(a ``<progress>`` bar: the CSP allows no inline style) and, for whoever may buy, a form listing the catalogue. What a
refused purchase says, by its code, in the reader's language."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from typing import Any

from starlette.requests import Request

from privnum.domain.access import Actor, Permission
from privnum.domain.billing.money import to_decimal_string
from privnum.domain.management_errors import ManagementError
from privnum.entrypoints.console.form_refusals import sentence
from privnum.entrypoints.console.i18n import N_
from privnum.entrypoints.mgmt.package_views import tenant_packages_view
from privnum.entrypoints.mgmt.principal import management_of

STATES = {"not_yet": (N_("Not yet in force"), "info"), "in_force": (N_("In force"), "ok"),
          "expired": (N_("Expired"), "muted")}
CLASS_LABELS = {"virtual": N_("virtual numbers"), "carrier": N_("carrier numbers")}
SENTENCES = {"insufficient_funds": N_("The balance and credit limit do not cover this package. Top up first."),
             "no_number": N_("A package needs at least one number assigned to the tenant's apps."),
             "in_arrears": N_("The account is in arrears: settle the debt before buying a package."),
             "currency_mismatch": N_("This package is sold in another currency than the account's."),
             "unknown_product": N_("Choose a package from the list."),
             "reference_used": N_("The form is out of date. Reload the page and try again."),
             "invalid_reference": N_("The form is out of date. Reload the page and try again.")}


def refusal_sentence(refused: ManagementError) -> str:
    return SENTENCES.get(refused.code) or sentence(refused)


def _local(at_ms: int, zone: tzinfo) -> str:
    return datetime.fromtimestamp(at_ms / 1000, UTC).astimezone(zone).strftime("%Y-%m-%d %H:%M")


def _what(meter: str, number_class: str | None, meter_labels: dict[str, str]) -> dict[str, str | None]:
    return {"meter": meter_labels.get(meter, meter), "class": CLASS_LABELS.get(number_class or "")}


async def packages_context(request: Request, actor: Actor, tenant_id: int, meter_labels: dict[str, str],
                           zone: tzinfo) -> dict[str, Any]:
    """What the account page's packages card and buy form show (the catalogue only to whoever may buy)."""
    desk = management_of(request).billing.package_desk
    shown = tenant_packages_view(await desk.of_tenant(actor, tenant_id))
    packages = [{"id": p.package_id, "product": p.product, "state": STATES[p.state][0], "tone": STATES[p.state][1],
                 "from": _local(p.effective_from_ms, zone), "until": _local(p.expires_at_ms, zone),
                 "quotas": [{**_what(q.meter, q.number_class, meter_labels), "left": q.left, "granted": q.granted,
                             "used_percent": q.used_percent} for q in p.quotas]} for p in shown.packages]
    may_buy = actor.can(Permission.BUY_PACKAGES)
    products = [{"name": p.name, "price": to_decimal_string(p.price_micros), "currency": p.currency,
                 "months": p.validity_months,
                 "quotas": [{**_what(q.meter, q.number_class, meter_labels), "units": q.units} for q in p.quotas]}
                for p in (await desk.products(actor) if may_buy else [])]
    return {"packages": packages, "products": products, "may_buy": may_buy}
