"""SIPp as a test tool: callers (UAC) and callees (UAS) on 127.0.0.1, and what they sent and received.

    def test_busy(sipp_lab):
        b = sipp_lab.uas("uas_busy")
        a = sipp_lab.uac("uac_refused", b.address, service="17000000001", caller="13800000001")
        a.check()
        assert b.wait().check().received_requests("INVITE")[0].header("From") is not None
        assert a.final_status() == 486

The scenarios live in ``tests/sip/scenarios/`` (each file says what it does and which ``-key`` /
``-d`` it reads). Each SIPp process gets its own working directory, free UDP ports, and
``-trace_msg`` / ``-trace_logs`` / ``-trace_err`` files there; ``SippResult`` parses them.

What ``SippResult.returncode`` holds (SIPp's exit code, or the harness's when it had to kill it):

====  =============================================================================
0     every call succeeded
1     at least one call failed (unexpected message, ``check_it`` miss, ``-timeout`` with
      ``-timeout_error``, retransmission timeout)
97    SIPp exited on an internal command (calls may have been processed)
99    normal exit, but no call was processed
255   fatal error (bad scenario, bad option: SIPp's -1)
254   could not bind a socket (SIPp's -2: a port was taken)
-9    the harness killed SIPp after ``timeout_s`` + a grace period (``timed_out`` is true)
====  =============================================================================

``PRIVNUM_TEST_REQUIRE_SERVICES=1`` (set by .ci/run) makes a missing ``sipp`` a failure;
otherwise tests that use ``sipp_lab`` are skipped when it is not installed.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pytest

from servers import REQUIRE_SERVICES

HOST = "127.0.0.1"
SCENARIOS = Path(__file__).resolve().parents[1] / "sip" / "scenarios"
GRACE_S = 5.0
_FINAL_STATUS = re.compile(r"SIP/2\.0 [3-6]\d\d [^\r\n]*")

# RFC 3261 §7.3.3 compact header names.
_COMPACT = {"i": "call-id", "m": "contact", "e": "content-encoding", "l": "content-length", "c": "content-type",
            "f": "from", "s": "subject", "k": "supported", "t": "to", "v": "via"}

REASONS = {
    300: "Multiple Choices", 301: "Moved Permanently", 302: "Moved Temporarily", 380: "Alternative Service",
    400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
    407: "Proxy Authentication Required", 408: "Request Timeout", 410: "Gone", 415: "Unsupported Media Type",
    480: "Temporarily Unavailable", 481: "Call/Transaction Does Not Exist", 482: "Loop Detected",
    483: "Too Many Hops", 484: "Address Incomplete", 486: "Busy Here", 487: "Request Terminated",
    488: "Not Acceptable Here", 500: "Server Internal Error", 501: "Not Implemented", 502: "Bad Gateway",
    503: "Service Unavailable", 504: "Server Time-out", 600: "Busy Everywhere", 603: "Decline",
    604: "Does Not Exist Anywhere", 606: "Not Acceptable",
}


def sipp_binary() -> str:
    """The path of ``sipp``; skips the test when it is missing, or fails it when services are required."""
    path = shutil.which("sipp")
    if path is None:
        message = "sipp is not on PATH (Debian/Ubuntu: apt-get install sip-tester)"
        if REQUIRE_SERVICES:
            pytest.fail(f"{message}, and PRIVNUM_TEST_REQUIRE_SERVICES=1")
        pytest.skip(message)
    return path


def scenario_path(name: str | Path) -> Path:
    """A scenario by file name (``"uac_call"`` or ``"uac_call.xml"``) or by path."""
    path = Path(name)
    if path.suffix != ".xml":
        path = path.with_suffix(".xml")
    return path if path.is_absolute() or path.exists() else SCENARIOS / path


# ---- ports and datagrams -------------------------------------------------------------------------


def free_udp_ports(count: int = 1, host: str = HOST) -> list[int]:
    """``count`` distinct UDP ports that were free on ``host`` a moment ago (the kernel picks them)."""
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            sockets.append(s)
            s.bind((host, 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def free_udp_port_block(size: int = 4, host: str = HOST, attempts: int = 200) -> int:
    """An even port P with P .. P+size-1 all free: SIPp's media port (-mp) uses P and P+2, RTCP the odd ones."""
    for _ in range(attempts):
        base = free_udp_ports(1, host)[0] & ~1
        if base + size > 65535:
            continue
        sockets: list[socket.socket] = []
        try:
            for port in range(base, base + size):
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                sockets.append(s)
                s.bind((host, port))
            return base
        except OSError:
            continue
        finally:
            for s in sockets:
                s.close()
    raise RuntimeError(f"no block of {size} free UDP ports on {host}")


def send_datagram(host: str, port: int, data: bytes) -> None:
    """One UDP datagram from an ephemeral port (garbage, truncated or oversized SIP for robustness tests)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.sendto(data, (host, port))


def udp_port_bound(port: int) -> bool:
    """Whether some socket on this machine is bound to UDP ``port`` (Linux: /proc/net/udp)."""
    suffix = f":{port:04X}"
    for table in ("/proc/net/udp", "/proc/net/udp6"):
        with contextlib.suppress(OSError), open(table) as lines:
            if any(line.split()[1].endswith(suffix) for line in list(lines)[1:]):
                return True
    return False


# ---- SIP messages from SIPp's message trace ------------------------------------------------------


@dataclass(frozen=True)
class SipMessage:
    direction: str  # "sent" or "received"
    time: datetime
    transport: str  # "UDP", "TCP", ...
    start_line: str
    headers: dict[str, list[str]]  # lower-case full names (compact forms expanded), values in order
    body: str
    raw: str

    @property
    def is_request(self) -> bool:
        return not self.start_line.startswith("SIP/2.0 ")

    @property
    def method(self) -> str | None:
        return self.start_line.split(" ", 1)[0] if self.is_request else None

    @property
    def request_uri(self) -> str | None:
        return self.start_line.split(" ")[1] if self.is_request else None

    @property
    def status(self) -> int | None:
        return None if self.is_request else int(self.start_line.split(" ")[1])

    @property
    def cseq_method(self) -> str | None:
        cseq = self.header("CSeq")
        return cseq.split()[-1] if cseq else None

    def header(self, name: str) -> str | None:
        """The first value of a header (any case, compact form or not), or None."""
        values = self.header_values(name)
        return values[0] if values else None

    def header_values(self, name: str) -> list[str]:
        key = name.lower().rstrip(":")
        return self.headers.get(_COMPACT.get(key, key), [])


_BLOCK = re.compile(r"^-{20,} (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+)\n"
                    r"(\w+) message (sent|received) (?:\[(\d+)\] bytes :|\((\d+) bytes\):)\n\n", re.M)


def parse_sip(raw: str) -> tuple[str, dict[str, list[str]], str]:
    """A SIP message as (start line, headers, body); folded header lines are joined."""
    head, _, body = raw.partition("\r\n\r\n")
    lines = head.split("\r\n")
    unfolded: list[str] = []
    for line in lines[1:]:
        if line[:1] in (" ", "\t") and unfolded:
            unfolded[-1] += " " + line.strip()
        elif line:
            unfolded.append(line)
    headers: dict[str, list[str]] = {}
    for line in unfolded:
        name, _, value = line.partition(":")
        key = name.strip().lower()
        headers.setdefault(_COMPACT.get(key, key), []).append(value.strip())
    length = headers.get("content-length")
    if length and length[0].isdigit():
        body = body.encode("utf-8", "surrogateescape")[:int(length[0])].decode("utf-8", "surrogateescape")
    return lines[0], headers, body


def parse_message_trace(text: str) -> list[SipMessage]:
    """The messages of a SIPp ``-trace_msg`` file, in order (retransmissions included)."""
    messages = []
    matches = list(_BLOCK.finditer(text))
    ends = [following.start() for following in matches[1:]] + [len(text)] * bool(matches)
    for match, end in zip(matches, ends, strict=True):
        stamp, transport, direction, received_size, sent_size = match.groups()
        size = received_size or sent_size
        data = text[match.end():end].encode("utf-8", "surrogateescape")[:int(size)]
        raw = data.decode("utf-8", "surrogateescape")
        start_line, headers, body = parse_sip(raw)
        messages.append(SipMessage(direction, datetime.fromisoformat(stamp), transport, start_line, headers, body,
                                   raw))
    return messages


# ---- results and processes -----------------------------------------------------------------------


@dataclass
class SippResult:
    name: str
    command: list[str]
    returncode: int
    timed_out: bool
    messages: list[SipMessage]
    log: str  # what the scenario's <log> actions wrote (-trace_logs)
    errors: str  # SIPp's error trace (-trace_err): unexpected messages, failed regexps...
    output: str  # SIPp's stdout and stderr (its final statistics screen)
    workdir: Path

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def check(self) -> SippResult:
        """Self, or an AssertionError telling what SIPp saw and said."""
        if not self.ok:
            flow = "\n".join(f"  {m.direction:8} {m.start_line}" for m in self.messages)
            raise AssertionError(f"SIPp {self.name} exited {self.returncode}{' (killed: timeout)' * self.timed_out}"
                                 f"\nmessages:\n{flow}\nerrors:\n{self.errors[-3000:]}\noutput:\n{self.output[-2000:]}")
        return self

    def sent(self) -> list[SipMessage]:
        return [m for m in self.messages if m.direction == "sent"]

    def received(self) -> list[SipMessage]:
        return [m for m in self.messages if m.direction == "received"]

    def received_requests(self, method: str | None = None) -> list[SipMessage]:
        return [m for m in self.received() if m.is_request and method in (None, m.method)]

    def received_responses(self, cseq_method: str | None = None) -> list[SipMessage]:
        return [m for m in self.received() if not m.is_request and cseq_method in (None, m.cseq_method)]

    def sent_requests(self, method: str | None = None) -> list[SipMessage]:
        return [m for m in self.sent() if m.is_request and method in (None, m.method)]

    def sent_responses(self, cseq_method: str | None = None) -> list[SipMessage]:
        return [m for m in self.sent() if not m.is_request and cseq_method in (None, m.cseq_method)]

    def statuses(self, cseq_method: str = "INVITE") -> list[int]:
        """Every response code to ``cseq_method`` this side received (UAC) or sent (UAS), in order, repeats dropped."""
        responses = [m for m in self.messages if not m.is_request and m.cseq_method == cseq_method]
        ours = [m for m in responses if m.direction == ("sent" if self.is_uas else "received")]
        codes: list[int] = []
        for message in ours:
            if message.status is not None and (not codes or codes[-1] != message.status):
                codes.append(message.status)
        return codes

    def final_status(self, cseq_method: str = "INVITE") -> int | None:
        """The first final (>= 200) response code to the INVITE (or ``cseq_method``), or None."""
        return next((code for code in self.statuses(cseq_method) if code >= 200), None)

    @property
    def is_uas(self) -> bool:
        first = next(iter(self.messages), None)
        return first is not None and first.direction == "received" and first.is_request


@dataclass
class SippProcess:
    name: str
    command: list[str]
    workdir: Path
    port: int
    media_port: int
    timeout_s: float
    process: subprocess.Popen[bytes]
    result: SippResult | None = None

    @property
    def address(self) -> tuple[str, int]:
        return HOST, self.port

    @property
    def target(self) -> str:
        """``host:port`` as SIPp takes its remote host."""
        return f"{HOST}:{self.port}"

    def running(self) -> bool:
        return self.process.poll() is None

    def wait(self, timeout_s: float | None = None) -> SippResult:
        """Waits for SIPp to end (killing it past the timeout) and parses its traces."""
        if self.result is not None:
            return self.result
        timed_out = False
        try:
            self.process.wait(timeout=self.timeout_s + GRACE_S if timeout_s is None else timeout_s)
        except subprocess.TimeoutExpired:
            timed_out = True
            self.kill()
        self.result = self._collect(timed_out)
        return self.result

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def _collect(self, timed_out: bool) -> SippResult:
        def read(name: str) -> str:
            path = self.workdir / name
            return path.read_bytes().decode("utf-8", "surrogateescape") if path.exists() else ""

        return SippResult(self.name, self.command, self.process.returncode, timed_out,
                          parse_message_trace(read("messages.log")), read("log.log"), read("errors.log"),
                          read("output.txt"), self.workdir)


@dataclass
class SippLab:
    """Starts SIPp processes under ``root`` and kills any still running on close (use as a context manager)."""

    root: Path
    sipp: str = field(default_factory=sipp_binary)
    processes: list[SippProcess] = field(default_factory=list)

    def __enter__(self) -> SippLab:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        for process in self.processes:
            process.kill()

    def start(self, scenario: str | Path, remote: str | tuple[str, int] | None = None, *,
              keys: Mapping[str, object] | None = None, duration_ms: int | None = None, calls: int = 1,
              files: Mapping[str, Path | bytes] | None = None, timeout_s: float = 30.0,
              auto_answer: bool = False, code: int | None = None, rewrite: Mapping[str, str] | None = None,
              extra_args: Sequence[str] = (), port: int | None = None) -> SippProcess:
        """Starts SIPp in the background: a UAS when ``remote`` is None, else a UAC calling ``remote``.

        ``keys`` become ``-key NAME VALUE`` (scenario keywords); ``duration_ms`` is ``-d`` (every
        scenario says what its ``<pause/>`` means); ``files`` are copied or written into the
        working directory under the given names (``{"audio.pcap": path}`` for the media
        scenarios); ``auto_answer`` is ``-aa`` (200 to INFO, NOTIFY, OPTIONS and UPDATE); ``code``
        rewrites every final status line >= 300 of the scenario (``uas_reject``: 404 by default), in
        a copy, since SIPp checks response codes when it loads a scenario and takes no keyword there;
        ``rewrite`` replaces literal text in that copy (``{"m=audio [media_port]": "m=audio 40000"}``
        sends the peer's RTP to a socket of the test's).
        """
        path = scenario_path(scenario)
        name = path.stem
        workdir = self._workdir(name)
        if code is not None or rewrite:
            text = path.read_text(encoding="iso-8859-1")
            if code is not None:
                text, count = _FINAL_STATUS.subn(f"SIP/2.0 {code} {REASONS.get(code, 'Rejected')}", text)
                if not count:
                    raise ValueError(f"{path.name} sends no final response >= 300 to rewrite")
            for old, new in (rewrite or {}).items():
                if old not in text:
                    raise ValueError(f"{old!r} is not in {path.name}")
                text = text.replace(old, new)
            path = workdir / path.name
            path.write_text(text, encoding="iso-8859-1")
        for file_name, content in (files or {}).items():
            target = workdir / file_name
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:
                shutil.copyfile(content, target)
        port, media_port = port or free_udp_ports(1)[0], free_udp_port_block()
        command = [self.sipp, "-sf", str(path), "-i", HOST, "-p", str(port), "-mi", HOST, "-mp", str(media_port),
                   "-m", str(calls), "-nostdin", "-timeout", f"{timeout_s:g}s", "-timeout_error",
                   "-trace_msg", "-message_file", "messages.log", "-trace_logs", "-log_file", "log.log",
                   "-trace_err", "-error_file", "errors.log"]
        if auto_answer:
            command.append("-aa")
        if duration_ms is not None:
            command += ["-d", str(duration_ms)]
        for key, value in (keys or {}).items():
            command += ["-key", key, str(value)]
        command += list(extra_args)
        if remote is not None:
            command.append(remote if isinstance(remote, str) else f"{remote[0]}:{remote[1]}")
        with (workdir / "output.txt").open("wb") as output:
            process = subprocess.Popen(command, cwd=workdir, stdin=subprocess.DEVNULL, stdout=output,
                                       stderr=subprocess.STDOUT)
        started = SippProcess(name, command, workdir, port, media_port, timeout_s, process)
        self.processes.append(started)
        return started

    def uas(self, scenario: str | Path = "uas_answer", *, keys: Mapping[str, object] | None = None,
            duration_ms: int | None = None, files: Mapping[str, Path | bytes] | None = None, timeout_s: float = 30.0,
            auto_answer: bool = False, code: int | None = None, rewrite: Mapping[str, str] | None = None,
            extra_args: Sequence[str] = (), port: int | None = None) -> SippProcess:
        """A callee in the background, returned once its SIP port is bound (options as for ``start``; ``port``:
        a fixed one, e.g. privnum's trunk)."""
        process = self.start(scenario, None, keys=keys, duration_ms=duration_ms, files=files, timeout_s=timeout_s,
                             auto_answer=auto_answer, code=code, rewrite=rewrite, extra_args=extra_args, port=port)
        deadline = time.monotonic() + 5
        while not udp_port_bound(process.port):
            if not process.running() or time.monotonic() > deadline:
                raise AssertionError(f"SIPp UAS {process.name} did not start:\n{process.wait(0).output[-2000:]}")
            time.sleep(0.02)
        return process

    def start_uac(self, scenario: str | Path, remote: str | tuple[str, int], *, service: str, caller: str,
                  keys: Mapping[str, object] | None = None, duration_ms: int | None = None,
                  files: Mapping[str, Path | bytes] | None = None, timeout_s: float = 30.0,
                  auto_answer: bool = False, rewrite: Mapping[str, str] | None = None,
                  extra_args: Sequence[str] = ()) -> SippProcess:
        """A caller in the background: ``-s service`` is the R-URI user, ``-key caller`` the From user."""
        return self.start(scenario, remote, keys={"caller": caller, **(keys or {})}, duration_ms=duration_ms,
                          files=files, timeout_s=timeout_s, auto_answer=auto_answer, rewrite=rewrite,
                          extra_args=["-s", service, *extra_args])

    def uac(self, scenario: str | Path, remote: str | tuple[str, int], *, service: str, caller: str,
            keys: Mapping[str, object] | None = None, duration_ms: int | None = None,
            files: Mapping[str, Path | bytes] | None = None, timeout_s: float = 30.0,
            auto_answer: bool = False, rewrite: Mapping[str, str] | None = None,
            extra_args: Sequence[str] = ()) -> SippResult:
        """A caller run to its end (one call); its result."""
        return self.start_uac(scenario, remote, service=service, caller=caller, keys=keys, duration_ms=duration_ms,
                              files=files, timeout_s=timeout_s, auto_answer=auto_answer, rewrite=rewrite,
                              extra_args=extra_args).wait()

    def _workdir(self, name: str) -> Path:
        for index in range(1000):
            workdir = self.root / f"{len(self.processes):02d}-{name}" if index == 0 else \
                self.root / f"{len(self.processes):02d}-{name}-{index}"
            with contextlib.suppress(FileExistsError):
                workdir.mkdir(parents=True)
                return workdir
        raise RuntimeError(f"cannot make a working directory under {self.root}")


@pytest.fixture
def sipp_lab(tmp_path: Path) -> Iterator[SippLab]:
    """A ``SippLab`` in this test's tmp_path; skipped (or failed, in CI) without sipp."""
    with SippLab(tmp_path / "sipp") as lab:
        yield lab

