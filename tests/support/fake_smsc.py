"""A carrier stand-in speaking Kannel's ``smsc = fake`` line protocol (replaces kannel-extras' fakesmsc).

bearerbox listens on the fake link's ``port``; a ``FakeLine`` connects to it. One message per
``\\n``-terminated line, both ways (Kannel 1.4.5, ``gw/smsc/smsc_fake.c``):

MO, written by the test (``mo_text``, ``mo_udh``)::

    <sender> <receiver> text <literal text>              7-bit, printable ASCII, no newline
    <sender> <receiver> ucs2 <url-encoded UTF-16BE>      UCS-2 (note: "ucs2" on MO)
    <sender> <receiver> udh <url-enc UDH> <url-enc data> forced to 8-bit coding

MT, read by the test (``next_mt``; parsed into ``MtLine``)::

    <sender> <receiver> text <text>
    <sender> <receiver> data|ucs-2 <url-encoded bytes>   (note: "ucs-2" on MT)
    <sender> <receiver> udh <url-enc UDH> data <url-enc bytes>   one segment of a long message, no coding flag

    line = FakeLine(port)
    line.mo_text("+8613800000001", "+8617000000001", "您好\\n+&%")
    segments = line.collect_mt(3)
    assert reassemble(segments, coding=2) == text
"""

from __future__ import annotations

import contextlib
import queue
import socket
import threading
import time
import urllib.parse
from dataclasses import dataclass

HOST = "127.0.0.1"


def _quote(data: bytes) -> str:
    return urllib.parse.quote_from_bytes(data, safe="")


def _unquote(data: bytes) -> bytes:
    """bearerbox url-encodes MT bytes form-style: a 0x20 byte is written "+", a real "+" (0x2B) as "%2B"."""
    return urllib.parse.unquote_to_bytes(data.replace(b"+", b" "))


@dataclass(frozen=True)
class MtLine:
    """One MT line as bearerbox wrote it: ``kind`` is ``text``, ``data``, ``ucs-2`` or ``udh``."""

    sender: str
    receiver: str
    kind: str
    data: bytes
    udh: bytes = b""
    arrived: float = 0.0  # time.time() when the line was read

    @property
    def concatenation(self) -> tuple[int, int, int] | None:
        """(reference, total, sequence) from the UDH's concatenation element (IEI 00 or 08), else None."""
        if not self.udh:
            return None
        elements, i = self.udh[1:1 + self.udh[0]], 0
        while i + 1 < len(elements):
            iei, length = elements[i], elements[i + 1]
            value = elements[i + 2:i + 2 + length]
            if iei == 0x00 and length == 3:
                return value[0], value[1], value[2]
            if iei == 0x08 and length == 4:
                return (value[0] << 8) | value[1], value[2], value[3]
            i += 2 + length
        return None

    def text(self, coding: int = 2) -> str:
        """The line's text: ``ucs-2`` lines are UTF-16BE whatever ``coding`` says; ``text`` lines are as read;
        ``data`` and ``udh`` lines carry no coding, so ``coding`` (sendsms' 0 7-bit, 1 8-bit, 2 UCS-2) decides."""
        if self.kind == "ucs-2":
            return self.data.decode("utf-16-be")
        if self.kind == "text":
            return self.data.decode("utf-8")
        return self.data.decode("utf-16-be" if coding == 2 else "latin-1")

    @classmethod
    def parse(cls, line: bytes, arrived: float = 0.0) -> MtLine:
        """One MT line (without its ``\\n``)."""
        sender, receiver, kind, rest = line.split(b" ", 3)
        udh = b""
        if kind == b"udh":
            encoded_udh, _data_keyword, rest = rest.split(b" ", 2)
            udh = _unquote(encoded_udh)
            data = _unquote(rest)
        elif kind == b"text":
            data = rest
        else:
            data = _unquote(rest)
        return cls(sender.decode(), receiver.decode(), kind.decode(), data, udh, arrived)


def reassemble(segments: list[MtLine], coding: int = 2) -> str:
    """The text of one concatenated MT (its segments in any order, all of one reference), decoded per ``coding``
    (2: UCS-2 as UTF-16BE). A single unsegmented line is returned as its text."""
    if len(segments) == 1 and segments[0].concatenation is None:
        return segments[0].text(coding)
    parts = [(segment.concatenation, segment) for segment in segments]
    if any(concatenation is None for concatenation, _ in parts):
        raise ValueError("a segment without a concatenation UDH")
    references = {concatenation[0] for concatenation, _ in parts if concatenation}
    totals = {concatenation[1] for concatenation, _ in parts if concatenation}
    numbers = sorted(concatenation[2] for concatenation, _ in parts if concatenation)
    if len(references) != 1 or totals != {len(segments)} or numbers != list(range(1, len(segments) + 1)):
        raise ValueError(f"not one complete message: references {references}, totals {totals}, parts {numbers}")
    ordered = sorted(parts, key=lambda part: part[0][2] if part[0] else 0)
    return b"".join(segment.data for _, segment in ordered).decode("utf-16-be" if coding == 2 else "latin-1")


class FakeLine:
    """A TCP connection to bearerbox's fake link: writes MO lines, queues every MT line read (in a thread)."""

    def __init__(self, port: int, host: str = HOST, connect_timeout_s: float = 10.0) -> None:
        deadline = time.monotonic() + connect_timeout_s
        while True:
            try:
                self._socket = socket.create_connection((host, port), timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        self._socket.settimeout(None)
        self.port = port
        self._lines: queue.Queue[MtLine] = queue.Queue()
        self._write_lock = threading.Lock()
        self.closed = threading.Event()  # set when bearerbox closed the line (or close() was called)
        self._reader = threading.Thread(target=self._read, name=f"fake-line-{port}", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        buffer = b""
        while True:
            try:
                chunk = self._socket.recv(65536)
            except OSError:
                break
            if not chunk:
                break
            buffer += chunk
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                if line.strip():
                    self._lines.put(self._parse(line.rstrip(b"\r")))
        self.closed.set()

    @staticmethod
    def _parse(line: bytes) -> MtLine:
        """A line as ``MtLine``; one the protocol does not describe is kept whole as kind ``unparsed``."""
        try:
            return MtLine.parse(line, time.time())
        except ValueError:
            return MtLine("", "", "unparsed", line, b"", time.time())

    # ---- MO -------------------------------------------------------------------------------------

    def send_line(self, line: bytes) -> None:
        """One raw protocol line (the ``\\n`` is added)."""
        with self._write_lock:
            self._socket.sendall(line + b"\n")

    def mo_text(self, sender: str, receiver: str, text: str) -> None:
        """An MO: a ``text`` line for printable ASCII, else ``ucs2`` (UTF-16BE; newlines and emoji survive)."""
        if text and all(32 <= ord(c) < 127 for c in text):
            self.send_line(f"{sender} {receiver} text {text}".encode())
        else:
            self.mo_ucs2(sender, receiver, text)

    def mo_ucs2(self, sender: str, receiver: str, text: str) -> None:
        """An MO in UCS-2 whatever the text (smsbox with mo-recode posts it as UTF-8)."""
        self.send_line(f"{sender} {receiver} ucs2 {_quote(text.encode('utf-16-be'))}".encode())

    def mo_udh(self, sender: str, receiver: str, udh: bytes, data: bytes) -> None:
        """An MO segment with a UDH (bearerbox forces 8-bit coding on these; reassembled parts reach smsbox's
        post-url as ``coding=1``, ``charset=8-BIT``, the raw bytes as the body)."""
        self.send_line(f"{sender} {receiver} udh {_quote(udh)} {_quote(data)}".encode())

    # ---- MT -------------------------------------------------------------------------------------

    def next_mt(self, timeout_s: float = 5.0) -> MtLine:
        """The next MT line; raises ``queue.Empty`` after ``timeout_s``."""
        return self._lines.get(timeout=timeout_s)

    def collect_mt(self, count: int, timeout_s: float = 10.0) -> list[MtLine]:
        """``count`` MT lines within ``timeout_s`` in all; an AssertionError telling how many came otherwise."""
        deadline = time.monotonic() + timeout_s
        lines: list[MtLine] = []
        while len(lines) < count:
            try:
                lines.append(self._lines.get(timeout=max(0.0, deadline - time.monotonic())))
            except queue.Empty:
                raise AssertionError(f"{len(lines)} of {count} MT lines within {timeout_s:g} s: {lines}") from None
        return lines

    def pending_mt(self) -> list[MtLine]:
        """Every MT line read and not yet taken, without waiting."""
        lines = []
        while True:
            try:
                lines.append(self._lines.get_nowait())
            except queue.Empty:
                return lines

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._socket.shutdown(socket.SHUT_RDWR)
        self._socket.close()
        self._reader.join(timeout=2)
        self.closed.set()
