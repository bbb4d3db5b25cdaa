"""The overview's cards on a running server: an operator sees the review queue's size with a link to it, a
tenant its own submissions waiting and rejected; a tenant never counts another tenant's."""

from __future__ import annotations

import re

from browser import Account
from enterprise_kit import PNG, REQUIRED, profile
from mgmt import TENANT_PASSWORD, MgmtClient, unique


def _page(client: MgmtClient, path: str) -> str:
    response = client.http.get(path)
    assert response.status_code == 200, response.text[:300]
    return response.text


def _pending(page: str) -> int:
    found = re.search(r'data-testid="card-pending">(?:<a href="[^"]+">)?(\d+)', page)
    assert found, page[:500]
    return int(found.group(1))


def test_the_review_card_counts_what_waits(console_url: str, console_operator: Account) -> None:
    operator = MgmtClient(console_url)
    assert operator.login(console_operator.login, console_operator.password).status_code == 200
    before = _pending(_page(operator, "/console?lang=en"))
    login = unique("cards-")
    operator.ok("POST", "/admin/tenants", json={"name": unique("Cards "), "admin_login": login,
                                                "admin_password": TENANT_PASSWORD})
    tenant = MgmtClient(console_url)
    assert tenant.login(login, TENANT_PASSWORD).status_code == 200
    assert _pending(_page(tenant, "/console?lang=en")) == 0
    enterprise = tenant.ok("POST", "/enterprises", json=profile())
    for kind in REQUIRED:
        tenant.ok("POST", f"/enterprises/{enterprise['id']}/files", data={"kind": kind},
                  files={"file": (f"{kind}.png", PNG, "image/png")})
    tenant.ok("POST", f"/enterprises/{enterprise['id']}/submit")
    page = _page(operator, "/console?lang=en")
    assert _pending(page) == before + 1 and 'href="/console/admin/reviews"' in page
    own = _page(tenant, "/console?lang=en")
    assert _pending(own) == 1 and 'data-testid="card-rejected">0' in own
    other = MgmtClient(console_url)
    other_login = unique("cards-")
    operator.ok("POST", "/admin/tenants", json={"name": unique("Cards "), "admin_login": other_login,
                                                "admin_password": TENANT_PASSWORD})
    assert other.login(other_login, TENANT_PASSWORD).status_code == 200
    assert _pending(_page(other, "/console?lang=en")) == 0
    for client in (operator, tenant, other):
        client.close()
