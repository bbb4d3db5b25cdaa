"""SMS records (短信详单) in the console: texts relayed through the sandbox carrier listed with real numbers
masked, revealed for the admin (audited), never for a viewer, filtered by result with errors next to the field;
the tabs between call and SMS records; statistics show the texts sent; and in Chromium, from the call records
to the SMS records tab, in Chinese."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Page, expect

from browser import Account, screenshot, sign_in
from call_lab import CallLab
from mgmt import ADMIN_LOGIN, ADMIN_PASSWORD, TENANT_PASSWORD, MgmtClient, Tenant
from rec_lab import RecLab
from receiver import Receiver
from servers import Server, new_users
from sms_rec_lab import SmsLab


@dataclass
class Texted:
    lab: SmsLab
    tenant: Tenant
    a: str
    b: str
    sent: str
    refused: str


@pytest.fixture(scope="module")
def texted(console_server: Server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Texted]:
    """A tenant whose AXB app with SMS relayed A's text to B and refused a stranger's."""
    receiver = Receiver(Path(tmp_path_factory.mktemp("console-sms-receiver")))
    operator = MgmtClient(console_server.base)
    assert operator.login(ADMIN_LOGIN, ADMIN_PASSWORD).status_code == 200
    http = httpx.Client(base_url=console_server.base, timeout=30)
    lab = SmsLab(RecLab(CallLab(console_server, receiver), operator), http)
    tenant = lab.records.tenant()
    app = lab.records.tenant_app(tenant, "AXB", 1, "0755", sms_enabled=True, sms_url=receiver.base + "/sms")
    x = app.app.pool[0]
    a, b, stranger = new_users(3)
    assert app.app.client.axb_bind(relationNum=x, callerNum=a, calleeNum=b).ok
    sent = lab.send(a, x, "在吗？")["message_id"]
    refused = lab.send(stranger, x, "hello")["message_id"]
    yield Texted(lab, tenant, a, b, sent, refused)
    tenant.admin.close()
    http.close()
    operator.close()
    receiver.stop()


def console_get(client: MgmtClient, path: str) -> str:
    response = client.http.get(path)
    assert response.status_code == 200, (path, response.status_code, response.text[:500])
    return response.text


def test_sms_records_page_masks_numbers_and_reveals_for_the_admin(texted: Texted) -> None:
    admin = texted.tenant.admin
    page = console_get(admin, "/console/records/sms?lang=en")
    assert 'data-testid="table-sms"' in page and page.count('data-testid="send-result"') == 2
    assert texted.a not in page and texted.b not in page and texted.a[:6] + "****" + texted.a[-4:] in page
    assert "0 Sent" in page and "2 Failed: no binding" in page and "在吗" not in page
    assert 'href="/mgmt/v1/records/sms.csv?"' in page and 'data-testid="reveal"' in page
    assert 'aria-current="page" data-testid="tab-sms"' in page and 'href="/console/records/sms"' in page
    revealed = console_get(admin, "/console/records/sms?reveal=1&lang=en")
    assert texted.a in revealed and texted.b in revealed
    assert admin.ok("GET", "/audit-events?action=sms.reveal")["items"][0]["actor_login"] == admin.me["login"]
    assert 'data-testid="tab-calls"' in console_get(admin, "/console/records?lang=en")


def test_a_viewer_gets_no_reveal(texted: Texted) -> None:
    viewer = texted.lab.records.member(texted.tenant, "viewer")
    page = console_get(viewer, "/console/records/sms?reveal=1&lang=en")
    assert texted.a not in page and 'data-testid="reveal"' not in page and 'data-testid="table-sms"' in page
    viewer.close()


def test_result_filter_and_bad_dates(texted: Texted) -> None:
    admin = texted.tenant.admin
    refused = console_get(admin, "/console/records/sms?send_result=2&lang=zh_CN")
    assert refused.count('data-testid="send-result"') == 1 and "发送失败：无绑定关系" in refused
    assert '<option value="2" selected>' in refused and "短信详单" in refused
    wrong = admin.http.get("/console/records/sms?from=2020-01-01&to=2026-01-01&lang=en")
    assert wrong.status_code == 422 and 'data-testid="error-from"' in wrong.text and "at most 183 days" in wrong.text
    bad = admin.http.get("/console/records/sms?send_result=99&lang=en")
    assert bad.status_code == 422 and 'data-testid="error-send_result"' in bad.text
    for query in ("send_result=%C2%B2", "app_id=%C2%B2", "page=%C2%B2"):  # "²" is a digit to str.isdigit
        assert admin.http.get(f"/console/records/sms?{query}&lang=en").status_code in (200, 422), query
    empty = console_get(admin, "/console/records/sms?from=2020-01-01&to=2020-01-02&lang=en")
    assert 'data-testid="empty-sms"' in empty and "send a test text from the sandbox" in empty


def test_another_tenant_sees_no_texts(texted: Texted) -> None:
    other = texted.lab.records.tenant()
    page = console_get(other.admin, "/console/records/sms?lang=en")
    assert 'data-testid="empty-sms"' in page and texted.sent not in page
    other.admin.close()


def test_statistics_page_shows_the_texts_sent(texted: Texted) -> None:
    page = console_get(texted.tenant.admin, "/console/statistics?lang=en")
    assert "SMS segments" in page and '<td class="num">1</td></tr>' in page


async def test_journey_from_call_records_to_the_sms_tab_in_chinese(page: Page, texted: Texted) -> None:
    await sign_in(page, Account(texted.tenant.admin_login, TENANT_PASSWORD))
    await page.goto("/console/records?lang=zh_CN")
    await page.get_by_test_id("tab-sms").click()
    await expect(page.get_by_test_id("page-title")).to_have_text("短信详单")
    await expect(page.get_by_test_id("table-sms")).to_be_visible()
    await expect(page.get_by_test_id("sender").last).to_have_text(texted.a[:6] + "****" + texted.a[-4:])
    await expect(page.get_by_test_id("send-result").last).to_have_text("0 发送成功")
    await page.get_by_test_id("field-send_result").select_option("2")
    await page.get_by_test_id("filter-submit").click()
    await expect(page.get_by_test_id("send-result")).to_have_count(1)
    await expect(page.get_by_test_id("send-result")).to_have_text("2 发送失败：无绑定关系")
    await screenshot(page, "sms-records-zh_CN")
