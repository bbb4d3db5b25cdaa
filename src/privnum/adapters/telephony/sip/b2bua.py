"""The B2BUA on sippy: one inbound leg (A, from the trunk) and one outgoing leg (to the callee via the trunk)
per call, with media anchored in the embedded rtp.io relay.

Everything here runs on the SIP thread (sippy's ``ED2`` loop, see ``sip_thread``): this module is imported
there and nowhere else. It decides nothing: it reports what the legs do to a ``LegEvents`` (the driver, which
hands it to the call core) and carries out the driver's commands. What crosses from one leg to the other is
an allow-list: fresh events with the status code, reason and a rewritten SDP, never the other leg's headers.
"""

from __future__ import annotations

import itertools
import logging
import os
import socket
from collections.abc import Callable
from typing import Any, Protocol

from sippy.CCEvents import (
    CCEventConnect,
    CCEventDisconnect,
    CCEventFail,
    CCEventInfo,
    CCEventPreConnect,
    CCEventRedirect,
    CCEventRing,
    CCEventTry,
    CCEventUpdate,
)
from sippy.CLIManager import CLIManager
from sippy.MsgBody import MsgBody
from sippy.MyConfigParser import MyConfigParser
from sippy.Rtp_proxy.client import Rtp_proxy_client
from sippy.Rtp_proxy.session import Rtp_proxy_session
from sippy.Rtp_proxy.Session.subcommand import subcommand
from sippy.SipAddress import SipAddress
from sippy.SipCallId import SipCallId
from sippy.SipConf import SipConf
from sippy.SipHeader import SipHeader
from sippy.SipLogger import SipLogger
from sippy.SipPAssertedIdentity import SipPAssertedIdentity
from sippy.SipTransactionManager import SipTransactionManager
from sippy.SipURL import SipURL
from sippy.Time.Timeout import Timeout
from sippy.UA import UA
from sippy.Udp_server import Udp_server_opts

from privnum.adapters.telephony.sip.b2bua_config import B2buaConfig
from privnum.adapters.telephony.sip.datagram_screen import why_not_sip
from privnum.adapters.telephony.sip.dtmf import DigitCollector, digit_of_info
from privnum.adapters.telephony.sip.sdp_privacy import placeholder_answer, private_sdp

log = logging.getLogger("privnum.sip")

RINGBACK_AFTER_S = 0.2  # no decision yet (Block, Y allocation): the caller hears ringback from then on


# ---------------------------------------------------------------------------------------- sippy fixes
def _patch_sippy() -> None:
    """sippy 2.5.0: an upper-case ``;transport=UDP`` in a Contact breaks in-dialog requests ("unsupported
    transport: UDP"), so lower-case it; and never share the SIP port (SO_REUSEPORT let a second instance
    take calls silently), so a taken port is an error at start."""
    original = SipURL.getTAddr
    if getattr(original, "privnum_patched", False):
        return

    def get_taddr(self: Any) -> Any:
        address, transport = original(self)
        return address, (transport.lower() if isinstance(transport, str) else transport)

    get_taddr.privnum_patched = True  # type: ignore[attr-defined]
    SipURL.getTAddr = get_taddr
    Udp_server_opts.flags = socket.SO_REUSEADDR
    # one sender thread: with sippy's default three, two messages sent in a row could leave in either order
    # (a 487 before the 200 of the CANCEL that caused it)
    Udp_server_opts.nworkers = 1


# ---------------------------------------------------------------------------------------- DTMF from rtp.io
CATCH_DTMF_MODULE = "M3:1"  # rtp.io's catch_dtmf, the only module loaded (modules=catch_dtmf)
TELEPHONE_EVENT = 101


class _CatchDtmf(subcommand):  # type: ignore[misc]
    """RTPProxy's catch_dtmf on one side of a session: each digit's end arrives on the notify socket as
    ``<tag> <digit> <volume> <duration> <side>``."""

    name = "catch_dtmf"

    def __init__(self, tag: str, payload_type: int = TELEPHONE_EVENT) -> None:
        super().__init__(f"{CATCH_DTMF_MODULE} {tag} {payload_type}")


def _catch_dtmf_on(side: Any, tag: str) -> None:
    original = side.update

    def update(up: Any) -> None:
        if not any(isinstance(sub, _CatchDtmf) for sub in up.subcommands):
            up.subcommands.append(_CatchDtmf(tag))
        original(up)

    side.update = update


def parse_dtmf_notification(line: str) -> tuple[str, str, int] | None:
    """(tag, digit, side: 0 caller / 1 callee) of a catch_dtmf line, or None."""
    parts = line.split()
    if len(parts) < 5 or not parts[-4] or parts[-4][0] not in "0123456789*#ABCDabcd":
        return None
    try:
        side = int(parts[-1])
    except ValueError:
        return None
    return " ".join(parts[:-4]), parts[-4][0].upper(), side


# ---------------------------------------------------------------------------------------- contracts
class LegEvents(Protocol):
    """What the legs of a call do, reported from the SIP thread (implementations hop to their own loop)."""

    def invited(self, call: SipCall, caller: str, called: str) -> None: ...

    def ringing(self, call: SipCall) -> None: ...

    def answered(self, call: SipCall, dialogs: dict[str, Any]) -> None:
        """The callee answered and the caller got its 200; ``dialogs``: what ending both legs takes
        (``teardown.bye_requests``), kept with the call in case this process dies."""

    def failed(self, call: SipCall, status: int) -> None: ...

    def hung_up(self, call: SipCall, by_caller: bool) -> None: ...

    def digits(self, call: SipCall, digits: str | None) -> None: ...

    def recorded(self, call: SipCall, files: tuple[str, str] | None) -> None: ...


_session_ids = itertools.count(int.from_bytes(os.urandom(3), "big"))


class SipCall:
    """One call's two legs and its media session. Only the SIP thread touches it."""

    def __init__(self, b2bua: B2bua) -> None:
        self.b2bua = b2bua
        self.key = next(_session_ids)
        self.tag = f"privnum-{self.key}"  # the media session's id and notify tag
        self.ua_a = UA(b2bua.gc, event_cb=self._from_a, disc_cbs=(self._a_gone,), fail_cbs=(self._a_gone,),
                       dead_cbs=(self._dead,))
        self.ua_a.local_ua = b2bua.config.user_agent
        self.ua_o: UA | None = None
        self.media: Rtp_proxy_session | None = None
        self.offer: MsgBody | None = None
        self.answered_a = False  # A got a 2xx
        self.early_media = False  # A got a 183 with privnum's SDP
        self.released = False
        self.collector: DigitCollector | None = None
        self.recording: str | None = None
        self._ringback: Timeout | None = None
        self._max_forwards = 70

    # ------------------------------------------------------------ A leg
    def _from_a(self, event: Any, ua: Any) -> None:
        if isinstance(event, CCEventTry):
            self._invited(event)
            return
        if isinstance(event, CCEventInfo):
            digit = digit_of_info(event.getData())
            if digit is not None and self.collector is not None:
                self.collector.press(digit)
                return
            if self.ua_o is not None and self.ua_o.isConnected():
                self.ua_o.recvEvent(CCEventInfo(event.getData()))
            return
        if isinstance(event, CCEventDisconnect | CCEventFail):
            return  # reported by _a_gone
        if isinstance(event, CCEventConnect):  # the caller's ACK: with a body, its answer to a late offer
            body = event.getData()[2]
            if body is not None and self.ua_o is not None:
                self.ua_o.recvEvent(CCEventConnect((200, "OK", self._private(body))))
            return
        if isinstance(event, CCEventUpdate) and self.ua_o is not None:  # re-INVITE / UPDATE (hold)
            self.ua_o.recvEvent(CCEventUpdate(self._private(event.getData())))

    def _invited(self, event: Any) -> None:
        _cid, cli, cld, body, _auth, _name = event.getData()
        self._max_forwards = max((event.max_forwards or 70) - 1, 1)
        numbers = self.b2bua.config.numbers
        caller, called = numbers.to_e164(cli), numbers.to_e164(cld)
        if called is None:
            self._fail_a(404, "Not Found")
            return
        if caller is None:
            caller = cli or "anonymous"
        self.offer = body.getCopy() if body is not None else None  # None: a late offer (the callee makes it)
        if self.b2bua.rtp is not None:
            self.media = Rtp_proxy_session(self.b2bua.gc, call_id=self.tag, from_tag="a", to_tag="o",
                                           notify_tag=self.tag)
            self.media.caller.raddress = self.b2bua.config.listen
            _catch_dtmf_on(self.media.caller, self.tag)
            self.b2bua.by_tag[self.tag] = self
        self._ringback = Timeout(self._ring_a, RINGBACK_AFTER_S)
        self.b2bua.events.invited(self, caller, called)

    def _ring_a(self) -> None:
        self._ringback = None
        if not self.released and self.ua_o is None and not self.early_media and self.ua_a.state is not None \
                and not self.ua_a.isDead():
            self.ua_a.recvEvent(CCEventRing((180, "Ringing", None)))

    def _a_gone(self, ua: Any, rtime: Any, origin: Any, result: int = 0) -> None:
        if not self.released:
            self.b2bua.events.hung_up(self, by_caller=True)

    # ------------------------------------------------------------ outgoing leg
    def _from_o(self, event: Any, ua: Any) -> None:
        if self.released:
            return
        if isinstance(event, CCEventRing):
            code, reason, body = event.getData()
            if code == 100:  # Trying is hop by hop: the callee is not alerted yet
                return
            self.b2bua.events.ringing(self)
            if self.early_media:  # A already hears privnum's media (a prompt): keep it
                return
            self.ua_a.recvEvent(CCEventRing((code, reason, self._private(body))))
            if body is not None:
                self.early_media = True
        elif isinstance(event, CCEventConnect | CCEventPreConnect):  # PreConnect: a 200 with a late offer
            code, reason, body = event.getData()
            self._stop_prompt_to_a()
            self.answered_a = True
            # a late offer's 200 reaches the caller as PreConnect too, so its ACK (the answer) comes back
            answer = CCEventPreConnect if isinstance(event, CCEventPreConnect) else CCEventConnect
            self.ua_a.recvEvent(answer((200, "OK", self._private(body))))
            self.b2bua.events.answered(self, self._dialogs())
        elif isinstance(event, CCEventFail | CCEventRedirect):  # a redirect is not followed: the leg failed
            code = event.getData()[0]
            self.b2bua.events.failed(self, int(code))
        elif isinstance(event, CCEventDisconnect):
            self.b2bua.events.hung_up(self, by_caller=False)
        elif isinstance(event, CCEventUpdate):
            body = event.getData()
            self.ua_a.recvEvent(CCEventUpdate(self._private(body)))
        elif isinstance(event, CCEventInfo):
            self.ua_a.recvEvent(CCEventInfo(event.getData()))

    def _dialogs(self) -> dict[str, Any]:
        legs = [("caller", self.ua_a), ("callee", self.ua_o)]
        return {"driver": "sip", "via": list(self.b2bua.config.listen),
                "legs": [_dialog_of(name, ua) for name, ua in legs if ua is not None]}

    def _private(self, body: Any) -> Any:
        """What of ``body`` crosses to the other leg (``private_sdp``). Every body handed to the other leg goes
        through here first: the relay then rewrites its addresses in place (sippy ignores a body returned by
        an ``on_*_sdp_change`` hook, so filtering there would be lost)."""
        if body is None:
            return None
        return MsgBody(private_sdp(str(body), self.b2bua.config.media_ip, self.key))

    def dial(self, callee: str, display: str, caller_prompt: str | None) -> None:
        if self.released:
            return
        trunk = self.b2bua.config.trunk
        if trunk is None:
            log.warning("no SIP trunk configured (PRIVNUM_SIP_TRUNK): the call to %s cannot be placed", callee)
            self.b2bua.events.failed(self, 503)
            return
        self._cancel_ringback()
        if caller_prompt:
            self.play(caller_prompt, to_caller=True, to_callee=False)
        wire = self.b2bua.config.numbers.to_wire
        x = wire(display)
        pai = SipPAssertedIdentity(address=SipAddress(
            url=SipURL(username=x, host=self.b2bua.config.listen[0], port=self.b2bua.config.listen[1]),
            hadbrace=True))
        self.ua_o = UA(self.b2bua.gc, event_cb=self._from_o, nh_address=trunk, dead_cbs=(self._dead,),
                       extra_headers=(SipHeader(name="p-asserted-identity", body=pai),))
        self.ua_o.local_ua = self.b2bua.config.user_agent
        body = self._private(self.offer)
        if self.media is not None:  # the offer to the callee, or (late offer) its offer and the caller's answer
            self.ua_o.on_local_sdp_change = self.media.on_caller_sdp_change
            self.ua_o.on_remote_sdp_change = self.media.on_callee_sdp_change
            self.media.callee.raddress = trunk
        event = CCEventTry((SipCallId(), x, wire(callee), body, None, None))
        event.max_forwards = self._max_forwards
        self.ua_o.recvEvent(event)

    # ------------------------------------------------------------ media
    def _with_early_media(self, then: Callable[[], None]) -> None:
        """Give A privnum's media (183 with the relay's SDP) before a prompt, then run ``then``."""
        if self.early_media or self.answered_a:
            then()
            return
        if self.media is None or self.offer is None:
            then()
            return
        media, offer = self.media, self.offer.getCopy()
        placeholder = MsgBody(placeholder_answer(str(self.offer), self.b2bua.config.media_ip))

        def got_answer(answer: Any, ex: Any = None) -> None:
            if answer is None or self.ua_a.isDead():  # (a refusal's prompt plays after release)
                then()
                return
            self.early_media = True
            self.ua_a.recvEvent(CCEventRing((183, "Session Progress", self._private(answer))))
            then()

        def got_offer(_rewritten: Any, ex: Any = None) -> None:
            media.callee._on_sdp_change(media, placeholder, got_answer)

        media.caller._on_sdp_change(media, offer, got_offer)

    def play(self, prompt: str, to_caller: bool, to_callee: bool) -> None:
        if self.media is None or self.released:
            return
        media = self.media

        def start() -> None:
            if to_caller:
                media.play_caller(prompt, 1, _ignore)
            if to_callee and self.ua_o is not None:
                media.play_callee(prompt, 1, _ignore)

        if to_caller and not self.answered_a:
            self._with_early_media(start)
        else:
            start()

    def _stop_prompt_to_a(self) -> None:
        if self.media is not None and self.early_media:
            self.media.stop_play_caller(_ignore)

    def collect(self, max_digits: int, prompt: str | None, timeout_s: float) -> None:
        self._cancel_ringback()
        self.collector = DigitCollector(max_digits, timeout_s, self._digits_done, Timeout)
        if prompt:
            self.play(prompt, to_caller=True, to_callee=False)
        else:
            self._with_early_media(lambda: None)
        self.collector.start()

    def pressed(self, digit: str) -> None:
        """The caller pressed ``digit`` (RFC 2833, reported by the relay)."""
        if self.collector is not None:
            self.collector.press(digit)

    def _digits_done(self, digits: str | None) -> None:
        self.collector = None
        self._stop_prompt_to_a()
        self.b2bua.events.digits(self, digits)

    def start_recording(self) -> None:
        if self.media is None or self.released:
            return
        self.recording = f"call-{self.key}"
        self.media.start_recording(self.recording, rflags="", result_callback=_ignore)

    # ------------------------------------------------------------ the end
    def release(self, status: int, reason: str, prompt: str | None, prompt_s: float) -> None:
        if self.released:
            return
        if prompt and not self.answered_a and self.media is not None and not self.ua_a.isDead():
            self.play(prompt, to_caller=True, to_callee=False)
            Timeout(lambda: self._hang_up(status, reason), max(prompt_s, 0.2))
            self.released = True
            return
        self.released = True
        self._hang_up(status, reason)

    def _hang_up(self, status: int, reason: str) -> None:
        self._cancel_ringback()
        if self.collector is not None:
            self.collector.cancel()
            self.collector = None
        if self.ua_o is not None and not self.ua_o.isDead():
            self.ua_o.recvEvent(CCEventDisconnect())
        if not self.ua_a.isDead():
            if self.answered_a:
                self.ua_a.recvEvent(CCEventDisconnect())
            else:
                self._fail_a(status, reason)
        self._end_media()

    def _fail_a(self, status: int, reason: str) -> None:
        self.ua_a.recvEvent(CCEventFail((status, reason)))

    def _end_media(self) -> None:
        media, self.media = self.media, None
        if media is None:
            return
        recording = self.recording
        media.delete()
        if recording is not None:
            self.recording = None
            self.b2bua.events.recorded(self, self.b2bua.recording_files(recording))

    def stop_recording(self) -> None:
        """The recording ends with the media session (rtp.io closes the files at delete)."""
        if self.media is None or self.recording is None:
            self.b2bua.events.recorded(self, None)
            return
        self._end_media()

    def _cancel_ringback(self) -> None:
        if self._ringback is not None:
            self._ringback.cancel()
            self._ringback = None

    def _dead(self, ua: Any) -> None:
        if self.ua_a.isDead() and (self.ua_o is None or self.ua_o.isDead()):
            self.b2bua.calls.discard(self)
            self.b2bua.by_tag.pop(self.tag, None)
            if self.media is not None and self.released:
                self._end_media()


def _dialog_of(name: str, ua: Any) -> dict[str, Any]:
    """One leg's dialog as strings: enough to send it a BYE from any process (see ``teardown``)."""
    (host, port), _transport = ua.rAddr
    return {"leg": name, "call_id": str(ua.cId), "from": str(ua.lUri), "to": str(ua.rUri),
            "target": str(ua.rTarget), "routes": [str(route) for route in (ua.routes or [])],
            "cseq": int(ua.lCSeq) + 100, "address": [str(host), int(port)]}


class _ScreenedTransactionManager(SipTransactionManager):  # type: ignore[misc]
    """sippy's transaction manager behind ``why_not_sip``."""

    def handleIncoming(self, data_in: Any, ra: Any, server: Any, rtime: Any) -> None:
        reason = why_not_sip(data_in if isinstance(data_in, bytes) else str(data_in).encode())
        if reason is not None:
            log.info("dropped a datagram from %s: %s", getattr(ra, "address", ra), reason)
            return
        super().handleIncoming(data_in, ra, server, rtime)


def _ignore(*_args: Any, **_kwargs: Any) -> None:
    return None


class B2bua:
    """The SIP endpoint: answers OPTIONS, refuses untrusted INVITEs with 403, starts a ``SipCall`` per
    trusted INVITE."""

    def __init__(self, config: B2buaConfig, events: LegEvents) -> None:
        _patch_sippy()
        self.config = config
        self.events = events
        self.calls: set[SipCall] = set()
        self.by_tag: dict[str, SipCall] = {}  # media notify tag -> call
        gc = MyConfigParser()
        gc["_sip_address"], gc["_sip_port"] = config.listen
        gc["_sip_logger"] = SipLogger("privnum-sip")
        SipConf.my_uaname = config.user_agent
        self.gc = gc
        gc["_sip_tm"] = _ScreenedTransactionManager(gc, self._request)  # binds the port first: OSError if taken
        os.makedirs(os.path.join(config.spool_dir, "done"), exist_ok=True)
        args = ["-l", config.media_ip, "-m", str(config.rtp_ports[0]), "-M", str(config.rtp_ports[1]),
                "-P", "-S", config.spool_dir, "-r", os.path.join(config.spool_dir, "done"), "-d", "err",
                "modules=catch_dtmf"]
        if os.geteuid() == 0:
            args.append("-F")
        self.rtp: Rtp_proxy_client | None = Rtp_proxy_client(gc, spath="rtp.io:" + ";".join(args),
                                                             nsetup_f=self._notifications)
        gc["_rtp_proxy_clients"] = [self.rtp]

    def _notifications(self, sock: Any, _spec: str) -> None:
        CLIManager(sock, self._notified)

    def _notified(self, _clim: Any, line: str) -> bool:
        parsed = parse_dtmf_notification(line)
        if parsed is not None:
            tag, digit, side = parsed
            call = self.by_tag.get(tag)
            if call is not None and side == 0:
                call.pressed(digit)
        return False

    def recording_files(self, name: str) -> tuple[str, str]:
        done = os.path.join(self.config.spool_dir, "done")
        return os.path.join(done, f"{name}.a.rtp"), os.path.join(done, f"{name}.o.rtp")

    def _request(self, req: Any, sip_t: Any) -> Any:
        try:
            method = req.getMethod()
            if req.getHFBody("to").getTag() is not None:
                return req.genResponse(481, "Call/Transaction Does Not Exist", server=self.config.user_agent), \
                    None, None
            if method == "OPTIONS":
                return req.genResponse(200, "OK", server=self.config.user_agent), None, None
            if method != "INVITE":
                return req.genResponse(405 if method in ("BYE", "INFO", "UPDATE", "NOTIFY", "MESSAGE", "REFER")
                                       else 501, "Method Not Allowed" if method != "" else "Not Implemented",
                                       server=self.config.user_agent), None, None
            source = req.getSource()[0]
            if not self.config.trusted.allows(source):
                log.warning("refused an INVITE from %s: not the trunk and not in PRIVNUM_SIP_TRUSTED", source)
                return req.genResponse(403, "Forbidden", server=self.config.user_agent), None, None
            call = SipCall(self)
            self.calls.add(call)
            return call.ua_a.recvRequest(req, sip_t)
        except Exception:
            log.exception("a SIP request could not be handled")
            try:
                return req.genResponse(400, "Bad Request", server=self.config.user_agent), None, None
            except Exception:
                return None
