"""What of one leg's SDP crosses to the other leg: an allow-list, after the media relay rewrote the
addresses. The origin (``o=``) and session name (``s=``) are privnum's own; only the media description
lines a call needs cross (codecs, DTMF, direction, packet time); everything else (ICE candidates,
crypto, tool names, phone identifiers in ``i=``/``u=``/``e=``/``p=``) stays behind."""

from __future__ import annotations

import itertools

SESSION_LINES = ("v=", "c=", "t=")
MEDIA_ATTRIBUTES = ("rtpmap:", "fmtp:", "ptime:", "maxptime:", "sendrecv", "sendonly", "recvonly", "inactive")

_versions = itertools.count(1)


def _allowed(line: str) -> bool:
    return line.startswith((*SESSION_LINES, "m=")) or (line.startswith("a=") and line[2:].startswith(MEDIA_ATTRIBUTES))


def private_sdp(sdp: str, media_ip: str, session_id: int) -> str:
    """``sdp`` with privnum's origin and session name and only the allowed lines, CRLF-terminated."""
    out: list[str] = []
    version = next(_versions)
    family = "IP6" if ":" in media_ip else "IP4"
    for raw in sdp.replace("\r\n", "\n").split("\n"):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("o="):
            out.append(f"o=privnum {session_id} {version} IN {family} {media_ip}")
        elif line.startswith("s="):
            out.append("s=privnum")
        elif _allowed(line):
            out.append(line)
    if not any(line.startswith("s=") for line in out):
        out.insert(min(2, len(out)), "s=privnum")
    return "\r\n".join(out) + "\r\n"


PROMPT_CODECS = {"0": "PCMU/8000", "8": "PCMA/8000"}


def placeholder_answer(offer: str, media_ip: str) -> str:
    """The answer of a callee that is not there yet (privnum plays to the caller alone): the offer's G.711
    codecs and telephone-event in the offer's order, media to the discard port."""
    formats: list[str] = []
    events: list[str] = []
    for raw in offer.replace("\r\n", "\n").split("\n"):
        line = raw.strip()
        if line.startswith("m=audio") and not formats:
            formats = [f for f in line.split()[3:] if f in PROMPT_CODECS]
        elif line.startswith("a=rtpmap:") and "telephone-event/8000" in line.lower():
            events.append(line[len("a=rtpmap:"):].split()[0])
    formats = formats or ["8", "0"]
    rtpmaps = [f"a=rtpmap:{f} {PROMPT_CODECS[f]}" for f in formats]
    rtpmaps += [f"a=rtpmap:{e} telephone-event/8000" for e in events[:1]]
    family = "IP6" if ":" in media_ip else "IP4"
    return "\r\n".join(["v=0", f"o=privnum 1 1 IN {family} {media_ip}", "s=privnum", "c=IN IP4 127.0.0.1", "t=0 0",
                         f"m=audio 9 RTP/AVP {' '.join(formats + events[:1])}", *rtpmaps]) + "\r\n"
