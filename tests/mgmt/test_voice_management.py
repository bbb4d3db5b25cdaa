"""Voice files over the management API of a real ``privnum serve``: upload (kept as is, or converted, and the
answer says how), refusals that store nothing (no row, no file), review (approve / reject with its reason),
listening, nudging, deletion refused while a live binding names the file, the shipped defaults, the problems
view, tenant isolation, the audit trail, and sandbox calls: a binding naming a pending file fails with 7507,
once approved the same call plays it."""

from __future__ import annotations

import struct
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from call_lab import CallLab, LabApp
from enterprise_kit import tenant_app
from mgmt import MgmtClient, Tenant, unique
from number_setup import sql
from receiver import Receiver
from servers import Server, new_users

MB2 = 2 * 1024 * 1024


def tone(path: Path, seconds: float = 1.0, *, rate: int = 16000, channels: int = 2, encoding: str | None = None
         ) -> Path:
    """Audio made by sox: a sine of ``seconds`` (its format from ``path``'s extension)."""
    extra = ["-e", encoding] if encoding else ["-b", "16"]
    subprocess.run(["sox", "-n", "-r", str(rate), "-c", str(channels), *extra, str(path), "synth", str(seconds),
                    "sine", "440"], check=True, capture_output=True)
    return path


def upload(client: MgmtClient, app_id: int, name: str, source: Path | bytes, *, description: str = "",
           filename: str | None = None) -> httpx.Response:
    data = source.read_bytes() if isinstance(source, Path) else source
    shown = filename or (source.name if isinstance(source, Path) else "upload.wav")
    return client.post("/voice-files", data={"app_id": str(app_id), "name": name, "description": description},
                       files={"file": (shown, data, "application/octet-stream")})


def stored(server: Server, app_id: int) -> tuple[list[tuple[Any, ...]], list[str]]:
    """The app's voice-file rows and the files under its voice directory (hidden staging ones too)."""
    rows = sql(server, "SELECT name, state FROM voice_files WHERE app_id = :app", app=app_id)
    directory = server.workdir / "privnum-data" / "voice" / str(app_id)
    files = sorted(str(p.relative_to(directory)) for p in directory.rglob("*")) if directory.exists() else []
    return rows, files


def review_of(operator: MgmtClient, file: dict[str, Any]) -> int:
    assert file["review"] is not None, file
    return int(file["review"]["id"])


@dataclass
class Setup:
    server: Server
    operator: MgmtClient
    tenant: Tenant
    app_id: int
    app_key: str
    app_secret: str
    tmp: Path


@pytest.fixture
def voice(mgmt_server: Server, operator: MgmtClient, new_tenant: Any, tmp_path: Path) -> Setup:
    tenant = new_tenant()
    app = tenant_app(tenant.admin, operator)
    return Setup(mgmt_server, operator, tenant, app.app_id, app.app_key, app.app_secret, tmp_path)


def test_a_pcm_wav_is_converted_and_the_answer_shows_the_conversion(voice: Setup) -> None:
    made = upload(voice.tenant.admin, voice.app_id, "wait_voice1.wav", tone(voice.tmp / "hold.wav", 1.5),
                  description="等待音")
    assert made.status_code == 201, made.text
    file = made.json()
    assert (file["name"], file["state"], file["description"], file["app_id"]) == (
        "wait_voice1.wav", "pending", "等待音", voice.app_id)
    assert file["conversion"] == "WAV 16-bit Signed Integer PCM 16 kHz stereo 1.5 s → A-law 8 kHz mono"
    assert file["original_name"] == "hold.wav" and file["duration_ms"] == 1500
    assert file["size_bytes"] == (voice.tmp / "hold.wav").stat().st_size
    assert file["uploaded_by"] == voice.tenant.admin_login and file["tenant_id"] == voice.tenant.id
    assert file["review"]["state"] == "pending" and file["review"]["kind"] == "voice_file"
    assert voice.tenant.admin.ok("GET", f"/voice-files/{file['id']}") == file
    audit = voice.tenant.admin.ok("GET", "/audit-events", params={"subject": f"voice_file:{file['id']}"})
    assert "voice_file.upload" in [e["action"] for e in audit["items"]]


def test_an_alaw_8khz_mono_wav_is_kept_as_is(voice: Setup) -> None:
    source = tone(voice.tmp / "prompt.wav", 0.5, rate=8000, channels=1, encoding="a-law")
    file = upload(voice.tenant.admin, voice.app_id, "prompt.wav", source).json()
    assert file["conversion"] == "WAV 8-bit A-law 8 kHz mono 0.5 s: kept as is"


def test_flac_is_converted_too(voice: Setup) -> None:
    file = upload(voice.tenant.admin, voice.app_id, "flac.wav", tone(voice.tmp / "in.flac", 1.0, rate=44100)).json()
    assert file["conversion"].startswith("FLAC ") and "44.1 kHz stereo 1.0 s → A-law 8 kHz mono" in file["conversion"]


def test_more_than_2_mb_is_refused_and_nothing_is_stored(voice: Setup) -> None:
    refused = upload(voice.tenant.admin, voice.app_id, "big.wav", b"RIFF" + b"\0" * MB2)
    assert refused.status_code == 422
    assert refused.json()["code"] == "file_too_large" and refused.json()["field"] == "file"
    assert "2 MB" in refused.json()["message"]
    declared = upload(voice.tenant.admin, voice.app_id, "bigger.wav", b"\0" * (MB2 + 128 * 1024))
    assert declared.status_code == 422 and declared.json()["code"] == "file_too_large"  # by Content-Length
    assert stored(voice.server, voice.app_id) == ([], [])


def test_what_sox_cannot_read_is_refused_with_what_is_accepted_and_nothing_is_stored(voice: Setup) -> None:
    refused = upload(voice.tenant.admin, voice.app_id, "notes.wav", b"this is not audio\n", filename="notes.wav")
    assert refused.status_code == 422
    body = refused.json()
    assert body["code"] == "format_invalid" and body["field"] == "file"
    assert "notes.wav is not audio sox can read" in body["message"] and "A-law WAV" in body["message"]
    assert stored(voice.server, voice.app_id) == ([], [])


def test_bad_fields_are_refused_with_the_field(voice: Setup) -> None:
    source = tone(voice.tmp / "in.wav", 0.3)
    cases = [("bad name.wav", "", "invalid_name", "name"), (".hidden", "", "invalid_name", "name"),
             ("ok.wav", "x" * 129, "description_too_long", "description")]
    for name, description, code, field in cases:
        refused = upload(voice.tenant.admin, voice.app_id, name, source, description=description)
        assert (refused.status_code, refused.json()["code"], refused.json()["field"]) == (422, code, field)
    no_file = voice.tenant.admin.post("/voice-files", data={"app_id": str(voice.app_id), "name": "a.wav"},
                                      files={"other": ("x", b"x")})
    assert no_file.status_code == 422 and no_file.json()["field"] == "file"
    as_json = voice.tenant.admin.post("/voice-files", json={"app_id": voice.app_id, "name": "a.wav"})
    assert as_json.status_code == 422 and as_json.json()["code"] == "multipart_required"
    assert stored(voice.server, voice.app_id) == ([], [])


def test_a_name_already_used_in_the_app_is_409(voice: Setup) -> None:
    source = tone(voice.tmp / "in.wav", 0.3)
    assert upload(voice.tenant.admin, voice.app_id, "same.wav", source).status_code == 201
    again = upload(voice.tenant.admin, voice.app_id, "same.wav", source)
    assert again.status_code == 409 and again.json()["code"] == "name_taken" and "delete it" in again.json()["message"]
    rows, files = stored(voice.server, voice.app_id)
    assert rows == [("same.wav", "pending")] and len(files) == 3  # one version: its directory and two files


def test_approved_then_rejected_with_the_reason_shown(voice: Setup) -> None:
    first = upload(voice.tenant.admin, voice.app_id, "a.wav", tone(voice.tmp / "a.wav", 0.3)).json()
    second = upload(voice.tenant.admin, voice.app_id, "b.wav", tone(voice.tmp / "b.wav", 0.3)).json()
    voice.operator.ok("POST", f"/admin/reviews/{review_of(voice.operator, first)}/approve", json={})
    voice.operator.ok("POST", f"/admin/reviews/{review_of(voice.operator, second)}/reject",
                      json={"reason_code": "content_noncompliant", "message": "advertising is not allowed"})
    approved = voice.tenant.admin.ok("GET", f"/voice-files/{first['id']}")
    rejected = voice.tenant.admin.ok("GET", f"/voice-files/{second['id']}")
    assert approved["state"] == "approved" and approved["review"]["state"] == "approved"
    assert rejected["state"] == "rejected"
    assert rejected["review"]["reason"] == "The content of the prompt is not allowed."
    assert rejected["review"]["message"] == "advertising is not allowed"
    listed = voice.tenant.admin.ok("GET", "/voice-files", params={"app_id": voice.app_id, "state": "rejected"})
    assert [f["name"] for f in listed["items"]] == ["b.wav"] and listed["total"] == 1
    bad_state = voice.tenant.admin.get("/voice-files", params={"state": "lost"})
    assert bad_state.status_code == 422 and bad_state.json()["field"] == "state"


def test_auto_approval_makes_an_upload_playable_at_once(voice: Setup) -> None:
    voice.operator.ok("PUT", "/admin/settings/auto-approve", json={"voice_file": True})
    try:
        file = upload(voice.tenant.admin, voice.app_id, "auto.wav", tone(voice.tmp / "a.wav", 0.3)).json()
    finally:
        voice.operator.ok("PUT", "/admin/settings/auto-approve", json={"voice_file": False})
    assert file["state"] == "approved" and file["review"]["state"] == "approved"
    assert file["review"]["decided_by"] == "privnum"


def test_the_audio_is_a_pcm16_wav_a_browser_plays(voice: Setup) -> None:
    file = upload(voice.tenant.admin, voice.app_id, "a.wav", tone(voice.tmp / "a.wav", 0.5)).json()
    audio = voice.tenant.admin.get(f"/voice-files/{file['id']}/audio")
    assert audio.status_code == 200 and audio.headers["content-type"] == "audio/wav"
    body = audio.content
    assert body[:4] == b"RIFF" and body[8:12] == b"WAVE"
    audio_format, channels, rate = struct.unpack("<HHI", body[20:28])
    assert (audio_format, channels, rate, struct.unpack("<H", body[34:36])[0]) == (1, 1, 8000, 16)
    assert len(body) >= 44 + 2 * 4000  # 0.5 s of 16-bit samples


def test_nudge_once_an_hour(voice: Setup) -> None:
    file = upload(voice.tenant.admin, voice.app_id, "a.wav", tone(voice.tmp / "a.wav", 0.3)).json()
    nudged = voice.tenant.admin.ok("POST", f"/voice-files/{file['id']}/nudge")
    assert nudged["nudges"] == 1
    again = voice.tenant.admin.post(f"/voice-files/{file['id']}/nudge")
    assert again.status_code == 409 and again.json()["code"] == "already_nudged"


def test_delete_removes_row_and_files_unless_a_live_binding_names_it(voice: Setup) -> None:
    client = voice.server.client(voice.app_key, voice.app_secret)
    x = f"+86170{uuid.uuid4().int % 10**8:08d}"
    voice.server.add_numbers(voice.app_key, "0755", [x])
    used = upload(voice.tenant.admin, voice.app_id, "used.wav", tone(voice.tmp / "u.wav", 0.3)).json()
    free = upload(voice.tenant.admin, voice.app_id, "free.wav", tone(voice.tmp / "f.wav", 0.3)).json()
    a, b = new_users(2)
    bound = client.axb_bind(relationNum=x, callerNum=a, calleeNum=b, recordHintTone="used.wav")
    assert bound.ok, bound
    refused = voice.tenant.admin.delete(f"/voice-files/{used['id']}")
    assert refused.status_code == 409 and refused.json()["code"] == "voice_file_in_use"
    assert bound.body["subscriptionId"] in refused.json()["message"] and "recordHintTone" in refused.json()["message"]
    assert voice.tenant.admin.delete(f"/voice-files/{free['id']}").status_code == 204
    assert voice.tenant.admin.get(f"/voice-files/{free['id']}").status_code == 404
    rows, files = stored(voice.server, voice.app_id)
    assert rows == [("used.wav", "pending")] and len(files) == 3
    audit = voice.tenant.admin.ok("GET", "/audit-events", params={"subject": f"voice_file:{free['id']}"})
    assert "voice_file.delete" in [e["action"] for e in audit["items"]]
    assert client.axb_unbind(subscriptionId=bound.body["subscriptionId"]).ok
    assert voice.tenant.admin.delete(f"/voice-files/{used['id']}").status_code == 204
    assert stored(voice.server, voice.app_id) == ([], [])


def test_the_shipped_defaults_per_language_with_audio(voice: Setup) -> None:
    shipped = voice.tenant.admin.ok("GET", "/voice-files/defaults")
    assert {(p["language"], p["name"]) for p in shipped} >= {("zh", "default_no_binding"), ("en", "default_no_binding")}
    audio = voice.tenant.admin.http.get(shipped[0]["audio_url"])
    assert audio.status_code == 200 and audio.content[:4] == b"RIFF"
    assert voice.tenant.admin.get("/voice-files/defaults/fr/default_no_binding/audio").status_code == 404


def test_problems_lists_live_bindings_naming_missing_or_unapproved_files(voice: Setup) -> None:
    client = voice.server.client(voice.app_key, voice.app_secret)
    x = f"+86170{uuid.uuid4().int % 10**8:08d}"
    voice.server.add_numbers(voice.app_key, "0755", [x])
    pending = upload(voice.tenant.admin, voice.app_id, "hint.wav", tone(voice.tmp / "h.wav", 0.3)).json()
    a, b = new_users(2)
    bound = client.axb_bind(relationNum=x, callerNum=a, calleeNum=b, recordHintTone="hint.wav",
                            preVoice={"callerHintTone": "never-uploaded.wav"})
    assert bound.ok, bound
    sub = bound.body["subscriptionId"]
    problems = voice.tenant.admin.ok("GET", "/voice-files/problems")
    assert sorted((p["binding_id"], p["number"], p["option"], p["name"], p["why"]) for p in problems) == [
        (sub, x, "preVoice.callerHintTone", "never-uploaded.wav", "missing"),
        (sub, x, "recordHintTone", "hint.wav", "pending")]
    voice.operator.ok("POST", f"/admin/reviews/{review_of(voice.operator, pending)}/approve", json={})
    assert [p["name"] for p in voice.tenant.admin.ok("GET", "/voice-files/problems")] == ["never-uploaded.wav"]


def test_another_tenant_sees_none_of_it(voice: Setup, new_tenant: Any) -> None:
    file = upload(voice.tenant.admin, voice.app_id, "mine.wav", tone(voice.tmp / "m.wav", 0.3)).json()
    other = new_tenant().admin
    assert other.ok("GET", "/voice-files")["items"] == []
    assert other.ok("GET", "/voice-files/problems") == []
    for method, path in (("GET", f"/voice-files/{file['id']}"), ("GET", f"/voice-files/{file['id']}/audio"),
                         ("POST", f"/voice-files/{file['id']}/nudge"), ("DELETE", f"/voice-files/{file['id']}")):
        response = other.request(method, path)
        assert response.status_code == 404, (method, path, response.text)
    into_theirs = upload(other, voice.app_id, "x.wav", tone(voice.tmp / "x.wav", 0.3))
    assert into_theirs.status_code == 404 and into_theirs.json()["code"] == "not_found"
    assert [f["name"] for f in voice.operator.ok("GET", "/voice-files", params={"app_id": voice.app_id})["items"]] \
        == ["mine.wav"]
    assert stored(voice.server, voice.app_id)[0] == [("mine.wav", "pending")]


def test_a_viewer_may_list_but_not_upload(voice: Setup, mgmt_server: Server) -> None:
    login = unique("viewer-")
    invited = voice.tenant.admin.ok("POST", "/users", json={"login": login, "role": "viewer"})
    viewer = MgmtClient(mgmt_server.base)
    viewer.ok("POST", f"/invitations/{invited['invitation_token']}/accept", json={"password": "viewer-password-1"})
    assert viewer.login(login, "viewer-password-1").status_code == 200
    assert viewer.ok("GET", "/voice-files")["total"] == 0
    refused = upload(viewer, voice.app_id, "a.wav", tone(voice.tmp / "a.wav", 0.3))
    assert refused.status_code == 403
    viewer.close()


def test_the_cli_adds_approved_files_audited_as_its_user(voice: Setup) -> None:
    voice.server.cli("voice", "add", "--app", voice.app_key, "--name", "cli.wav", str(tone(voice.tmp / "c.wav")))
    [file] = voice.tenant.admin.ok("GET", "/voice-files", params={"app_id": voice.app_id})["items"]
    assert (file["name"], file["state"], file["review"]) == ("cli.wav", "approved", None)
    assert file["uploaded_by"].startswith("cli:") and file["conversion"].endswith("→ A-law 8 kHz mono")
    audit = voice.operator.ok("GET", "/audit-events", params={"subject": f"voice_file:{file['id']}"})
    assert [(e["action"], e["actor_kind"]) for e in audit["items"]] == [("voice_file.add", "cli")]


# --- sandbox calls: only approved files are played

@pytest.fixture(scope="module")
def receiver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Receiver]:
    made = Receiver(tmp_path_factory.mktemp("voice-receiver"))
    yield made
    made.stop()


def test_a_binding_naming_a_pending_file_fails_with_7507_until_it_is_approved(voice: Setup,
                                                                              receiver: Receiver) -> None:
    lab = CallLab(voice.server, receiver)
    tag = uuid.uuid4().hex[:10]
    events, cdr = f"/events/{tag}", f"/cdr/{tag}"
    made = tenant_app(voice.tenant.admin, voice.operator, call_status_url=receiver.base + events,
                      cdr_url=receiver.base + cdr)
    key, secret, app_id = made.app_key, made.app_secret, made.app_id
    x = f"+86170{uuid.uuid4().int % 10**8:08d}"
    voice.server.add_numbers(key, "0755", [x])
    app = LabApp(voice.server.client(key, secret), [x], events, cdr, key, secret)
    file = upload(voice.tenant.admin, app_id, "hint_caller.wav", tone(voice.tmp / "h.wav", 0.5)).json()
    a, b = new_users(2)
    assert app.client.axb_bind(relationNum=x, callerNum=a, calleeNum=b,
                               preVoice={"callerHintTone": "hint_caller.wav"}).ok

    refused = lab.call(a, x, talk_ms=300, answer_after_ms=200)
    call_events, call_cdr = lab.finished(app, refused)
    assert [e["eventType"] for e in call_events] == ["callin", "disconnect"]
    assert call_events[-1]["statusInfo"]["stateCode"] == 7507 and call_cdr["ulFailReason"] == 7507

    voice.operator.ok("POST", f"/admin/reviews/{review_of(voice.operator, file)}/approve", json={})
    played = lab.call(a, x, talk_ms=300, answer_after_ms=200)
    call_events, call_cdr = lab.finished(app, played)
    assert call_events[-1]["statusInfo"]["stateCode"] == 0 and call_cdr["ulFailReason"] == 0
    trace = httpx.get(f"{voice.server.base}/sandbox/v1/calls/{played}", timeout=10).json()
    assert {"prompt": "hint_caller.wav", "to": "caller"} in trace["prompts"]
