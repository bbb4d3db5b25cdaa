"""Kannel (bearerbox + smsbox, Debian's ``kannel``) as a test tool, with a FakeLine playing the carrier.

    def test_mt(kannel_lab):
        kannel = kannel_lab.start("http://127.0.0.1:8080")       # where Kannel POSTs MO
        assert kannel.sendsms("+8617000000001", "+8613900000002", "您好").status_code == 202
        assert kannel.line.next_mt().text() == "您好"

With privnum between (its env needs Kannel's sendsms URL, Kannel's post-url needs privnum's URL)::

    kannel = kannel_lab.prepare()                                 # ports, credentials, token chosen
    server = start_server("sqlite", extra_env=kannel.env())
    kannel.start(server.base)

Each ``Kannel`` renders ``deploy/kannel/kannel-test.conf.in`` into its own directory with free ports, starts
bearerbox (foreground, ``-v 2``), connects the FakeLine to the fake link, then starts smsbox (pitfall 15: the
carrier first, so no sendsms is queued for later), and waits for the link ``online`` in ``status.txt``.
``restart()`` stops both boxes (SIGTERM, SIGKILL after 10 s) and starts them again with a new FakeLine; the
store file keeps queued MT. The first start logs ``ERROR: fopen failed`` for the missing store files: normal
(pitfall 3). Logs: ``bearerbox.out``/``smsbox.out`` (stdout) and ``bearerbox.log``/``smsbox.log``.

Without ``/usr/sbin/bearerbox`` the tests using it are skipped (``apt-get install kannel``), or fail when
``PRIVNUM_TEST_REQUIRE_SERVICES=1``.
"""

from __future__ import annotations

import contextlib
import re
import secrets
import subprocess
import time
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from fake_smsc import FakeLine
from servers import REQUIRE_SERVICES, free_port

BEARERBOX = Path("/usr/sbin/bearerbox")
SMSBOX = Path("/usr/sbin/smsbox")
TEMPLATE = Path(__file__).resolve().parents[2] / "deploy" / "kannel" / "kannel-test.conf.in"
HOST = "127.0.0.1"
STOP_GRACE_S = 10.0
_ONLINE = re.compile(r"^\s*fake1\[fake1\]\s+FAKE:\d+ \(online ", re.M)
_RECEIVED = re.compile(r"^SMS: received (\d+)", re.M)


def require_kannel() -> None:
    """Skips the test when Kannel is not installed, or fails it when services are required."""
    if BEARERBOX.is_file() and SMSBOX.is_file():
        return
    message = f"{BEARERBOX} is missing (Debian/Ubuntu: apt-get install kannel)"
    if REQUIRE_SERVICES:
        pytest.fail(f"{message}, and PRIVNUM_TEST_REQUIRE_SERVICES=1")
    pytest.skip(message)


def tcp_listening(port: int) -> bool:
    """Whether some socket on this machine listens on TCP ``port`` (Linux: /proc/net/tcp, state 0A)."""
    suffix = f":{port:04X}"
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError), open(table) as lines:
            for line in list(lines)[1:]:
                fields = line.split()
                if fields[1].endswith(suffix) and fields[3] == "0A":
                    return True
    return False


def stop_process(process: subprocess.Popen[bytes] | None, grace_s: float = STOP_GRACE_S) -> None:
    """SIGTERM to the process (by its PID), SIGKILL after ``grace_s``; returns once it is reaped."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class Kannel:
    """One bearerbox + smsbox on free loopback ports, its fake carrier link driven by ``line``."""

    def __init__(self, workdir: Path, privnum_url: str | None = None, *, token: str | None = None,
                 username: str = "privnum", password: str | None = None) -> None:
        workdir.mkdir(parents=True, exist_ok=True)
        self.workdir = workdir
        self.privnum_url = privnum_url.rstrip("/") if privnum_url else None
        self.token = token or secrets.token_urlsafe(16)
        self.username = username
        self.password = password or secrets.token_urlsafe(12)
        self.status_password = secrets.token_urlsafe(12)
        self.admin_password = secrets.token_urlsafe(12)
        self.admin_port, self.smsbox_port, self.sendsms_port, self.fake_port = self._distinct_ports(4)
        self.config = workdir / "kannel.conf"
        self.bearerbox: subprocess.Popen[bytes] | None = None
        self.smsbox: subprocess.Popen[bytes] | None = None
        self._line: FakeLine | None = None
        self.starts = 0

    @staticmethod
    def _distinct_ports(count: int) -> list[int]:
        ports: list[int] = []
        while len(ports) < count:
            port = free_port()
            if port not in ports:
                ports.append(port)
        return ports

    # ---- what a client of it needs ----------------------------------------------------------------

    @property
    def sendsms_url(self) -> str:
        return f"http://{HOST}:{self.sendsms_port}/cgi-bin/sendsms"

    @property
    def status_url(self) -> str:
        return f"http://{HOST}:{self.admin_port}/status.txt?password={self.status_password}"

    @property
    def line(self) -> FakeLine:
        """The carrier's end of the fake link (a new one after each ``restart()``)."""
        if self._line is None:
            raise RuntimeError("Kannel is not started (or its carrier line was disconnected)")
        return self._line

    def env(self) -> dict[str, str]:
        """The ``PRIVNUM_*`` variables that make a privnum server send through this Kannel and accept its MO."""
        return {"PRIVNUM_SMS_GATEWAY": "kannel", "PRIVNUM_KANNEL_SENDSMS_URL": self.sendsms_url,
                "PRIVNUM_KANNEL_USERNAME": self.username, "PRIVNUM_KANNEL_PASSWORD": self.password,
                "PRIVNUM_KANNEL_TOKEN": self.token, "PRIVNUM_KANNEL_ALLOW": HOST}

    def sendsms(self, sender: str, receiver: str, text: str, *, coding: int = 2, timeout_s: float = 10.0,
                **params: str) -> httpx.Response:
        """One sendsms as privnum makes it (``charset=UTF-8``; extra query ``params`` such as ``dlr-mask``)."""
        query = {"username": self.username, "password": self.password, "from": sender, "to": receiver,
                 "text": text, "charset": "UTF-8", "coding": str(coding), **params}
        return httpx.get(self.sendsms_url, params=query, timeout=timeout_s)

    def status(self) -> str:
        """bearerbox's ``status.txt``."""
        return httpx.get(self.status_url, timeout=5).text

    # ---- life cycle -------------------------------------------------------------------------------

    def render(self) -> Path:
        """Writes ``kannel.conf`` from the template (privnum's URL and token in the post-url)."""
        if self.privnum_url is None:
            raise ValueError("no privnum URL: pass it to Kannel() or start()")
        values = {"ADMIN_PORT": self.admin_port, "SMSBOX_PORT": self.smsbox_port, "SENDSMS_PORT": self.sendsms_port,
                  "FAKE_PORT": self.fake_port, "SCRATCH": self.workdir, "ADMIN_PASSWORD": self.admin_password,
                  "STATUS_PASSWORD": self.status_password, "USERNAME": self.username, "PASSWORD": self.password,
                  "PRIVNUM_URL": self.privnum_url, "TOKEN": urllib.parse.quote(self.token, safe="")}
        text = TEMPLATE.read_text()
        for name, value in values.items():
            text = text.replace(f"@{name}@", str(value))
        if left := re.findall(r"@[A-Z_]+@", text):
            raise ValueError(f"unfilled placeholders in {TEMPLATE}: {sorted(set(left))}")
        self.config.write_text(text)
        return self.config

    def start(self, privnum_url: str | None = None, timeout_s: float = 20.0) -> Kannel:
        """bearerbox, the FakeLine, smsbox, then waits for the link online; stops what it started on failure."""
        require_kannel()
        if privnum_url is not None:
            self.privnum_url = privnum_url.rstrip("/")
        self.render()
        deadline = time.monotonic() + timeout_s
        self.starts += 1
        try:
            self.bearerbox = self._spawn(BEARERBOX, "bearerbox")
            self._wait(lambda: tcp_listening(self.smsbox_port), deadline, "bearerbox's smsbox port",
                       self.bearerbox, "bearerbox")
            self._line = FakeLine(self.fake_port, connect_timeout_s=max(1.0, deadline - time.monotonic()))
            self.smsbox = self._spawn(SMSBOX, "smsbox")
            self._wait(lambda: tcp_listening(self.sendsms_port), deadline, "smsbox's sendsms port",
                       self.smsbox, "smsbox")
            self.wait_online(max(1.0, deadline - time.monotonic()))
        except BaseException:
            self.stop()
            raise
        return self

    def wait_online(self, timeout_s: float = 10.0) -> None:
        """Waits until ``status.txt`` shows the fake link online."""
        deadline = time.monotonic() + timeout_s

        def online() -> bool:
            with contextlib.suppress(httpx.HTTPError):
                return bool(_ONLINE.search(self.status()))
            return False

        self._wait(online, deadline, "the fake link online in status.txt", self.bearerbox, "bearerbox")

    def received_sms(self) -> int:
        """How many messages bearerbox has read from its links since it started (``status.txt``)."""
        found = _RECEIVED.search(self.status())
        assert found, "status.txt shows no 'SMS: received' count"
        return int(found.group(1))

    def wait_received(self, count: int, timeout_s: float = 10.0) -> None:
        """Waits until bearerbox has read ``count`` messages: the fake link has no acknowledgement, so an MO still
        in the socket when bearerbox stops is lost, where a real carrier would deliver it again."""
        self._wait(lambda: self.received_sms() >= count, time.monotonic() + timeout_s,
                   f"bearerbox to have read {count} messages", self.bearerbox, "bearerbox")

    def disconnect_line(self) -> None:
        """The carrier goes away: the FakeLine is closed (sendsms then answers ``3: Queued for later delivery``)."""
        if self._line is not None:
            self._line.close()
            self._line = None

    def stop(self) -> None:
        """smsbox then bearerbox, each SIGTERM and SIGKILL after 10 s (by PID), and the FakeLine closed."""
        stop_process(self.smsbox)
        stop_process(self.bearerbox)
        self.disconnect_line()

    def restart(self, timeout_s: float = 20.0) -> Kannel:
        """``stop()`` then ``start()`` on the same ports and store file; ``line`` is a new connection."""
        self.stop()
        return self.start(timeout_s=timeout_s)

    def __enter__(self) -> Kannel:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _spawn(self, binary: Path, name: str) -> subprocess.Popen[bytes]:
        with (self.workdir / f"{name}.out").open("ab") as output:
            output.write(f"---- start {self.starts}\n".encode())
            output.flush()
            return subprocess.Popen([str(binary), "-v", "2", str(self.config)], cwd=self.workdir,
                                    stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT)

    def _wait(self, ready: Callable[[], bool], deadline: float, what: str, process: subprocess.Popen[bytes] | None,
              name: str) -> None:
        while not ready():
            if process is not None and process.poll() is not None:
                raise AssertionError(f"{name} exited ({process.returncode}) before {what}:\n{self.output(name)}")
            if time.monotonic() > deadline:
                raise AssertionError(f"no {what} in time:\n{self.output(name)}")
            time.sleep(0.05)

    def output(self, name: str, tail: int = 3000) -> str:
        """The end of a box's stdout and log file (``name``: ``bearerbox`` or ``smsbox``)."""
        parts = []
        for suffix in (".out", ".log"):
            path = self.workdir / f"{name}{suffix}"
            if path.exists():
                parts.append(f"== {path.name}\n{path.read_text(errors='replace')[-tail:]}")
        return "\n".join(parts)


class KannelLab:
    """Makes ``Kannel`` instances under ``root`` and stops every one on close (use as a context manager)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.instances: list[Kannel] = []

    def prepare(self, privnum_url: str | None = None, **options: str) -> Kannel:
        """A ``Kannel`` with its ports and credentials chosen, not started (``env()`` is ready)."""
        require_kannel()
        kannel = Kannel(self.root / f"kannel-{len(self.instances)}", privnum_url, **options)
        self.instances.append(kannel)
        return kannel

    def start(self, privnum_url: str, **options: str) -> Kannel:
        """A started ``Kannel`` posting MO to ``privnum_url``."""
        return self.prepare(privnum_url, **options).start()

    def close(self) -> None:
        for kannel in self.instances:
            kannel.stop()

    def __enter__(self) -> KannelLab:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


@pytest.fixture
def kannel_lab(tmp_path: Path) -> Iterator[KannelLab]:
    """A ``KannelLab`` in this test's tmp_path; skipped (or failed, in CI) without Kannel. For a module- or
    session-wide Kannel, make a ``KannelLab(tmp_path_factory.mktemp("kannel"))`` in a fixture of that scope."""
    with KannelLab(tmp_path / "kannel") as lab:
        yield lab
