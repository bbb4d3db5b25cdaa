"""Recorded calls end to end (sandbox audio), the download-URL API and its signed link, and callStop."""

from __future__ import annotations

import hashlib
import hmac
import struct
import time
import urllib.parse
from pathlib import Path
from typing import Any

import httpx
import pytest

from call_lab import CallLab, LabApp, kinds
from servers import new_users

RECORD_URI = "/rest/provision/voice/record/v1.0"
STOP_URI = "/rest/httpsessions/callStop/v2.0"


def wav_info(data: bytes) -> dict[str, Any]:
    assert data[:4] == b"RIFF" and data[8:12] == b"WAVE", data[:16]
    assert struct.unpack_from("<I", data, 4)[0] == len(data) - 8
    chunks: dict[bytes, bytes] = {}
    at = 12
    while at + 8 <= len(data):
        cid, size = data[at:at + 4], struct.unpack_from("<I", data, at + 4)[0]
        chunks[cid] = data[at + 8:at + 8 + size]
        at += 8 + size + (size & 1)
    tag, channels, rate, byte_rate, align, bits = struct.unpack_from("<HHIIHH", chunks[b"fmt "])
    return {"tag": tag, "channels": channels, "rate": rate, "byte_rate": byte_rate, "align": align, "bits": bits,
            "fmt_size": len(chunks[b"fmt "]), "has_fact": b"fact" in chunks, "samples": len(chunks[b"data"])}


def recordings_dir(lab: CallLab) -> Path:
    return lab.server.workdir / "privnum-data" / "recordings"


def stored_files(lab: CallLab) -> set[str]:
    root = recordings_dir(lab)
    return {p.name for p in root.rglob("*.wav")} if root.exists() else set()


def answered(lab: CallLab, app: LabApp, session: str, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while "answer" not in kinds(lab.events(app, session)):
        assert time.monotonic() < deadline, lab.events(app, session)
        time.sleep(0.05)


@pytest.fixture(scope="module")
def recorded(lab: CallLab) -> tuple[LabApp, dict[str, Any], float]:
    """One recorded AXB call of an app with recording on: (app, its CDR, the talk time in seconds)."""
    app = lab.app("AXB", 1, "0755", "--recording")
    a, b = new_users(2)
    assert app.client.axb_bind(relationNum=app.pool[0], callerNum=a, calleeNum=b, recordFlag="true").ok
    session = lab.call(a, app.pool[0], talk_ms=2500)
    _, cdr = lab.finished(app, session)
    return app, cdr, 2.5


def test_recorded_call_cdr_fields(lab: CallLab, recorded: tuple[LabApp, dict[str, Any], float]) -> None:
    _, cdr, _ = recorded
    assert cdr["recordFlag"] == 1
    assert cdr["recordBucketName"] == "privnum-recordings"
    assert cdr["recordDomain"] == urllib.parse.urlsplit(lab.server.base).netloc
    assert cdr["recordStartTime"] == cdr["fwdAnswerTime"]
    name = cdr["recordObjectName"]
    assert name.endswith(".wav") and name[:14] == cdr["recordStartTime"].replace("-", "").replace(" ", "")\
        .replace(":", "")
    assert name in stored_files(lab)


def test_download_url_redirects_to_the_wav(lab: CallLab, recorded: tuple[LabApp, dict[str, Any], float]) -> None:
    app, cdr, talk_s = recorded
    r = app.client.request("GET", RECORD_URI, query={"fileName": cdr["recordObjectName"],
                                                      "recordDomain": cdr["recordDomain"]})
    assert r.status == 301, r
    assert r.headers.get("cache-control") == "no-store"
    location = r.headers["location"]
    parts = urllib.parse.urlsplit(location)
    assert parts.path == f"/recordings/{cdr['recordObjectName']}"
    query = dict(urllib.parse.parse_qsl(parts.query))
    assert query["app_key"] == app.app_key and len(query["signature"]) == 64
    assert 3 * 86400 - 60 <= int(query["expires"]) - time.time() <= 3 * 86400 + 5
    got = httpx.get(location, timeout=10)
    assert got.status_code == 200, got.text
    assert got.headers["content-type"] == "audio/wav"
    info = wav_info(got.content)
    assert (info["tag"], info["rate"], info["channels"], info["bits"]) == (6, 8000, 1, 8), info
    assert info["byte_rate"] == 8000 and info["fmt_size"] == 18 and info["has_fact"]
    assert abs(info["samples"] / 8000 - talk_s) <= 0.5, info
    # a client following the redirect gets the same bytes
    followed = httpx.Client(follow_redirects=True, timeout=10)
    try:
        from huawei_client import signed_headers

        full = followed.get(lab.server.base + RECORD_URI, headers=signed_headers(app.app_key, app.app_secret),
                            params={"fileName": cdr["recordObjectName"], "recordDomain": cdr["recordDomain"]})
    finally:
        followed.close()
    assert full.status_code == 200 and full.content == got.content


def test_another_app_is_refused(lab: CallLab, recorded: tuple[LabApp, dict[str, Any], float]) -> None:
    app, cdr, _ = recorded
    other = lab.app("AXB", 0, "0755", "--recording")
    params = {"fileName": cdr["recordObjectName"], "recordDomain": cdr["recordDomain"]}
    r = other.client.request("GET", RECORD_URI, query=params)
    assert (r.status, r.code) == (403, "1012007"), r
    wrong_domain = app.client.request("GET", RECORD_URI, query={**params, "recordDomain": "example.com:1"})
    assert (wrong_domain.status, wrong_domain.code) == (403, "1012007"), wrong_domain
    missing = app.client.request("GET", RECORD_URI, query={"fileName": cdr["recordObjectName"]})
    assert (missing.status, missing.code) == (403, "1010002"), missing
    # the signed link is the credential: only the owning app's secret makes a valid one
    name = cdr["recordObjectName"]
    expires = int(time.time()) + 3600
    base = f"{lab.server.base}/recordings/{name}"

    def link(key: str, secret: str) -> httpx.Response:
        sig = hmac.new(secret.encode(), f"{name}\n{expires}".encode(), hashlib.sha256).hexdigest()
        return httpx.get(base, params={"app_key": key, "expires": expires, "signature": sig}, timeout=10)

    assert link(app.app_key, app.app_secret).status_code == 200
    for response in (link(other.app_key, other.app_secret), link(app.app_key, other.app_secret),
                     link(other.app_key, app.app_secret)):
        assert response.status_code == 403 and response.json()["resultcode"] == "1010010", response.text
    unsigned = httpx.get(base, params={"app_key": app.app_key, "expires": expires}, timeout=10)
    assert unsigned.status_code == 403 and unsigned.json()["resultcode"] == "1010002"
    # the API refuses wrong credentials outright
    forged = app.client.request("GET", RECORD_URI, query=params, headers={
        "Authorization": 'AKSK realm="SDP",profile="UsernameToken",type="Appkey"',
        "X-AKSK": f'UsernameToken Username="{app.app_key}",PasswordDigest="bm9wZQ==",Nonce="{"0" * 32}",'
                  f'Created="{time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}"'})
    assert forged.status in (401, 403) and forged.code != "0", forged


@pytest.mark.parametrize("flag", [{}, {"recordFlag": "false"}], ids=["without recordFlag", "recordFlag false"])
def test_no_recording(lab: CallLab, flag: dict[str, str]) -> None:
    app = lab.app("AXB", 1, "0755", "--recording")
    a, b = new_users(2)
    assert app.client.axb_bind(relationNum=app.pool[0], callerNum=a, calleeNum=b, **flag).ok
    before = stored_files(lab)
    session = lab.call(a, app.pool[0], talk_ms=600)
    events, cdr = lab.finished(app, session)
    assert events[-1]["statusInfo"]["stateCode"] == 0
    assert cdr["recordFlag"] == 0
    assert not {"recordObjectName", "recordBucketName", "recordDomain", "recordStartTime"} & set(cdr)
    assert stored_files(lab) == before


@pytest.mark.parametrize("recording", [True, False], ids=["app recording on", "app recording off"])
def test_x_mode_block_answer_record_flag(lab: CallLab, recording: bool) -> None:
    app = lab.app("X", 1, "0755", "--recording" if recording else "--no-recording")
    a, b = new_users(2)
    lab.receiver.control(path=app.events_path,
                         block_answer={"operation": "connect", "connectInfo": {"calleeNum": b, "recordFlag": "true"}})
    session = lab.call(a, app.pool[0], talk_ms=1000)
    _, cdr = lab.finished(app, session)
    assert cdr["recordFlag"] == (1 if recording else 0), cdr
    if recording:
        r = app.client.request("GET", RECORD_URI, query={"fileName": cdr["recordObjectName"],
                                                          "recordDomain": cdr["recordDomain"]})
        assert r.status == 301, r
        info = wav_info(httpx.get(r.headers["location"], timeout=10).content)
        assert abs(info["samples"] / 8000 - 1.0) <= 0.5, info
    else:
        assert "recordObjectName" not in cdr


def test_call_stop_ends_an_answered_call(lab: CallLab) -> None:
    app = lab.app("AXB", 1)
    other = lab.app("AXB", 0)
    a, b = new_users(2)
    assert app.client.axb_bind(relationNum=app.pool[0], callerNum=a, calleeNum=b).ok
    session = lab.call(a, app.pool[0], talk_ms=30_000)
    answered(lab, app, session)
    foreign = other.client.request("POST", STOP_URI, body={"sessionid": session, "signal": "call_stop"})
    assert foreign.code == "1020152", foreign
    bad_signal = app.client.request("POST", STOP_URI, body={"sessionid": session, "signal": "stop"})
    assert bad_signal.code == "1020001", bad_signal
    started = time.monotonic()
    r = app.client.request("POST", STOP_URI, body={"sessionid": session, "signal": "call_stop"})
    assert r.ok, r
    events, cdr = lab.finished(app, session, timeout_s=10)
    assert time.monotonic() - started < 5  # not the 30 s of talk
    assert kinds(events) == ["callin", "callout", "alerting", "answer", "disconnect"]
    assert events[-1]["statusInfo"]["stateCode"] == 0 and cdr["ulFailReason"] == 0
    assert "fwdAnswerTime" in cdr
    again = app.client.request("POST", STOP_URI, body={"sessionid": session, "signal": "call_stop"})
    assert (again.status, again.code) == (403, "1020152"), again  # already ended


def test_call_stop_unknown_session(lab: CallLab) -> None:
    app = lab.app("AXB", 0)
    r = app.client.request("POST", STOP_URI, body={"sessionid": "1_1_deadbeef_20250101000000@nowhere",
                                                   "signal": "call_stop"})
    assert (r.status, r.code) == (403, "1020152"), r
