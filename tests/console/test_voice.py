"""The voice-files console in Chromium: a tenant uploads a PCM WAV made with sox and sees the conversion, a bad
name is refused next to its field, an operator approves (API), the file shows approved and its player plays."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

from playwright.async_api import Page, expect

from browser import Account, screenshot, sign_in, tenant_app_of
from mgmt import MgmtClient
from number_setup import sql
from servers import Server, new_numbers, new_users


def _operator(server: Server, account: Account) -> MgmtClient:
    client = MgmtClient(server.base)
    assert client.login(account.login, account.password).status_code == 200
    return client



async def test_upload_see_the_conversion_approve_and_play(page: Page, console_server: Server,
                                                          console_tenant_admin: Account, console_operator: Account,
                                                          tmp_path: Path) -> None:
    await asyncio.to_thread(tenant_app_of, console_server.base, console_tenant_admin, console_operator)
    source = tmp_path / "welcome-source.wav"
    subprocess.run(["sox", "-n", "-r", "16000", "-c", "2", "-b", "16", str(source), "synth", "1.5", "sine", "440"],
                   check=True, capture_output=True)

    await sign_in(page, console_tenant_admin, "/console/login?next=%2Fconsole%2Fvoice-files")
    await expect(page.get_by_test_id("voice-heading")).to_have_text("放音文件管理")
    await expect(page.get_by_test_id("empty-voice-files")).to_be_visible()

    await page.get_by_test_id("field-name").fill("bad name.wav")
    await page.get_by_test_id("field-file").set_input_files(str(source))
    await page.get_by_test_id("upload-submit").click()
    await expect(page.get_by_test_id("error-name")).to_contain_text("只能使用字母、数字")

    await page.get_by_test_id("field-name").fill("welcome.wav")
    await page.get_by_test_id("field-description").fill("欢迎语")
    await page.get_by_test_id("field-file").set_input_files(str(source))
    await page.get_by_test_id("upload-submit").click()
    await expect(page.get_by_test_id("upload-conversion")).to_have_text(
        "WAV 16-bit Signed Integer PCM 16 kHz stereo 1.5 s → A-law 8 kHz mono")
    await expect(page.get_by_test_id("state-welcome.wav").locator(".badge")).to_have_attribute("data-status",
                                                                                              "pending")
    await screenshot(page, "voice-files-uploaded-zh_CN")

    operator = _operator(console_server, console_operator)
    try:
        queue = operator.ok("GET", "/admin/reviews", params={"kind": "voice_file"})
        [review] = [r for r in queue["items"] if r["subject_label"].startswith("welcome.wav")]
        operator.ok("POST", f"/admin/reviews/{review['id']}/approve", json={})
    finally:
        operator.close()

    await page.reload()
    await expect(page.get_by_test_id("state-welcome.wav").locator(".badge")).to_have_attribute("data-status",
                                                                                              "approved")
    duration = await page.get_by_test_id("player-welcome.wav").evaluate(
        "audio => new Promise((resolve, reject) => {"
        " audio.addEventListener('loadedmetadata', () => resolve(audio.duration), {once: true});"
        " audio.addEventListener('error', () => reject(new Error('cannot play: ' + audio.error?.code)), {once: true});"
        " audio.load(); })")
    assert 1.4 < duration < 1.6, duration

    await page.get_by_test_id("filter-state").select_option("rejected")
    await page.get_by_test_id("filter-submit").click()
    await expect(page.get_by_test_id("empty-voice-files")).to_be_visible()
    assert "state=rejected" in page.url
    await page.get_by_test_id("filter-state").select_option("approved")
    await page.get_by_test_id("filter-submit").click()
    await expect(page.get_by_test_id("name-welcome.wav")).to_be_visible()


async def test_delete_asks_first_and_shows_why_a_named_file_stays(page: Page, console_server: Server,
                                                                 console_tenant_admin: Account,
                                                                 console_operator: Account, tmp_path: Path) -> None:
    made = await asyncio.to_thread(tenant_app_of, console_server.base, console_tenant_admin, console_operator)
    key, secret, app_id = made.app_key, made.app_secret, made.app_id
    source = tmp_path / "tone.wav"
    subprocess.run(["sox", "-n", "-r", "8000", "-c", "1", "-b", "16", str(source), "synth", "0.5", "sine", "440"],
                   check=True, capture_output=True)
    x = new_numbers(1)
    await asyncio.to_thread(console_server.add_numbers, key, "0755", x)
    await asyncio.to_thread(console_server.cli, "voice", "add", "--app", key, "--name", "named.wav", str(source))
    await asyncio.to_thread(console_server.cli, "voice", "add", "--app", key, "--name", "spare.wav", str(source))
    a, b = new_users(2)
    bound = await asyncio.to_thread(console_server.client(key, secret).axb_bind, relationNum=x[0], callerNum=a,
                                    calleeNum=b, recordHintTone="named.wav")
    assert bound.ok, bound

    await sign_in(page, console_tenant_admin, "/console/login?next=%2Fconsole%2Fvoice-files%3Flang%3Den")
    page.on("dialog", lambda dialog: asyncio.ensure_future(dialog.accept()))
    await page.get_by_test_id("delete-named.wav").click()
    await expect(page.get_by_test_id("voice-refusal")).to_contain_text(bound.body["subscriptionId"])
    await expect(page.get_by_test_id("voice-refusal")).to_contain_text("recordHintTone")
    await expect(page.get_by_test_id("name-named.wav")).to_be_visible()
    await page.get_by_test_id("delete-spare.wav").click()
    await expect(page.get_by_test_id("voice-notice")).to_have_text("The voice file was deleted.")
    await expect(page.get_by_test_id("name-spare.wav")).to_have_count(0)
    rows = await asyncio.to_thread(sql, console_server, "SELECT name FROM voice_files WHERE app_id = :app", app=app_id)
    assert rows == [("named.wav",)]
