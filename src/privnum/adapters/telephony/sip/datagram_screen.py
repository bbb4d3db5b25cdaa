"""A first look at every SIP datagram before sippy parses it: what cannot be a SIP message (not UTF-8, no
start line of three parts, no end of headers, a body shorter than its Content-Length) is dropped with one
log line, instead of sippy's traceback and a dump of the whole datagram. Pure."""

from __future__ import annotations

import re

MAX_DATAGRAM = 65_507
_CONTENT_LENGTH = re.compile(rb"^(?:content-length|l)[ \t]*:[ \t]*(\d+)[ \t]*$", re.IGNORECASE | re.MULTILINE)


def why_not_sip(data: bytes) -> str | None:
    """None for a datagram worth parsing, else why it is dropped."""
    if len(data) > MAX_DATAGRAM:
        return "too large"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "not UTF-8"
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        head, sep, body = data.partition(b"\n\n")
    if not sep:
        return "no end of headers"
    start = head.split(b"\n", 1)[0].strip().split(b" ", 2)
    if len(start) < 3:
        return "no start line"
    if not (start[0] == b"SIP/2.0" or start[2].strip() == b"SIP/2.0"):
        return "not SIP/2.0"
    length = _CONTENT_LENGTH.search(head)
    if length is not None and int(length.group(1)) > len(body):
        return "body shorter than Content-Length"
    return None
