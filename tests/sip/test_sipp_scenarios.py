"""The SIPp scenarios against each other, SIPp UAC straight to SIPp UAS on 127.0.0.1 (no privnum in
between): each pair must end with exit code 0 on both sides, so a failure in a privnum SIP test is
privnum's, not the scenario's."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from rtp_pcap import PCMA, PCMU, SIPP_PCAPS, RtpSink, dtmf_digits, read_rtp_pcap, write_dtmf_pcap, write_tone_pcap

from sipp import SippLab, SippResult

A, X = "13800000001", "17000000001"


def run_pair(lab: SippLab, uac: str, uas: str, *, uac_options: dict | None = None,
             uas_options: dict | None = None) -> tuple[SippResult, SippResult]:
    b = lab.uas(uas, timeout_s=20, **(uas_options or {}))
    a = lab.uac(uac, b.address, service=X, caller=A, timeout_s=20, **(uac_options or {}))
    return a.check(), b.wait().check()


def test_call_caller_hangs_up(sipp_lab: SippLab) -> None:
    a, b = run_pair(sipp_lab, "uac_call", "uas_answer", uac_options={"duration_ms": 300})
    assert a.statuses() == [100, 180, 200]
    assert [m.method for m in a.sent_requests()] == ["INVITE", "ACK", "BYE"]
    invite = b.received_requests("INVITE")[0]
    assert invite.request_uri is not None and invite.request_uri.startswith(f"sip:{X}@")
    assert f"sip:{A}@" in (invite.header("From") or "")
    assert invite.header("content-type") == "application/sdp"
    assert "m=audio" in invite.body and "RTP/AVP 0 8 101" in invite.body
    assert invite.raw in b.log  # the whole INVITE is in the scenario log too
    assert b.final_status() == 200
    assert [m.method for m in b.received_requests()] == ["INVITE", "ACK", "BYE"]
    bye_sent, bye_received = a.sent_requests("BYE")[0], b.received_requests("BYE")[0]
    assert (bye_received.time - bye_sent.time).total_seconds() < 1
    assert (bye_sent.time - a.sent_requests("ACK")[0].time).total_seconds() >= 0.3


def test_busy(sipp_lab: SippLab) -> None:
    a, b = run_pair(sipp_lab, "uac_refused", "uas_busy")
    assert a.final_status() == 486 and b.final_status() == 486
    assert "final response: SIP/2.0 486 Busy Here" in a.log
    assert [m.method for m in a.sent_requests()] == ["INVITE", "ACK"]
    assert a.sent_requests("ACK")[0].header("Via") == a.sent_requests("INVITE")[0].header("Via")


@pytest.mark.parametrize("code", [404, 480, 503, 603])
def test_reject(sipp_lab: SippLab, code: int) -> None:
    a, b = run_pair(sipp_lab, "uac_refused", "uas_reject", uas_options={"code": code})
    assert a.final_status() == code and b.final_status() == code
    assert f"final response: SIP/2.0 {code} " in a.log


def test_reject_default_is_404(sipp_lab: SippLab) -> None:
    a, _ = run_pair(sipp_lab, "uac_refused", "uas_reject")
    assert a.final_status() == 404


def test_refused_fails_on_answer(sipp_lab: SippLab) -> None:
    """uac_refused must not pass when the call is answered."""
    b = sipp_lab.uas("uas_answer", timeout_s=5)
    a = sipp_lab.uac("uac_refused", b.address, service=X, caller=A, timeout_s=5)
    assert a.returncode == 1
    b.kill()


def test_cancel_while_ringing(sipp_lab: SippLab) -> None:
    a, b = run_pair(sipp_lab, "uac_cancel", "uas_no_answer", uac_options={"duration_ms": 500})
    assert a.statuses() == [100, 180, 487]
    assert a.statuses("CANCEL") == [200]
    assert [m.method for m in b.received_requests()] == ["INVITE", "CANCEL", "ACK"]
    invite, cancel = b.received_requests("INVITE")[0], b.received_requests("CANCEL")[0]
    assert cancel.header("Via") == invite.header("Via")
    ringing = a.received_responses("INVITE")[1]
    assert (a.sent_requests("CANCEL")[0].time - ringing.time).total_seconds() >= 0.5


def test_callee_hangs_up(sipp_lab: SippLab) -> None:
    a, b = run_pair(sipp_lab, "uac_callee_hangs_up", "uas_hangs_up", uas_options={"duration_ms": 300})
    bye = a.received_requests("BYE")[0]
    invite = b.received_requests("INVITE")[0]
    assert bye.request_uri == f"sip:{A}@127.0.0.1:{a_port(a)}"  # the INVITE's Contact
    assert bye.header("To") == invite.header("From")
    assert bye.header("Call-ID") == invite.header("Call-ID")
    ok = b.sent_responses("INVITE")[-1]
    assert bye.header("From") == ok.header("To")  # B's tag
    assert b.received_responses("BYE")[0].status == 200


def a_port(result: SippResult) -> int:
    return int(result.command[result.command.index("-p") + 1])


def test_media_both_ways(sipp_lab: SippLab, tmp_path: Path) -> None:
    tone = write_tone_pcap(tmp_path / "tone.pcap", 440, 1.0)
    run_pair(sipp_lab, "uac_media", "uas_media", uac_options={"duration_ms": 1500, "files": {"audio.pcap": tone}},
             uas_options={"files": {"audio.pcap": tone}})


@pytest.mark.parametrize("side", ["uac_media", "uas_media"])
def test_media_is_real_rtp(sipp_lab: SippLab, tmp_path: Path, side: str) -> None:
    """What the media scenarios send, caught by a socket the other side's SDP points at."""
    tone = write_tone_pcap(tmp_path / "tone.pcap", 440, 1.0)
    files = {"audio.pcap": tone}
    with RtpSink() as sink:
        to_sink = {"m=audio [media_port]": f"m=audio {sink.port}"}
        if side == "uac_media":
            run_pair(sipp_lab, "uac_media", "uas_answer", uac_options={"duration_ms": 1500, "files": files},
                     uas_options={"rewrite": to_sink})
        else:
            run_pair(sipp_lab, "uac_call", "uas_media", uac_options={"duration_ms": 1500, "rewrite": to_sink},
                     uas_options={"files": files})
        time.sleep(0.1)
    sent = read_rtp_pcap(tone)
    assert [p.payload for p in sink.packets] == [p.payload for p in sent]
    assert {p.payload_type for p in sink.packets} == {PCMU}
    assert sink.packets[-1].time_s - sink.packets[0].time_s == pytest.approx(0.98, abs=0.15)  # 20 ms pacing


def test_media_with_sipp_pcma_pcap(sipp_lab: SippLab) -> None:
    pcap = SIPP_PCAPS / "g711a.pcap"
    if not pcap.exists():
        pytest.skip(f"{pcap} is not installed")
    with RtpSink() as sink:
        run_pair(sipp_lab, "uac_media", "uas_answer", uac_options={"duration_ms": 300, "files": {"audio.pcap": pcap}},
                 uas_options={"rewrite": {"m=audio [media_port]": f"m=audio {sink.port}"}})
    assert sink.packets and {p.payload_type for p in sink.packets} == {PCMA}


@pytest.mark.parametrize("early", [False, True], ids=["after_answer", "early_media"])
def test_dtmf_rfc2833(sipp_lab: SippLab, tmp_path: Path, early: bool) -> None:
    digits = write_dtmf_pcap(tmp_path / "digits.pcap", "1234#")
    to_sink: dict[str, str] = {}
    with RtpSink() as sink:
        to_sink["m=audio [media_port]"] = f"m=audio {sink.port}"
        # early: a 183 with SDP, as a prompt asking for the extension would come
        a, _ = run_pair(sipp_lab, "uac_dtmf", "uas_early_media" if early else "uas_answer",
                        uac_options={"duration_ms": 300 if early else 1500, "files": {"dtmf.pcap": digits}},
                        uas_options={"rewrite": to_sink, "duration_ms": 1500 if early else 0})
        time.sleep(0.1)
    assert dtmf_digits(sink.packets) == "1234#"
    assert (183 in a.statuses()) is early
    assert a.statuses()[-1] == 200


def test_dtmf_with_sipp_digit_pcap(sipp_lab: SippLab) -> None:
    with RtpSink() as sink:
        run_pair(sipp_lab, "uac_dtmf", "uas_answer",
                 uac_options={"duration_ms": 500, "files": {"dtmf.pcap": SIPP_PCAPS / "dtmf_2833_1.pcap"}},
                 uas_options={"rewrite": {"m=audio [media_port]": f"m=audio {sink.port}"}})
        time.sleep(0.1)
    assert dtmf_digits(sink.packets) == "1"


def test_dtmf_sip_info(sipp_lab: SippLab) -> None:
    a, b = run_pair(sipp_lab, "uac_dtmf_info", "uas_answer", uac_options={"keys": {"digits": "12#"}},
                    uas_options={"auto_answer": True})
    infos = b.received_requests("INFO")
    assert [m.body for m in infos] == [f"Signal={d}\r\nDuration=160\r\n" for d in "12#"]
    assert {m.header("Content-Type") for m in infos} == {"application/dtmf-relay"}
    cseqs = [int((m.header("CSeq") or "").split()[0]) for m in a.sent_requests() if m.method != "ACK"]
    assert cseqs == sorted(set(cseqs))


def test_lab_kills_what_it_started(tmp_path: Path) -> None:
    with SippLab(tmp_path) as lab:
        b = lab.uas("uas_answer")
        assert b.running()
    assert not b.running()


def test_hold_by_re_invite(sipp_lab: SippLab) -> None:
    _, b = run_pair(sipp_lab, "uac_hold", "uas_hold", uac_options={"duration_ms": 100})
    invites = b.received_requests("INVITE")
    assert len(invites) == 2 and "a=sendonly" in invites[1].body
