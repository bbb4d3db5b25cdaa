"""Call recordings: A-law WAV encoding, the file store, and over real HTTP the download-address API
(GET /rest/provision/voice/record/v1.0, 301 + Location) and the signed download links it hands out.

Calls come later, so recordings are made here through ``Recordings.save`` from the test process,
on the server's own database and recordings directory.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import struct
import subprocess
import tempfile
import time
import urllib.parse
import uuid
import warnings
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from sqlalchemy import text

from huawei_client import HuaweiClient, Reply
from privnum.adapters.db.database import open_database
from privnum.adapters.db.tenancy_store import SqlTenancyStore as AppStore
from privnum.adapters.recordings.store import LocalRecordingStore
from privnum.adapters.recordings.wav import (
    WAVE_FORMAT_ALAW,
    alaw_decode,
    alaw_encode,
    alaw_wav,
    read_wav_info,
    synthesize_call_audio,
)
from privnum.bootstrap import build_recordings
from privnum.config import Settings
from privnum.domain.calls.session import Recording
from privnum.service.calls.ports import RecordedAudio
from privnum.service.recordings import BUCKET, InvalidRecordingName, Recordings
from servers import BACKENDS, PRIVNUM, Server, drop_database, free_port, start_server

RECORD_URI = "/rest/provision/voice/record/v1.0"
DAY_MS = 86_400_000
T = TypeVar("T")


# --- WAV and A-law (no server) ----------------------------------------------------------------------------------


def test_alaw_encoding_matches_g711_reference_points() -> None:
    pcm = struct.pack("<6h", 0, -8, 32767, -32768, 1000, -1000)
    assert alaw_encode(pcm) == bytes([0xD5, 0x55, 0xAA, 0x2A, 0xFA, 0x7A])


def test_alaw_encoding_equals_audioop_for_every_sample_when_available() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        audioop = pytest.importorskip("audioop")
    pcm = struct.pack("<65536h", *range(-32768, 32768))
    assert alaw_encode(pcm) == audioop.lin2alaw(pcm, 2)
    codes = bytes(range(256))
    assert alaw_decode(codes) == audioop.alaw2lin(codes, 2)


def test_alaw_round_trip_error_is_within_g711_step() -> None:
    samples = list(range(-32768, 32768, 7))
    decoded = struct.unpack(f"<{len(samples)}h", alaw_decode(alaw_encode(struct.pack(f"<{len(samples)}h", *samples))))
    for original, back in zip(samples, decoded, strict=True):
        assert abs(original - back) <= max(8, abs(original) // 16 + 1), (original, back)


def test_wav_header_is_alaw_8000_hz_mono_8_bit() -> None:
    audio = synthesize_call_audio(1500)
    assert len(audio) == 12_000
    wav = alaw_wav(audio)
    assert wav[:4] == b"RIFF" and wav[8:16] == b"WAVEfmt "
    assert struct.unpack_from("<I", wav, 4)[0] == len(wav) - 8
    assert struct.unpack_from("<I", wav, 16)[0] == 18  # fmt with cbSize, as non-PCM formats need
    assert wav[38:42] == b"fact" and struct.unpack_from("<I", wav, 46)[0] == len(audio)
    info = read_wav_info(wav)
    assert (info.format_tag, info.sample_rate, info.channels, info.bits_per_sample) == (WAVE_FORMAT_ALAW, 8000, 1, 8)
    assert (info.byte_rate, info.block_align, info.frames, info.data) == (8000, 1, len(audio), audio)


def test_wav_of_odd_length_is_padded_and_still_reads() -> None:
    wav = alaw_wav(b"\xd5" * 3)
    assert len(wav) % 2 == 0
    assert read_wav_info(wav).frames == 3


def test_synthesized_audio_is_a_quiet_tone() -> None:
    audio = synthesize_call_audio(2000, 440)
    pcm = struct.unpack(f"<{len(audio)}h", alaw_decode(audio))
    assert len(pcm) == 16_000
    peak = max(abs(s) for s in pcm)
    assert 2000 < peak < 8000  # audible but quiet (about -20 dBFS)
    crossings = sum(1 for a, b in itertools.pairwise(pcm) if a < 0 <= b)
    assert 870 <= crossings <= 890  # 440 Hz over 2 s
    assert synthesize_call_audio(0) == b""
    assert len(synthesize_call_audio(1000, 333.3)) == 8000


def test_read_wav_info_refuses_non_wav() -> None:
    with pytest.raises(ValueError):
        read_wav_info(b"not a wav file at all")


# --- the file store (no server) ---------------------------------------------------------------------------------


def test_local_store_round_trip_and_safe_names(tmp_path: Path) -> None:
    store = LocalRecordingStore(tmp_path / "rec")

    async def scenario() -> None:
        await store.put("20240101000000_abc.wav", b"data")
        assert await store.get("20240101000000_abc.wav") == b"data"
        await store.put("20240101000000_abc.wav", b"other")
        assert await store.get("20240101000000_abc.wav") == b"other"
        await store.delete("20240101000000_abc.wav")
        await store.delete("20240101000000_abc.wav")  # already gone: no error
        assert await store.get("20240101000000_abc.wav") is None
        bad_names = ("../x.wav", "a/b.wav", "..", "x.mp3", "", ".hidden.wav",
                     "a\\b.wav", "x.wav\x00", "a" * 130 + ".wav")
        for bad in bad_names:
            for call in (lambda n=bad: store.put(n, b"x"), lambda n=bad: store.get(n), lambda n=bad: store.delete(n)):
                with pytest.raises(InvalidRecordingName):
                    await call()

    asyncio.run(scenario())
    assert sorted(p.name for p in (tmp_path / "rec").iterdir()) == []
    assert not (tmp_path / "x.wav").exists()


# --- over HTTP ----------------------------------------------------------------------------------------------------


@dataclass
class Env:
    server: Server
    recordings_dir: Path
    client: HuaweiClient  # an AXB app
    other: HuaweiClient  # another app (AX), never owner of the recordings it asks for

    @property
    def settings(self) -> Settings:
        port = int(self.server.base.rsplit(":", 1)[1])
        return Settings.from_env(database_url=self.server.database_url, port=port,
                                 recordings_dir=str(self.recordings_dir))

    def run(self, work: Callable[[Recordings, Any], Awaitable[T]]) -> T:
        """Run ``work(recordings, db)`` on the server's database and recordings directory."""

        async def main() -> T:
            db = open_database(self.server.database_url)
            try:
                return await work(build_recordings(self.settings, db), db)
            finally:
                await db.dispose()

        return asyncio.run(main())

    def app_id(self, client: HuaweiClient) -> int:
        async def lookup(_r: Recordings, db: Any) -> int:
            app = await AppStore(db).by_key(client.app_key)
            assert app is not None
            return app.id

        return self.run(lookup)

    def recorded(self, audio: bytes) -> RecordedAudio:
        """A-law samples as the WAV file a driver hands over."""
        path = self.recordings_dir.parent / f"recorded-{uuid.uuid4().hex}.wav"
        path.write_bytes(alaw_wav(audio))
        return RecordedAudio(path)

    def save(self, client: HuaweiClient, audio: bytes, *, created_at_ms: int | None = None) -> Recording:
        app_id = self.app_id(client)
        session = f"1202_{uuid.uuid4().hex[:10]}_4294967295@callenabler.privnum"
        started = int(time.time() * 1000) - 60_000
        recorded = self.recorded(audio)
        return self.run(lambda r, _db: r.save(app_id, session, recorded, started, created_at_ms=created_at_ms))

    def row_count(self, file_name: str) -> int:
        async def count(_r: Recordings, db: Any) -> int:
            async with db.reading() as conn:
                return (await conn.execute(text("SELECT COUNT(*) FROM recordings WHERE file_name = :n"),
                                           {"n": file_name})).scalar_one()

        return self.run(count)


@pytest.fixture(scope="module", params=BACKENDS)
def env(request: pytest.FixtureRequest) -> Iterator[Env]:
    recordings_dir = Path(tempfile.mkdtemp(prefix="privnum-recordings-"))
    server = start_server(request.param, {"PRIVNUM_RECORDINGS_DIR": str(recordings_dir)})
    try:
        client, _ = server.app("AXB", 0)
        other, _ = server.app("AX", 0)
        yield Env(server, recordings_dir, client, other)
    finally:
        server.stop()
        drop_database(server.database_url)


def ask(client: HuaweiClient, **query: Any) -> Reply:
    return client.request("GET", RECORD_URI, query=query)


def location_of(client: HuaweiClient, rec: Recording) -> str:
    r = ask(client, fileName=rec.object_name, recordDomain=rec.domain)
    assert r.status == 301, r
    return r.headers["location"]


def refused(reply: Reply, status: int, code: str) -> None:
    assert (reply.status, reply.code) == (status, code), reply
    assert set(reply.body) == {"resultcode", "resultdesc"}, reply


def fetch(url: str) -> httpx.Response:
    return httpx.get(url, timeout=30, follow_redirects=False)


def with_query(url: str, **changes: Any) -> str:
    parts = urllib.parse.urlsplit(url)
    query = dict(urllib.parse.parse_qsl(parts.query))
    query.update({k: str(v) for k, v in changes.items() if v is not None})
    for k in [k for k, v in changes.items() if v is None]:
        query.pop(k, None)
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


def signed_url(env: Env, client: HuaweiClient, file_name: str, expires: int) -> str:
    signature = hmac.new(client.app_secret.encode(), f"{file_name}\n{expires}".encode(), hashlib.sha256).hexdigest()
    query = urllib.parse.urlencode({"app_key": client.app_key, "expires": expires, "signature": signature})
    return f"{env.server.base}/recordings/{file_name}?{query}"


def test_saved_recording_has_huawei_cdr_fields(env: Env) -> None:
    rec = env.save(env.client, synthesize_call_audio(3000))
    assert rec.bucket == BUCKET == "privnum-recordings"
    assert rec.domain == env.server.base.removeprefix("http://")
    stamp, _, rest = rec.object_name.partition("_")
    assert len(stamp) == 14 and stamp.isdigit() and rest.endswith(".wav")
    assert (env.recordings_dir / rec.object_name).is_file()
    assert env.row_count(rec.object_name) == 1


def test_download_url_is_a_301_with_location_valid_three_days(env: Env) -> None:
    rec = env.save(env.client, synthesize_call_audio(3000))
    before = int(time.time())
    r = ask(env.client, fileName=rec.object_name, recordDomain=rec.domain)
    assert r.status == 301, r
    assert not (isinstance(r.body, dict) and "resultcode" in r.body), r
    location = r.headers["location"]
    parts = urllib.parse.urlsplit(location)
    assert f"{parts.scheme}://{parts.netloc}" == env.server.base
    assert parts.path == f"/recordings/{rec.object_name}"
    query = dict(urllib.parse.parse_qsl(parts.query))
    assert set(query) == {"app_key", "expires", "signature"}
    assert query["app_key"] == env.client.app_key
    assert before + 3 * 86400 - 5 <= int(query["expires"]) <= int(time.time()) + 3 * 86400 + 5


def test_following_location_gives_the_alaw_wav(env: Env) -> None:
    audio = synthesize_call_audio(4000, 440)
    rec = env.save(env.client, audio)
    got = fetch(location_of(env.client, rec))
    assert got.status_code == 200, got.text
    assert got.headers["content-type"] == "audio/wav"
    info = read_wav_info(got.content)
    assert (info.format_tag, info.sample_rate, info.channels, info.bits_per_sample) == (6, 8000, 1, 8)
    assert (info.byte_rate, info.block_align, info.frames) == (8000, 1, 32_000)
    assert info.data == audio
    # a client that follows redirects gets the file's data stream directly
    follow = httpx.Client(base_url=env.server.base, follow_redirects=True, timeout=30)
    from huawei_client import signed_headers

    with follow:
        direct = follow.get(RECORD_URI, params={"fileName": rec.object_name, "recordDomain": rec.domain},
                            headers=signed_headers(env.client.app_key, env.client.app_secret))
    assert direct.status_code == 200 and direct.content == got.content


@pytest.mark.parametrize("mode", ["AX", "AXE", "AXYB", "X"])
def test_apps_of_every_mode_get_their_download_url(env: Env, mode: str) -> None:
    client, _ = env.server.app(mode, 0)
    rec = env.save(client, synthesize_call_audio(1000))
    assert fetch(location_of(client, rec)).status_code == 200


def test_another_apps_recording_does_not_exist(env: Env) -> None:
    rec = env.save(env.client, synthesize_call_audio(1000))
    refused(ask(env.other, fileName=rec.object_name, recordDomain=rec.domain), 403, "1012007")


def test_unknown_file_or_wrong_domain_does_not_exist(env: Env) -> None:
    refused(ask(env.client, fileName="20240101000000_deadbeef.wav", recordDomain=env.settings.base_url[7:]),
            403, "1012007")
    refused(ask(env.client, fileName="../../etc/passwd", recordDomain="x"), 403, "1012007")
    rec = env.save(env.client, synthesize_call_audio(1000))
    refused(ask(env.client, fileName=rec.object_name, recordDomain="other.example.com:443"), 403, "1012007")


def test_missing_or_overlong_parameters_are_invalid(env: Env) -> None:
    rec = env.save(env.client, synthesize_call_audio(1000))
    for query in ({"recordDomain": rec.domain}, {"fileName": rec.object_name}, {},
                  {"fileName": "", "recordDomain": rec.domain}, {"fileName": rec.object_name, "recordDomain": ""},
                  {"fileName": "a" * 129, "recordDomain": rec.domain},
                  {"fileName": rec.object_name, "recordDomain": "d" * 129}):
        refused(ask(env.client, **query), 403, "1010002")


def test_download_url_needs_authentication(env: Env) -> None:
    rec = env.save(env.client, synthesize_call_audio(1000))
    r = env.client.request("GET", RECORD_URI, query={"fileName": rec.object_name, "recordDomain": rec.domain},
                           headers={})
    assert r.status == 400 and r.code == "1023006", r


def test_recording_past_retention_does_not_exist_even_before_purge(env: Env) -> None:
    old = env.save(env.client, synthesize_call_audio(1000), created_at_ms=int(time.time() * 1000) - 8 * DAY_MS)
    refused(ask(env.client, fileName=old.object_name, recordDomain=old.domain), 403, "1012007")
    assert fetch(signed_url(env, env.client, old.object_name, int(time.time()) + 600)).status_code == 404


def test_tampered_signature_is_refused(env: Env) -> None:
    rec = env.save(env.client, synthesize_call_audio(1000))
    url = location_of(env.client, rec)
    signature = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))["signature"]
    flipped = ("0" if signature[0] != "0" else "1") + signature[1:]
    for bad in (with_query(url, signature=flipped), with_query(url, signature="ab" * 32),
                with_query(url, expires=int(time.time()) + 30 * 86400)):
        r = fetch(bad)
        assert r.status_code == 403 and r.json()["resultcode"] == "1010010", r.text
    assert fetch(url).status_code == 200


def test_link_under_another_app_key_is_refused(env: Env) -> None:
    rec = env.save(env.client, synthesize_call_audio(1000))
    url = location_of(env.client, rec)
    r = fetch(with_query(url, app_key=env.other.app_key))
    assert r.status_code == 403 and r.json()["resultcode"] == "1010010", r.text
    r = fetch(with_query(url, app_key="no-such-app-key"))
    assert r.status_code == 403 and r.json()["resultcode"] == "1010010", r.text
    # the other app signing the file with its own secret is no better
    r = fetch(signed_url(env, env.other, rec.object_name, int(time.time()) + 600))
    assert r.status_code == 403 and r.json()["resultcode"] == "1010010", r.text


def test_expired_link_is_refused(env: Env) -> None:
    rec = env.save(env.client, synthesize_call_audio(1000))
    r = fetch(signed_url(env, env.client, rec.object_name, int(time.time()) - 1))
    assert r.status_code == 403 and r.json()["resultcode"] == "1010013", r.text
    assert fetch(signed_url(env, env.client, rec.object_name, int(time.time()) + 60)).status_code == 200


def test_malformed_link_is_refused(env: Env) -> None:
    rec = env.save(env.client, synthesize_call_audio(1000))
    url = location_of(env.client, rec)
    for bad in (with_query(url, signature=None), with_query(url, expires=None), with_query(url, app_key=None),
                with_query(url, expires="soon"), with_query(url, signature="xyz")):
        r = fetch(bad)
        assert r.status_code == 403 and r.json()["resultcode"] == "1010002", (bad, r.text)


def test_unknown_file_link_is_404(env: Env) -> None:
    r = fetch(signed_url(env, env.client, "20240101000000_0123456789abcdef.wav", int(time.time()) + 600))
    assert r.status_code == 404 and r.json()["resultcode"] == "1012007", r.text
    for name in ("..%2F..%2Fetc%2Fpasswd", "x.txt", "%2Eprivnum.wav"):
        r = fetch(f"{env.server.base}/recordings/{name}?app_key=a&expires=1&signature=b")
        assert r.status_code == 404, (name, r.text)


def test_retention_purge_removes_old_rows_and_files(env: Env) -> None:
    now = int(time.time() * 1000)
    old = env.save(env.client, synthesize_call_audio(1000), created_at_ms=now - 8 * DAY_MS)
    fresh = env.save(env.client, synthesize_call_audio(1000), created_at_ms=now - 6 * DAY_MS)
    assert (env.recordings_dir / old.object_name).is_file()
    purged = env.run(lambda r, _db: r.purge_older_than(now))
    assert purged >= 1
    assert env.row_count(old.object_name) == 0
    assert not (env.recordings_dir / old.object_name).exists()
    assert env.row_count(fresh.object_name) == 1
    assert (env.recordings_dir / fresh.object_name).is_file()
    assert env.run(lambda r, _db: r.purge_older_than(now)) == 0
    assert fetch(location_of(env.client, fresh)).status_code == 200
    assert fetch(signed_url(env, env.client, old.object_name, int(time.time()) + 600)).status_code == 404


def test_saving_the_same_call_again_replaces_it(env: Env) -> None:
    app_id = env.app_id(env.client)
    started = int(time.time() * 1000)
    first = env.run(lambda r, _db: r.save(app_id, "same-session", env.recorded(b"\xd5" * 800), started))
    second = env.run(lambda r, _db: r.save(app_id, "same-session", env.recorded(b"\x55" * 1600), started))
    assert first.object_name == second.object_name
    assert env.row_count(first.object_name) == 1
    got = fetch(location_of(env.client, second))
    assert read_wav_info(got.content).data == b"\x55" * 1600


def test_server_sweeps_recordings_past_retention_at_start(env: Env) -> None:
    """The background sweep purges on start (then every minute): a second server on the same data shows it."""
    old = env.save(env.client, synthesize_call_audio(1000), created_at_ms=int(time.time() * 1000) - 8 * DAY_MS)
    port = free_port()
    log = open(env.server.workdir / "second-server.log", "w")  # noqa: SIM115
    second = subprocess.Popen([*PRIVNUM, "serve", "--port", str(port)],
                              env={**env.server.env, "PRIVNUM_PORT": str(port)},
                              cwd=env.server.workdir, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and (env.row_count(old.object_name) or
                                               (env.recordings_dir / old.object_name).exists()):
            assert second.poll() is None, (env.server.workdir / "second-server.log").read_text()
            time.sleep(0.2)
        assert env.row_count(old.object_name) == 0
        assert not (env.recordings_dir / old.object_name).exists()
    finally:
        second.terminate()
        second.wait(timeout=10)
        log.close()
