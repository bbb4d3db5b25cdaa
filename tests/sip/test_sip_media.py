"""Media through privnum's relay with real RTP: anchored on privnum's address, recorded to the same WAV as
the sandbox's, prompts played to the caller, AXE extensions dialled as RFC 2833 digits."""

from __future__ import annotations

import math
import struct
from pathlib import Path

import httpx
from rtp_pcap import RtpSink, write_dtmf_pcap, write_tone_pcap

from call_lab import kinds
from privnum.adapters.recordings.wav import alaw_decode, read_wav_info
from servers import new_users
from sip_lab import SipLab
from sipp import SippLab

RECORD_URI = "/rest/provision/voice/record/v1.0"


def sdp_media(body: str) -> tuple[str, int]:
    host = next(line.split()[-1] for line in body.splitlines() if line.startswith("c="))
    port = next(int(line.split()[1]) for line in body.splitlines() if line.startswith("m=audio"))
    return host, port


def rms(samples: list[int]) -> float:
    return math.sqrt(sum(s * s for s in samples) / max(len(samples), 1))


def test_rtp_is_anchored_and_the_call_is_recorded(sip_lab: SipLab, sipp_lab: SippLab, tmp_path: Path) -> None:
    app, a, _b, x = sip_lab.axb("--recording", recordFlag="true")
    tone_b = write_tone_pcap(tmp_path / "b.pcap", 440.0, 2.5)
    tone_a = write_tone_pcap(tmp_path / "a.pcap", 880.0, 2.5)
    callee = sip_lab.callee(sipp_lab, "uas_media", duration_ms=100, files={"audio.pcap": tone_b})
    caller = sip_lab.start_caller(sipp_lab, "uac_media", caller=a, called=x, duration_ms=3000,
                                  files={"audio.pcap": tone_a})
    result = caller.wait().check()
    got = callee.wait().check()
    [invite] = got.received_requests("INVITE")
    [answer] = [m for m in result.received_responses("INVITE") if m.status == 200]
    b_sees = sdp_media(invite.body)
    a_sees = sdp_media(answer.body)
    assert b_sees[1] != caller.media_port and a_sees[1] != callee.media_port  # both see the relay only
    assert b_sees[0] == a_sees[0] == "127.0.0.1"
    events, cdr = sip_lab.finished(app)
    assert kinds(events) == ["callin", "callout", "alerting", "answer", "disconnect"]
    assert cdr["recordFlag"] == 1, cdr
    r = app.client.request("GET", RECORD_URI, query={"fileName": cdr["recordObjectName"],
                                                      "recordDomain": cdr["recordDomain"]})
    assert r.status == 301, r
    wav = httpx.get(r.headers["location"], timeout=10).content
    info = read_wav_info(wav)
    seconds = len(info.data) / 8000
    assert 2.0 <= seconds <= 3.6, seconds  # the talk time: ~3 s hold, with 2.5 s of audio each way
    pcm = alaw_decode(bytes(info.data))
    samples = list(struct.unpack(f"<{len(pcm) // 2}h", pcm))
    assert rms(samples) > 1000, rms(samples)  # not silence: both tones are in it


def test_the_no_binding_prompt_reaches_the_caller(sip_lab: SipLab, sipp_lab: SippLab) -> None:
    app, _a, _b, _x = sip_lab.axb()
    with RtpSink() as sink:
        result = sip_lab.caller(sipp_lab, "uac_refused", caller=new_users(1)[0], called=app.pool[0],
                                rewrite={"m=audio [media_port]": f"m=audio {sink.port}"}).check()
    assert result.final_status() == 404
    payload_types = {p.payload_type for p in sink.packets}
    assert payload_types & {0, 8}, payload_types
    assert len(sink.packets) >= 100, len(sink.packets)  # > 1 s of prompt (the shipped one is ~3 s)


def test_axe_extension_dialled_as_rfc2833_digits(sip_lab: SipLab, sipp_lab: SippLab, tmp_path: Path) -> None:
    app = sip_lab.app("AXE")
    a, b = new_users(2)
    x = app.pool[0]
    r = app.client.axe_bind(bindNum=b, virtualNum=x, extendNum="1234")
    assert r.ok, r
    dtmf = write_dtmf_pcap(tmp_path / "dtmf.pcap", "1234#")
    callee = sip_lab.callee(sipp_lab, "uas_answer", duration_ms=100)
    sip_lab.caller(sipp_lab, "uac_dtmf", caller=a, called=x, duration_ms=500, files={"dtmf.pcap": dtmf}).check()
    [invite] = callee.wait().check().received_requests("INVITE")
    assert f"sip:{b}@" in (invite.header("To") or "")
    events, cdr = sip_lab.finished(app)
    assert kinds(events)[-1] == "disconnect" and "answer" in kinds(events)
    assert cdr["ulFailReason"] == 0
