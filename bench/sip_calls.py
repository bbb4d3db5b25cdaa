"""SIP call setups through privnum's B2BUA, beside SIPp calling SIPp directly in the same run.

Starts its own ``privnum serve`` (one worker, SIP on, SQLite in a temp dir unless --database-url) whose
trunk is a SIPp callee (``uas_answer``, 100 ms ring), creates an AXB app with one X number and one binding
A-X-B, then drives SIPp callers (``uac_call``, SDP offered, no RTP sent, 1 s hold) at rising rates:

    PYTHONPATH=src .venv/bin/python bench/sip_calls.py --quick      # 25, 50, 100 calls/s, 5 s each
    PYTHONPATH=src .venv/bin/python bench/sip_calls.py              # 25 ... 400 calls/s, 10 s each
    PYTHONPATH=src .venv/bin/python bench/sip_calls.py --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/DB

Each step runs the same SIPp caller first straight at the callee (the ceiling: what SIPp itself does on this
box), then through privnum; the ramp stops at the first step where a call through privnum fails. Per step:
calls ok/failed and SIPp retransmissions; setup = INVITE sent -> 180 received at the caller, from SIPp's
``-trace_rtt`` (one value per call, whole milliseconds); privnum's CPU (utime+stime of the serve process and
its children over the step's wall time, 100 % = one core).

Post-dial delay added by privnum, at 50 calls/s: INVITE sent -> 180 received per call, from the caller's
``-trace_msg`` timestamps (microseconds), through privnum minus direct, p50 and p99, for signalling only
(SDP offered, media anchored, no RTP) and with RTP both ways (``uac_media``/``uas_media``, a 1 s tone each
way, UDP datagrams counted from /proc/net/snmp).

The SIPp processes share the machine's cores with privnum: compare ratios within one run. Everything is
written to a temp dir, which is removed at the end (--keep keeps it); every process started is killed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "tests" / "sip" / "scenarios"
sys.path.insert(0, str(ROOT / "tests" / "sip" / "media"))
from rtp_pcap import write_tone_pcap  # noqa: E402

HOST = "127.0.0.1"
URI = "/rest/caas/relationnumber/partners/v1.0"
CLK_TCK = os.sysconf("SC_CLK_TCK")
RING_MS = 100


# ---- ports, processes, CPU -----------------------------------------------------------------------


def free_port(kind: int = socket.SOCK_DGRAM) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def free_port_block(size: int = 4) -> int:
    """An even port P with P .. P+size-1 free on UDP (SIPp's -mp uses P and P+2)."""
    for _ in range(200):
        base = free_port() & ~1
        sockets: list[socket.socket] = []
        try:
            for port in range(base, base + size):
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                sockets.append(s)
                s.bind((HOST, port))
            return base
        except OSError:
            continue
        finally:
            for s in sockets:
                s.close()
    raise RuntimeError("no free block of UDP ports")


def udp_bound(port: int) -> bool:
    suffix = f":{port:04X}"
    with open("/proc/net/udp") as lines:
        return any(line.split()[1].endswith(suffix) for line in list(lines)[1:])


def udp_datagrams() -> int:
    """Udp OutDatagrams of the whole machine (every RTP packet sent on loopback counts once)."""
    with open("/proc/net/snmp") as snmp:
        rows = [line.split() for line in snmp if line.startswith("Udp:")]
    return int(rows[1][rows[0].index("OutDatagrams")])


def tree_cpu_ticks(root: int) -> int:
    """utime+stime (clock ticks) of ``root`` and every live descendant (threads are counted in their process)."""
    parents: dict[int, int] = {}
    ticks: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry)] = int(fields[1])
        ticks[int(entry)] = int(fields[11]) + int(fields[12])
    members, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent and pid not in members]
        members.update(children)
        frontier.extend(children)
    return sum(ticks.get(pid, 0) for pid in members)


class Processes:
    """Every process the bench starts; ``close`` kills those still running (each by its own pid)."""

    def __init__(self) -> None:
        self.started: list[subprocess.Popen] = []

    def start(self, command: Sequence[str], **options: object) -> subprocess.Popen:
        process = subprocess.Popen(list(command), **options)  # type: ignore[call-overload]
        self.started.append(process)
        return process

    def stop(self, process: subprocess.Popen, timeout_s: float = 5.0) -> None:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def close(self) -> None:
        for process in reversed(self.started):
            self.stop(process)


# ---- SIPp ------------------------------------------------------------------------------------------


def scenario(work: Path, name: str) -> Path:
    """A copy of a test scenario in ``work``: the caller's INVITE starts the ``setup`` timer, a 180/183 stops it."""
    text = (SCENARIOS / f"{name}.xml").read_text(encoding="iso-8859-1")
    if name.startswith("uac_"):
        text = text.replace('<send retrans="500"><![CDATA[\n      INVITE',
                            '<send retrans="500" start_rtd="setup"><![CDATA[\n      INVITE', 1)
        for code in ("180", "183"):
            text = text.replace(f'<recv response="{code}" optional="true"',
                                f'<recv response="{code}" optional="true" rtd="setup"')
        if 'start_rtd="setup"' not in text or 'rtd="setup"' not in text.replace('start_rtd="setup"', ""):
            raise RuntimeError(f"{name}.xml no longer has the INVITE / 180 this bench marks")
    path = work / f"{name}.xml"
    path.write_text(text, encoding="iso-8859-1")
    return path


@dataclass
class Step:
    label: str
    rate: int
    ok: int
    failed: int
    retrans: int
    setup_ms: list[float]  # per call, from -trace_rtt (whole ms)
    pdd_ms: list[float]  # per call, from -trace_msg (µs timestamps); empty unless traced
    seconds: float
    cpu: float | None = None  # privnum's CPU, % of one core
    datagrams: int = 0
    returncode: int = 0


_BLOCK = re.compile(r"^-{20,} (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+)\n\w+ message (sent|received)[^\n]*\n\n"
                    r"([^\r\n]*)\r?\n(.*?)(?=^-{20,} \d{4}-|\Z)", re.M | re.S)
_CALL_ID = re.compile(r"^(?:Call-ID|i)\s*:\s*(\S+)", re.M | re.I)


def invite_to_ringing(trace: str) -> list[float]:
    """Per call: first INVITE sent -> first 180 (or 183) received, in ms, from a SIPp -trace_msg file."""
    sent: dict[str, datetime] = {}
    delays: dict[str, float] = {}
    for match in _BLOCK.finditer(trace):
        stamp, direction, start_line, rest = match.groups()
        found = _CALL_ID.search(rest)
        if not found:
            continue
        call = found.group(1)
        if direction == "sent" and start_line.startswith("INVITE ") and call not in sent:
            sent[call] = datetime.fromisoformat(stamp)
        elif (direction == "received" and re.match(r"SIP/2\.0 18[03] ", start_line) and call in sent
              and call not in delays):
            delays[call] = (datetime.fromisoformat(stamp) - sent[call]).total_seconds() * 1000
    return list(delays.values())


class Sipp:
    def __init__(self, work: Path, processes: Processes) -> None:
        self.work = work
        self.processes = processes
        self.binary = shutil.which("sipp") or sys.exit("sipp is not on PATH (apt-get install sip-tester)")
        self.count = 0

    def _dir(self, name: str) -> Path:
        self.count += 1
        path = self.work / f"{self.count:02d}-{name}"
        path.mkdir()
        return path

    def uas(self, name: str, port: int, pcap: Path | None = None) -> subprocess.Popen:
        """A callee on ``port`` for the whole run (no -m: it answers until it is killed)."""
        workdir = self._dir(name)
        if pcap:
            shutil.copyfile(pcap, workdir / "audio.pcap")
        command = [self.binary, "-sf", str(scenario(workdir, name)), "-i", HOST, "-p", str(port), "-mi", HOST,
                   "-mp", str(free_port_block()), "-d", str(RING_MS), "-nostdin", "-l", "100000",
                   "-max_socket", "100000"]
        with (workdir / "output.txt").open("wb") as out:
            process = self.processes.start(command, cwd=workdir, stdin=subprocess.DEVNULL, stdout=out,
                                           stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 5
        while not udp_bound(port):
            if process.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"SIPp {name} did not start: {(workdir / 'output.txt').read_text()[-2000:]}")
            time.sleep(0.02)
        return process

    def calls(self, name: str, target: int, rate: int, seconds: float, hold_ms: int, *, label: str,
              service: str, caller: str, pcap: Path | None = None, trace_msg: bool = False,
              cpu_of: int | None = None, profile: tuple[Path, float] | None = None) -> Step:
        """``rate`` calls/s for ``seconds`` (``-r rate -m rate*seconds``) to 127.0.0.1:``target``, run to the end."""
        workdir = self._dir(f"{name}-{label}-{rate}")
        if pcap:
            shutil.copyfile(pcap, workdir / "audio.pcap")
        total = max(1, round(rate * seconds))
        bound_s = seconds + hold_ms / 1000 + 40
        command = [self.binary, "-sf", str(scenario(workdir, name)), "-i", HOST, "-p", str(free_port()),
                   "-mi", HOST, "-mp", str(free_port_block()), "-s", service, "-key", "caller", caller,
                   "-d", str(hold_ms), "-r", str(rate), "-m", str(total), "-l", str(max(100, rate * 30)),
                   "-nostdin", "-recv_timeout", "10000", "-timeout", f"{bound_s:.0f}s", "-timeout_error",
                   "-trace_stat", "-stf", "stat.csv", "-fd", "1", "-trace_rtt", "-rtt_freq", "1",
                   "-trace_err", "-error_file", "errors.log"]
        if trace_msg:
            command += ["-trace_msg", "-message_file", "messages.log"]
        command.append(f"{HOST}:{target}")
        datagrams = udp_datagrams()
        ticks = tree_cpu_ticks(cpu_of) if cpu_of else 0
        begun = time.monotonic()
        with (workdir / "output.txt").open("wb") as out:
            process = self.processes.start(command, cwd=workdir, stdin=subprocess.DEVNULL, stdout=out,
                                           stderr=subprocess.STDOUT)
        spy = None
        if profile and cpu_of:
            out_path, duration = profile
            spy = self.processes.start([str(Path(sys.executable).parent / "py-spy"), "record", "--pid", str(cpu_of),
                                        "--duration", f"{duration:.0f}", "--format", "raw", "--rate", "100",
                                        "--nonblocking", "--gil", "--threads", "-o", str(out_path)],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        try:
            process.wait(timeout=bound_s + 10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        elapsed = time.monotonic() - begun
        cpu = (tree_cpu_ticks(cpu_of) - ticks) / CLK_TCK / elapsed * 100 if cpu_of else None
        if spy:
            with contextlib.suppress(subprocess.TimeoutExpired):
                spy.wait(timeout=30)
        datagrams = udp_datagrams() - datagrams
        ok, failed, retrans = self._stat(workdir / "stat.csv")
        setup = []
        for rtt in workdir.glob("*_rtt.csv"):
            for line in rtt.read_text().splitlines()[1:]:
                parts = line.split(";")
                if len(parts) >= 3 and parts[2] == "setup":
                    setup.append(float(parts[1]))
        pdd = invite_to_ringing((workdir / "messages.log").read_text(errors="replace")) if trace_msg else []
        return Step(label, rate, ok, failed, retrans, setup, pdd, elapsed, cpu, datagrams, process.returncode)

    @staticmethod
    def _stat(path: Path) -> tuple[int, int, int]:
        if not path.exists():
            return 0, 0, 0
        rows = [line.split(";") for line in path.read_text().splitlines() if line.strip()]
        if len(rows) < 2:
            return 0, 0, 0
        head, last = rows[0], rows[-1]
        value = lambda name: int(last[head.index(name)])  # noqa: E731
        return value("SuccessfulCall(C)"), value("FailedCall(C)"), value("Retransmissions(C)")


# ---- privnum ---------------------------------------------------------------------------------------


@dataclass
class Privnum:
    process: subprocess.Popen
    sip_port: int
    x: str
    a: str
    b: str


def start_privnum(work: Path, processes: Processes, database_url: str | None, trunk: int,
                  rtp_ports: str) -> Privnum:
    url = database_url or f"sqlite+aiosqlite:///{work / 'bench.db'}"
    http_port, sip_port = free_port(socket.SOCK_STREAM), free_port()
    pythonpath = os.pathsep.join(p for p in (str(ROOT / "src"), os.environ.get("PYTHONPATH", "")) if p)
    env = {**os.environ, "PYTHONPATH": pythonpath, "PRIVNUM_DATABASE_URL": url, "PRIVNUM_PORT": str(http_port),
           "PRIVNUM_HOST": HOST, "PRIVNUM_SANDBOX": "0", "PRIVNUM_SIP": "1",
           "PRIVNUM_SIP_LISTEN": f"{HOST}:{sip_port}", "PRIVNUM_SIP_TRUNK": f"{HOST}:{trunk}",
           "PRIVNUM_RTP_PORTS": rtp_ports, "PRIVNUM_AUTH_LOCKOUT_FAILURES": "1000000"}
    env.pop("PRIVNUM_REDIS_URL", None)
    cli = [sys.executable, "-m", "privnum"]

    def run(*args: str) -> str:
        done = subprocess.run([*cli, *args], env=env, cwd=work, capture_output=True, text=True, timeout=120)
        if done.returncode:
            sys.exit(f"privnum {' '.join(args[:2])} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    run("db", "upgrade")
    created = json.loads(run("app", "create", "--name", "bench-sip", "--mode", "AXB", "--account",
                             f"bench-{secrets.token_hex(4)}", "--json"))
    base = 17000000000 + secrets.randbelow(10**6) * 1000
    users = 13900000000 + secrets.randbelow(10**6) * 1000
    x, a, b = f"+86{base}", f"+86{users}", f"+86{users + 1}"
    run("numbers", "add", "--app", created["app_key"], "--area-code", "0755", x)
    with (work / "server.log").open("wb") as log:
        process = processes.start([*cli, "serve", "--workers", "1"], env=env, cwd=work, stdout=log,
                                  stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while True:
        if process.poll() is not None or time.monotonic() > deadline:
            sys.exit(f"privnum serve did not come up:\n{(work / 'server.log').read_text()[-3000:]}")
        with contextlib.suppress(OSError), urllib.request.urlopen(f"http://{HOST}:{http_port}/health",
                                                                  timeout=1) as r:
            if r.status == 200 and udp_bound(sip_port):
                break
        time.sleep(0.1)
    answer = run("api", "POST", URI, json.dumps({"relationNum": x, "callerNum": a, "calleeNum": b}),
                 "--key", created["app_key"], "--secret", created["app_secret"],
                 "--base-url", f"http://{HOST}:{http_port}")
    bound = json.loads(answer.partition("\n")[2])  # "HTTP 200", then the body
    if bound.get("resultcode") != "0":
        sys.exit(f"bind failed: {bound}")
    return Privnum(process, sip_port, x.lstrip("+"), a.lstrip("+"), b.lstrip("+"))


# ---- report ----------------------------------------------------------------------------------------


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def avg(values: list[float]) -> float:
    return statistics.fmean(values) if values else float("nan")


def row(step: Step) -> str:
    cpu = f"{step.cpu:5.0f} %" if step.cpu is not None else "      -"
    return (f"{step.rate:6d} {step.label:8s} {step.ok:6d} {step.failed:6d} {step.retrans:7d} "
            f"{avg(step.setup_ms):8.1f} {pct(step.setup_ms, 50):6.0f} {pct(step.setup_ms, 99):6.0f} "
            f"{max(step.setup_ms, default=float('nan')):6.0f} {cpu}")


@contextlib.contextmanager
def interrupts_as_exit() -> Iterator[None]:
    """Ctrl-C, SIGTERM and SIGHUP end the bench through the finally that kills every process (SIGINT set
    explicitly: a shell's background job starts with it ignored)."""
    def stop(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    kinds = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    previous = {kind: signal.signal(kind, stop) for kind in kinds}
    try:
        yield
    finally:
        for kind, handler in previous.items():
            signal.signal(kind, handler)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--database-url", default=None)
    ap.add_argument("--quick", action="store_true", help="25, 50, 100 calls/s, 5 s each; PDD over 5 s")
    ap.add_argument("--rates", default="25,50,100,150,200,250,300,350,400")
    ap.add_argument("--step-seconds", type=float, default=10.0)
    ap.add_argument("--hold-ms", type=int, default=1000)
    ap.add_argument("--pdd-rate", type=int, default=50)
    ap.add_argument("--pdd-seconds", type=float, default=10.0)
    ap.add_argument("--rtp-ports", default="30000-39999")
    ap.add_argument("--profile", type=Path, default=None,
                    help="py-spy raw (collapsed) stacks of privnum's GIL holder during the --profile-rate step, "
                         "to this file")
    ap.add_argument("--profile-rate", type=int, default=150)
    ap.add_argument("--keep", action="store_true", help="keep the temp dir (SIPp traces, server log)")
    args = ap.parse_args()
    rates = [25, 50, 100] if args.quick else [int(r) for r in args.rates.split(",")]
    step_s = 5.0 if args.quick else args.step_seconds
    pdd_s = 5.0 if args.quick else args.pdd_seconds

    work = Path(tempfile.mkdtemp(prefix="privnum-sip-bench-"))
    processes = Processes()
    try:
        with interrupts_as_exit():
            run(args, work, processes, rates, step_s, pdd_s)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
    finally:
        processes.close()
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def run(args: argparse.Namespace, work: Path, processes: Processes, rates: list[int], step_s: float,
        pdd_s: float) -> None:
    sipp = Sipp(work, processes)
    trunk = free_port()
    callee = sipp.uas("uas_answer", trunk)
    server = start_privnum(work, processes, args.database_url, trunk, args.rtp_ports)
    pid = server.process.pid
    who = {"service": server.x, "caller": server.a}

    check = sipp.calls("uac_call", server.sip_port, 1, 1, 200, label="check", **who)
    if check.ok != 1:
        sys.exit(f"a single call through privnum failed: {check}\n{(work / 'server.log').read_text()[-3000:]}")

    print(f"privnum serve pid {pid}, SIP {HOST}:{server.sip_port}, trunk SIPp {HOST}:{trunk}; "
          f"database {(args.database_url or 'sqlite').split('://')[0]}")
    # first, on the fresh server: after an overloaded ramp step the server is still working off its backlog
    print(f"post-dial delay at {args.pdd_rate} calls/s, {pdd_s:.0f} s: INVITE sent -> 180 received at the "
          "caller (SIPp -trace_msg timestamps, µs)")
    print(f"{'variant':28s} {'ok/failed':>10} {'direct p50/p99':>16} {'privnum p50/p99':>17} "
          f"{'added p50/p99':>15} {'CPU':>6} {'UDP out':>9}")
    variants = [("signalling (SDP, no RTP)", "uac_call", callee, None)]
    tone = write_tone_pcap(work / "tone.pcap", 440.0, args.hold_ms / 1000)
    variants.append(("RTP both ways (1 s tone)", "uac_media", None, tone))
    for label, uac, uas, pcap in variants:
        if uas is None:  # the media variant: a callee that talks, on the trunk's port
            processes.stop(callee)
            callee = sipp.uas("uas_media", trunk, pcap)
        direct = sipp.calls(uac, trunk, args.pdd_rate, pdd_s, args.hold_ms, label="direct", pcap=pcap,
                            trace_msg=True, **who)
        through = sipp.calls(uac, server.sip_port, args.pdd_rate, pdd_s, args.hold_ms, label="privnum", pcap=pcap,
                             trace_msg=True, cpu_of=pid, **who)
        d50, d99, p50, p99 = (pct(direct.pdd_ms, 50), pct(direct.pdd_ms, 99), pct(through.pdd_ms, 50),
                              pct(through.pdd_ms, 99))
        print(f"{label:28s} {f'{through.ok}/{through.failed}':>10} {f'{d50:.2f}/{d99:.2f} ms':>16} "
              f"{f'{p50:.2f}/{p99:.2f} ms':>17} {f'{p50 - d50:.2f}/{p99 - d99:.2f} ms':>15} "
              f"{through.cpu or 0:4.0f} % {through.datagrams:9d}")
        if direct.failed:
            print(f"  (direct: {direct.ok} ok, {direct.failed} failed)")
    processes.stop(callee)
    callee = sipp.uas("uas_answer", trunk, None)
    print()
    print(f"ramp: uac_call -> uas_answer, {step_s:.0f} s of calls per step, hold {args.hold_ms} ms, "
          f"ring {RING_MS} ms; setup = INVITE->180 at the caller (SIPp -trace_rtt, whole ms)")
    print(f"{'rate':>6} {'path':8s} {'ok':>6} {'failed':>6} {'retrans':>7} {'avg ms':>8} {'p50':>6} {'p99':>6} "
          f"{'max':>6} {'CPU':>7}")
    ramp: list[tuple[Step, Step]] = []
    for rate in rates:
        direct = sipp.calls("uac_call", trunk, rate, step_s, args.hold_ms, label="direct", **who)
        profile = (args.profile.resolve(), step_s) if args.profile and rate == args.profile_rate else None
        through = sipp.calls("uac_call", server.sip_port, rate, step_s, args.hold_ms, label="privnum",
                             cpu_of=pid, profile=profile, **who)
        print(row(direct))
        print(row(through), flush=True)
        ramp.append((direct, through))
        if through.failed or through.ok < round(rate * step_s):
            break
    clean = [t for _, t in ramp if not t.failed and t.ok >= round(t.rate * step_s)]
    best = max((t.rate for t in clean), default=0)
    calm = max((t.rate for t in clean if not t.retrans), default=0)
    print(f"highest step through privnum with 0 failed calls: {best} calls/s; with 0 failed and 0 SIP "
          f"retransmissions: {calm} calls/s (direct SIPp: {sum(d.failed for d, _ in ramp)} failed, "
          f"{sum(d.retrans for d, _ in ramp)} retransmissions over the ramp)")

    print(f"\nUDP out = datagrams sent on the box during the privnum run (SIP + RTP; a 1 s tone is "
          f"{int(args.hold_ms / 20)} packets a side). CPU = privnum serve process tree, 100 % = one core; "
          f"{os.cpu_count()} CPUs shared with SIPp.")


if __name__ == "__main__":
    main()
