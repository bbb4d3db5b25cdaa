"""The SIPp harness itself, without SIPp: the message-trace parser, ports, datagrams, and the
skip-or-fail rule when sipp is missing."""

from __future__ import annotations

import socket

import pytest

import sipp

INVITE = (
    "INVITE sip:17000000001@127.0.0.1:5060 SIP/2.0\r\n"
    "v: SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bK-1\r\n"
    "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-2\r\n"
    "f: <sip:13800000001@127.0.0.1>;tag=1\r\n"
    "Subject: one\r\n two\r\n"
    "Content-Length:   5\r\n"
    "\r\n"
    "v=0\r\n"
)
BUSY = (
    "SIP/2.0 486 Busy Here\r\n"
    "CSeq: 1 INVITE\r\n"
    "f: <sip:13800000001@127.0.0.1>;tag=1\r\n"
    "Content-Length: 0\r\n"
    "\r\n"
)
# SIPp's -trace_msg layout, byte counts included (received in [], sent in ()).
TRACE = (
    f"----------------------------------------------- 2026-12-01 11:33:23.620617\n"
    f"UDP message received [{len(INVITE)}] bytes :\n\n{INVITE}\n"
    f"----------------------------------------------- 2026-12-01 11:33:23.620777\n"
    f"UDP message sent ({len(BUSY)} bytes):\n\n{BUSY}\n"
)


def test_message_trace_is_parsed() -> None:
    invite, busy = sipp.parse_message_trace(TRACE)
    assert (invite.direction, invite.transport, invite.method) == ("received", "UDP", "INVITE")
    assert invite.request_uri == "sip:17000000001@127.0.0.1:5060"
    assert invite.header_values("VIA") == ["SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bK-1",
                                           "SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-2"]
    assert invite.header("From:") == invite.header("f") == "<sip:13800000001@127.0.0.1>;tag=1"
    assert invite.header("Subject") == "one two"
    assert invite.body == "v=0\r\n"
    assert invite.header("Contact") is None
    assert (busy.direction, busy.status, busy.cseq_method, busy.body) == ("sent", 486, "INVITE", "")
    assert invite.time < busy.time
    assert invite.raw == INVITE and busy.raw == BUSY


def test_result_helpers() -> None:
    result = sipp.SippResult("uas_busy", [], 0, False, sipp.parse_message_trace(TRACE), "", "", "", None)  # type: ignore[arg-type]
    assert result.is_uas and result.ok
    assert result.final_status() == 486 and result.statuses() == [486]
    assert [m.method for m in result.received_requests("INVITE")] == ["INVITE"]
    assert result.received_requests("BYE") == [] and result.received_responses() == []
    assert [m.status for m in result.sent_responses("INVITE")] == [486]


def test_failed_result_explains_itself() -> None:
    result = sipp.SippResult("uac_call", [], 1, False, sipp.parse_message_trace(TRACE), "", "Aborting call", "",
                             None)  # type: ignore[arg-type]
    with pytest.raises(AssertionError, match=r"(?s)exited 1.*INVITE sip:.*Aborting call"):
        result.check()


def test_free_ports_and_datagrams() -> None:
    ports = sipp.free_udp_ports(3)
    assert len(set(ports)) == 3
    base = sipp.free_udp_port_block(4)
    assert base % 2 == 0
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as receiver:
        receiver.bind((sipp.HOST, ports[0]))
        receiver.settimeout(2)
        assert sipp.udp_port_bound(ports[0])
        sipp.send_datagram(sipp.HOST, ports[0], b"\x00garbage")
        assert receiver.recvfrom(100)[0] == b"\x00garbage"


@pytest.mark.parametrize("required", [False, True])
def test_missing_sipp_skips_locally_and_fails_when_required(monkeypatch: pytest.MonkeyPatch, required: bool) -> None:
    monkeypatch.setattr(sipp.shutil, "which", lambda _name: None)
    monkeypatch.setattr(sipp, "REQUIRE_SERVICES", required)
    outcome = pytest.fail.Exception if required else pytest.skip.Exception
    with pytest.raises(outcome, match="sip-tester"):
        sipp.sipp_binary()


def test_scenarios_are_found_by_name() -> None:
    assert sipp.scenario_path("uac_call") == sipp.SCENARIOS / "uac_call.xml"
    assert sipp.scenario_path("uas_busy.xml").exists()
