"""The records area of the console: call records (masked, reveal for allowed roles, filters with errors next to
the field), one call drilled down, push records with replay, statistics with its SVG chart, the audit log;
and in Chromium the main journey: a sandbox call, then Records → the call → its events, pushes with attempts
and the recording player."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from browser import Account, screenshot, sign_in
from call_lab import CallLab
from mgmt import ADMIN_LOGIN, ADMIN_PASSWORD, TENANT_PASSWORD, MgmtClient, Tenant
from rec_lab import RecLab, TenantApp, sql
from receiver import Receiver
from servers import Server, new_users


@dataclass
class Recorded:
    lab: RecLab
    tenant: Tenant
    app: TenantApp
    session: str
    a: str


@pytest.fixture(scope="module")
def recorded(console_server: Server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Recorded]:
    """A tenant whose recorded AXB call (answered, with pushes to a stand-in customer server) has ended."""
    receiver = Receiver(Path(tmp_path_factory.mktemp("console-rec-receiver")))
    operator = MgmtClient(console_server.base)
    assert operator.login(ADMIN_LOGIN, ADMIN_PASSWORD).status_code == 200
    lab = RecLab(CallLab(console_server, receiver), operator)
    tenant = lab.tenant()
    app = lab.tenant_app(tenant, "AXB", 1, "0755", recording_enabled=True)
    a, b = new_users(2)
    assert app.app.client.axb_bind(relationNum=app.app.pool[0], callerNum=a, calleeNum=b, recordFlag="true").ok
    session = lab.calls.call(a, app.app.pool[0], talk_ms=1200)
    lab.calls.finished(app.app, session)
    yield Recorded(lab, tenant, app, session, a)
    tenant.admin.close()
    operator.close()
    receiver.stop()


def console_get(client: MgmtClient, path: str) -> str:
    response = client.http.get(path)
    assert response.status_code == 200, (path, response.status_code, response.text[:500])
    return response.text


def test_records_page_masks_numbers_and_reveals_for_the_admin(recorded: Recorded) -> None:
    admin = recorded.tenant.admin
    page = console_get(admin, "/console/records?lang=en")
    assert 'data-testid="table-records"' in page and recorded.session.replace("@", "%40") in page
    assert recorded.a not in page and recorded.a[:6] + "****" + recorded.a[-4:] in page
    assert 'data-testid="export-csv"' in page and 'data-testid="reveal"' in page
    revealed = console_get(admin, "/console/records?reveal=1&lang=en")
    assert recorded.a in revealed
    assert admin.ok("GET", "/audit-events?action=cdr.reveal")["items"][0]["actor_login"] == admin.me["login"]


def test_a_viewer_gets_no_reveal(recorded: Recorded) -> None:
    viewer = recorded.lab.member(recorded.tenant, "viewer")
    page = console_get(viewer, "/console/records?reveal=1&lang=en")
    assert recorded.a not in page and 'data-testid="reveal"' not in page
    viewer.close()


def test_overview_card_counts_todays_calls(recorded: Recorded) -> None:
    page = console_get(recorded.tenant.admin, "/console?lang=en")
    assert 'data-testid="records-card"' in page and "Today's calls" in page.replace("&#39;", "'")
    assert '<dd data-testid="card-calls"><a href="/console/records">1</a></dd>' in page


def test_bad_filters_show_the_error_next_to_the_field(recorded: Recorded) -> None:
    response = recorded.tenant.admin.http.get("/console/records?from=2020-01-01&to=2026-01-01&lang=en")
    assert response.status_code == 422 and 'data-testid="error-from"' in response.text
    assert "at most 183 days" in response.text
    empty = console_get(recorded.tenant.admin, "/console/records?from=2020-01-01&to=2020-01-02&lang=en")
    assert 'data-testid="empty-records"' in empty and "Widen the dates" in empty


def test_push_records_and_replay_from_the_console(recorded: Recorded) -> None:
    admin = recorded.tenant.admin
    page = console_get(admin, "/console/pushes?lang=en")
    assert 'data-testid="table-pushes"' in page
    push = admin.ok("GET", "/pushes?kind=cdr")["items"][0]
    sql(recorded.lab.server, "UPDATE pushes SET state = 'dead' WHERE id = :id", id=push["id"])  # test shortcut
    dead = console_get(admin, "/console/pushes?dead=1&lang=en")
    assert f'data-testid="replay-{push["id"]}"' in dead
    htmx = {"HX-Request": "true", "X-CSRF-Token": admin.csrf}
    answer = admin.http.post(f"/console/pushes/{push['id']}/replay?lang=en", headers=htmx)
    assert answer.status_code == 200 and "Sent again from the first attempt." in answer.text
    assert 'data-testid="replay-result"' in answer.text
    again = admin.http.post(f"/console/pushes/{push['id']}/replay?lang=en", headers=htmx)
    assert "only dead-lettered pushes are replayed" in again.text
    plain = admin.http.post(f"/console/pushes/{push['id']}/replay?lang=en", data={"_csrf": admin.csrf})
    assert plain.status_code == 409  # without htmx: the 409 page with the refusal's sentence
    sql(recorded.lab.server, "UPDATE pushes SET state = 'dead' WHERE id = :id", id=push["id"])
    redirected = admin.http.post(f"/console/pushes/{push['id']}/replay", data={"_csrf": admin.csrf})
    assert redirected.status_code == 303 and redirected.headers["location"] == "/console/pushes"


def test_statistics_page_draws_the_bars(recorded: Recorded) -> None:
    page = console_get(recorded.tenant.admin, "/console/statistics?lang=en")
    assert 'data-testid="stats-chart"' in page and "<svg" in page and page.count('data-testid="bar"') >= 1
    assert 'data-testid="table-stats"' in page
    wrong = recorded.tenant.admin.http.get("/console/statistics?from=2020-01-01&lang=en")
    assert wrong.status_code == 422 and 'data-testid="error-from"' in wrong.text


def test_audit_page_shows_changes_with_filters(recorded: Recorded) -> None:
    page = console_get(recorded.tenant.admin, "/console/audit?action=push.replay&lang=en")
    assert 'data-testid="audit-action"' in page and "push.replay" in page and "<del>" in page
    other = recorded.lab.tenant()
    assert 'data-testid="audit-action"' not in console_get(other.admin, "/console/audit?action=push.&lang=en")
    assert other.admin.http.get(f"/console/records/{recorded.session}?lang=en").status_code == 404
    other.admin.close()


async def test_journey_from_records_to_a_call_with_events_pushes_and_recording(page: Page,
                                                                               recorded: Recorded) -> None:
    await sign_in(page, Account(recorded.tenant.admin_login, TENANT_PASSWORD))
    await page.goto("/console/records?lang=en")
    await expect(page.get_by_test_id("table-records")).to_be_visible()
    await expect(page.get_by_test_id("caller").first).to_have_text(recorded.a[:6] + "****" + recorded.a[-4:])
    await screenshot(page, "records-en")
    await page.get_by_test_id("open-call").first.click()
    await expect(page.get_by_test_id("page-title")).to_have_text("Call details")
    for event in ("callin", "callout", "alerting", "answer", "disconnect"):
        await expect(page.get_by_test_id(f"event-{event}")).to_be_visible()
    await expect(page.get_by_test_id("binding-state")).to_have_text("Bound")
    await expect(page.get_by_test_id("push-fee")).to_be_visible()
    await page.get_by_test_id("push-callin").locator("summary").click()
    await expect(page.get_by_test_id("push-callin").get_by_test_id("attempt").first).to_be_visible()
    player = page.get_by_test_id("recording-player")
    await expect(player).to_have_attribute("src", f"/mgmt/v1/cdrs/{recorded.session}/recording")
    audio = await page.request.get(f"/mgmt/v1/cdrs/{recorded.session}/recording")
    assert audio.status == 200 and (await audio.body())[:4] == b"RIFF"
    await screenshot(page, "call-details-en")
    await page.goto("/console/statistics?lang=zh_CN")
    await expect(page.get_by_test_id("page-title")).to_have_text("业务统计")
    await expect(page.get_by_test_id("bar").first).to_be_visible()
    await screenshot(page, "statistics-zh_CN")
    await page.goto("/console/records?lang=zh_CN")
    await expect(page.get_by_test_id("page-title")).to_have_text("业务详单")
