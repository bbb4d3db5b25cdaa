"""SIP call setups/s on one box: SIPp -> SIPp direct, one privnum process, and N privnum processes behind Kamailio.

Three paths, each ramped by the same SIPp caller (``uac_call``, SDP offered, no RTP, 1 s hold) toward a SIPp
callee (``uas_answer``, 100 ms ring) at rising rates, the ramp of a path stopping at its first step with a failed
call:

- direct: the caller straight at the callee, the ceiling of each step (what SIPp itself does on this box);
- one: one ``privnum serve`` (one worker) whose trunk is the callee;
- edge: N ``privnum serve`` nodes (default 2) on the same database, behind Debian's kamailio running
  ``deploy/kamailio/kamailio.cfg`` (stateless dispatcher, Call-ID hash); the caller calls the edge, the nodes'
  trunk is the edge, the edge's trunk is the callee.

    PYTHONPATH=src .venv/bin/python bench/sip_scale.py --step-seconds 5
    PYTHONPATH=src .venv/bin/python bench/sip_scale.py --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/test
    PYTHONPATH=src .venv/bin/python bench/sip_scale.py --soak 600      # + 10 min at 100 calls/s through the edge

On PostgreSQL a throwaway database is created and dropped. Per step: calls ok/failed, SIPp retransmissions,
setup (INVITE sent -> 180 received at the caller, SIPp -trace_rtt, whole ms), and CPU of privnum (all nodes) and
of kamailio (100 % = one core). ``--soak S`` then calls through the edge at ``--soak-rate`` for S seconds and
samples each node's RSS every ``--soak-sample`` seconds: flat memory = the slope of a least-squares line over the
samples after the first minute, in MB per 10 min. A table is printed, JSON written to bench/results/.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sip_calls import (
    CLK_TCK,
    HOST,
    ROOT,
    URI,
    Processes,
    Sipp,
    Step,
    avg,
    free_port,
    interrupts_as_exit,
    pct,
    tree_cpu_ticks,
    udp_bound,
)

KAMAILIO = "/usr/sbin/kamailio"
EDGE_CONFIG = ROOT / "deploy" / "kamailio" / "kamailio.cfg"


# ---- privnum nodes and the edge ---------------------------------------------------------------------


@dataclass
class Binding:
    x: str
    a: str


def privnum_env(database_url: str, http_port: int, sip_port: int, trunk: int, rtp_ports: str) -> dict[str, str]:
    pythonpath = os.pathsep.join(p for p in (str(ROOT / "src"), os.environ.get("PYTHONPATH", "")) if p)
    env = {**os.environ, "PYTHONPATH": pythonpath, "PRIVNUM_DATABASE_URL": database_url,
           "PRIVNUM_PORT": str(http_port), "PRIVNUM_HOST": HOST, "PRIVNUM_SANDBOX": "0", "PRIVNUM_SIP": "1",
           "PRIVNUM_SIP_LISTEN": f"{HOST}:{sip_port}", "PRIVNUM_SIP_TRUNK": f"{HOST}:{trunk}",
           "PRIVNUM_RTP_PORTS": rtp_ports, "PRIVNUM_AUTH_LOCKOUT_FAILURES": "1000000"}
    env.pop("PRIVNUM_REDIS_URL", None)
    return env


def cli(env: dict[str, str], cwd: Path, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "privnum", *args], env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=120)
    if done.returncode:
        sys.exit(f"privnum {' '.join(args[:2])} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def prepare(database_url: str, work: Path) -> tuple[Binding, dict[str, str]]:
    """Migrate the database, create an AXB app and its X; the binding is made once a node serves."""
    env = privnum_env(database_url, 0, 0, 0, "30000-30001")
    cli(env, work, "db", "upgrade")
    created = json.loads(cli(env, work, "app", "create", "--name", "bench-sip-scale", "--mode", "AXB",
                             "--account", f"bench-{secrets.token_hex(4)}", "--json"))
    base = 17000000000 + secrets.randbelow(10**6) * 1000
    users = 13900000000 + secrets.randbelow(10**6) * 1000
    x, a, b = f"+86{base}", f"+86{users}", f"+86{users + 1}"
    cli(env, work, "numbers", "add", "--app", created["app_key"], "--area-code", "0755", x)
    return Binding(x.lstrip("+"), a.lstrip("+")), {"key": created["app_key"], "secret": created["app_secret"],
                                                  "x": x, "a": a, "b": b}


@dataclass
class Node:
    process: subprocess.Popen
    http_port: int
    sip_port: int
    env: dict[str, str]
    workdir: Path


def start_nodes(work: Path, processes: Processes, database_url: str, trunk: int, count: int,
                label: str) -> list[Node]:
    nodes = []
    for index in range(count):
        workdir = work / f"{label}-node-{index + 1}"
        workdir.mkdir()
        http_port, sip_port = free_port(socket.SOCK_STREAM), free_port()
        low = 30000 + 2000 * (index + (count if label == "edge" else 0))
        env = privnum_env(database_url, http_port, sip_port, trunk, f"{low}-{low + 1999}")
        with (workdir / "server.log").open("wb") as log:
            process = processes.start([sys.executable, "-m", "privnum", "serve", "--workers", "1"], env=env,
                                      cwd=workdir, stdout=log, stderr=subprocess.STDOUT)
        nodes.append(Node(process, http_port, sip_port, env, workdir))
    deadline = time.monotonic() + 60
    for node in nodes:
        while True:
            if node.process.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"privnum serve did not come up:\n{(node.workdir / 'server.log').read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"http://{HOST}:{node.http_port}/health", timeout=1) as r:
                    if r.status == 200 and udp_bound(node.sip_port):
                        break
            except OSError:
                pass
            time.sleep(0.1)
    return nodes


def bind(node: Node, app: dict[str, str]) -> None:
    answer = cli(node.env, node.workdir, "api", "POST", URI,
                 json.dumps({"relationNum": app["x"], "callerNum": app["a"], "calleeNum": app["b"]}),
                 "--key", app["key"], "--secret", app["secret"], "--base-url", f"http://{HOST}:{node.http_port}")
    bound = json.loads(answer.partition("\n")[2])
    if bound.get("resultcode") != "0":
        sys.exit(f"bind failed: {bound}")


def stop_nodes(processes: Processes, nodes: list[Node]) -> None:
    for node in nodes:
        processes.stop(node.process, timeout_s=15)


@dataclass
class Edge:
    process: subprocess.Popen
    carrier_port: int
    nodes_port: int


def start_edge(work: Path, processes: Processes, nodes_port: int, node_ports: list[int], trunk: int,
               children: int) -> Edge:
    if not Path(KAMAILIO).is_file():
        sys.exit("kamailio is not installed (apt-get install kamailio)")
    edge_dir = work / "edge"
    (edge_dir / "run").mkdir(parents=True)
    listed = edge_dir / "dispatcher.list"
    listed.write_text("".join(f"1 sip:{HOST}:{port}\n" for port in node_ports))
    carrier_port = free_port()
    command = [KAMAILIO, "-f", str(EDGE_CONFIG), "-DD", "-E", "-Y", str(edge_dir / "run"), "-w", str(edge_dir),
               "-m", "256", "-M", "16", "-A", f"CARRIER_PORT={carrier_port}", "-A", f"NODES_PORT={nodes_port}",
               "-A", f"TRUNK_PORT={trunk}", "-A", f'DS_LIST="{listed}"', "-A", f"CHILDREN={children}"]
    with (edge_dir / "kamailio.log").open("wb") as log:
        process = processes.start(command, cwd=edge_dir, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 10
    while not (udp_bound(carrier_port) and udp_bound(nodes_port)):
        if process.poll() is not None or time.monotonic() > deadline:
            sys.exit(f"kamailio did not start:\n{(edge_dir / 'kamailio.log').read_text()[-3000:]}")
        time.sleep(0.05)
    return Edge(process, carrier_port, nodes_port)


# ---- measuring ---------------------------------------------------------------------------------------


class CpuMeter:
    """utime+stime of some process trees over a span, % of one core."""

    def __init__(self, roots: list[int]) -> None:
        self.roots = roots
        self.ticks = sum(tree_cpu_ticks(root) for root in roots)
        self.began = time.monotonic()

    def percent(self) -> float:
        elapsed = time.monotonic() - self.began
        return (sum(tree_cpu_ticks(root) for root in self.roots) - self.ticks) / CLK_TCK / elapsed * 100


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def slope_per_10min(samples: list[tuple[float, float]]) -> float:
    """Least-squares slope of (seconds, MB), in MB per 10 minutes."""
    if len(samples) < 2:
        return float("nan")
    ts, ms = [t for t, _ in samples], [m for _, m in samples]
    mt, mm = statistics.fmean(ts), statistics.fmean(ms)
    den = sum((t - mt) ** 2 for t in ts)
    return sum((t - mt) * (m - mm) for t, m in zip(ts, ms, strict=True)) / den * 600 if den else float("nan")


@dataclass
class Row:
    path: str
    rate: int
    ok: int
    failed: int
    retrans: int
    setup_avg_ms: float
    setup_p50_ms: float
    setup_p99_ms: float
    privnum_cpu: float | None
    kamailio_cpu: float | None

    @classmethod
    def of(cls, path: str, step: Step, privnum_cpu: float | None, kamailio_cpu: float | None) -> Row:
        return cls(path, step.rate, step.ok, step.failed, step.retrans, avg(step.setup_ms), pct(step.setup_ms, 50),
                   pct(step.setup_ms, 99), privnum_cpu, kamailio_cpu)

    def clean(self, seconds: float) -> bool:
        return not self.failed and self.ok >= round(self.rate * seconds)

    def line(self) -> str:
        cpu = lambda v: f"{v:6.0f} %" if v is not None else "       -"  # noqa: E731
        return (f"{self.rate:6d} {self.path:9s} {self.ok:6d} {self.failed:6d} {self.retrans:7d} "
                f"{self.setup_avg_ms:8.1f} {self.setup_p50_ms:6.0f} {self.setup_p99_ms:6.0f} {cpu(self.privnum_cpu)} "
                f"{cpu(self.kamailio_cpu)}")


@dataclass
class Result:
    started: str
    cpus: int | None
    load_before: tuple[float, float, float]
    database: str
    nodes: int
    step_seconds: float
    hold_ms: int
    rows: list[Row] = field(default_factory=list)
    best: dict[str, int] = field(default_factory=dict)
    soak: dict[str, object] | None = None
    load_after: tuple[float, float, float] | None = None


def measure(sipp: Sipp, path: str, target: int, rate: int, seconds: float, hold_ms: int, binding: Binding,
            privnum: list[int], kamailio: int | None) -> Row:
    privnum_meter = CpuMeter(privnum) if privnum else None
    kamailio_meter = CpuMeter([kamailio]) if kamailio else None
    step = sipp.calls("uac_call", target, rate, seconds, hold_ms, label=path, service=binding.x, caller=binding.a)
    return Row.of(path, step, privnum_meter.percent() if privnum_meter else None,
                  kamailio_meter.percent() if kamailio_meter else None)


def settle(pids: list[int], below: float = 15.0, timeout_s: float = 30.0) -> float:
    """Wait (bounded) until ``pids`` use less than ``below`` % of a core over a second: a step starts after the
    previous one's backlog (retransmissions, journal writes, 32 s of dead dialogs) is worked off."""
    deadline = time.monotonic() + timeout_s
    while True:
        meter = CpuMeter(pids)
        time.sleep(1.0)
        used = meter.percent()
        if used < below or time.monotonic() > deadline:
            return used


def ramp(sipp: Sipp, path: str, target: int, rates: list[int], args: argparse.Namespace, binding: Binding,
         privnum: list[int], kamailio: int | None, result: Result) -> None:
    for rate in rates:
        if privnum:
            settle(privnum)
        row = measure(sipp, path, target, rate, args.step_seconds, args.hold_ms, binding, privnum, kamailio)
        print(row.line(), flush=True)
        result.rows.append(row)
        if not row.clean(args.step_seconds):
            break
    clean = [r.rate for r in result.rows if r.path == path and r.clean(args.step_seconds)]
    result.best[path] = max(clean, default=0)


def soak(sipp: Sipp, edge: Edge, nodes: list[Node], binding: Binding, args: argparse.Namespace) -> dict[str, object]:
    samples: dict[int, list[tuple[float, float]]] = {node.process.pid: [] for node in nodes}
    began = time.monotonic()
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            for pid, series in samples.items():
                series.append((time.monotonic() - began, rss_mb(pid)))
            done.wait(args.soak_sample)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    settle([node.process.pid for node in nodes])
    meter = CpuMeter([node.process.pid for node in nodes])
    step = sipp.calls("uac_call", edge.carrier_port, args.soak_rate, args.soak, args.hold_ms, label="soak",
                      service=binding.x, caller=binding.a)
    done.set()
    sampler.join()
    per_node = {}
    for index, series in enumerate(samples.values(), 1):
        settled = [(t, m) for t, m in series if t >= 60] or series
        per_node[f"node-{index}"] = {"rss_first_mb": series[0][1], "rss_last_mb": series[-1][1],
                                     "rss_max_mb": max(m for _, m in series),
                                     "slope_mb_per_10min_after_1min": slope_per_10min(settled),
                                     "samples": series}
    return {"seconds": args.soak, "rate": args.soak_rate, "ok": step.ok, "failed": step.failed,
            "retrans": step.retrans, "setup_p50_ms": pct(step.setup_ms, 50), "setup_p99_ms": pct(step.setup_ms, 99),
            "privnum_cpu": meter.percent(), "nodes": per_node}


# ---- main --------------------------------------------------------------------------------------------


async def _pg(admin_url: str, statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(admin_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--database-url", default=None, help="PostgreSQL admin URL: a throwaway database is made there")
    ap.add_argument("--nodes", type=int, default=2)
    ap.add_argument("--rates", default="50,100,150,200,250,300,350,400")
    ap.add_argument("--step-seconds", type=float, default=10.0)
    ap.add_argument("--hold-ms", type=int, default=1000)
    ap.add_argument("--kamailio-children", type=int, default=2)
    ap.add_argument("--paths", default="direct,one,edge")
    ap.add_argument("--soak", type=float, default=0.0, help="seconds at --soak-rate through the edge after the ramps")
    ap.add_argument("--soak-rate", type=int, default=100)
    ap.add_argument("--soak-sample", type=float, default=10.0)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    rates = [int(r) for r in args.rates.split(",")]
    paths = args.paths.split(",")

    work = Path(tempfile.mkdtemp(prefix="privnum-sip-scale-"))
    processes = Processes()
    throwaway = None
    if args.database_url and args.database_url.startswith("postgresql"):
        throwaway = f"privnum_bench_{secrets.token_hex(4)}"
        asyncio.run(_pg(args.database_url, f'CREATE DATABASE "{throwaway}"'))
        database_url = f"{args.database_url.rpartition('/')[0]}/{throwaway}"
    else:
        database_url = args.database_url or f"sqlite+aiosqlite:///{work / 'bench.db'}"
    result = Result(datetime.now(UTC).isoformat(timespec="seconds"), os.cpu_count(), os.getloadavg(),
                    database_url.split("://")[0], args.nodes, args.step_seconds, args.hold_ms)
    try:
        with interrupts_as_exit():
            run(args, work, processes, database_url, rates, paths, result)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
    finally:
        processes.close()
        if throwaway:
            asyncio.run(_pg(args.database_url, f'DROP DATABASE IF EXISTS "{throwaway}" WITH (FORCE)'))
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    result.load_after = os.getloadavg()
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    out = results / f"sip_scale-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.json"
    out.write_text(json.dumps(asdict(result), indent=2) + "\n")
    print(f"{out.relative_to(ROOT)}")


def run(args: argparse.Namespace, work: Path, processes: Processes, database_url: str, rates: list[int],
        paths: list[str], result: Result) -> None:
    sipp = Sipp(work, processes)
    trunk = free_port()
    sipp.uas("uas_answer", trunk)
    binding, app = prepare(database_url, work)
    print(f"load {' '.join(f'{v:.1f}' for v in result.load_before)} on {os.cpu_count()} CPUs (shared box); "
          f"database {result.database}; steps of {args.step_seconds:g} s, hold {args.hold_ms} ms")
    print(f"{'rate':>6} {'path':9s} {'ok':>6} {'failed':>6} {'retrans':>7} {'avg ms':>8} {'p50':>6} {'p99':>6} "
          f"{'privnum':>8} {'kamailio':>8}")
    bound = False
    if "direct" in paths:
        ramp(sipp, "direct", trunk, rates, args, binding, [], None, result)
    if "one" in paths:
        nodes = start_nodes(work, processes, database_url, trunk, 1, "one")
        bind(nodes[0], app)
        bound = True
        check = sipp.calls("uac_call", nodes[0].sip_port, 1, 1, 200, label="check", service=binding.x,
                           caller=binding.a)
        if check.ok != 1:
            sys.exit(f"a single call through one privnum failed: {check}")
        ramp(sipp, "one", nodes[0].sip_port, rates, args, binding, [nodes[0].process.pid], None, result)
        stop_nodes(processes, nodes)
    if "edge" in paths or args.soak:
        nodes_port = free_port()
        nodes = start_nodes(work, processes, database_url, nodes_port, args.nodes, "edge")
        if not bound:
            bind(nodes[0], app)
        edge = start_edge(work, processes, nodes_port, [n.sip_port for n in nodes], trunk, args.kamailio_children)
        label = f"edge+{args.nodes}"
        check = sipp.calls("uac_call", edge.carrier_port, 4, 1, 200, label="check", service=binding.x,
                           caller=binding.a)
        if check.ok != 4:
            sys.exit(f"calls through the edge failed: {check}")
        pids = [n.process.pid for n in nodes]
        if "edge" in paths:
            ramp(sipp, label, edge.carrier_port, rates, args, binding, pids, edge.process.pid, result)
        if args.soak:
            print(f"soak: {args.soak_rate} calls/s for {args.soak:g} s through the edge", flush=True)
            result.soak = soak(sipp, edge, nodes, binding, args)
            summary = {k: v for k, v in result.soak.items() if k != "nodes"}
            print(json.dumps(summary))
            for name, node in result.soak["nodes"].items():  # type: ignore[union-attr]
                print(f"  {name}: RSS {node['rss_first_mb']:.0f} -> {node['rss_last_mb']:.0f} MB "
                      f"(max {node['rss_max_mb']:.0f}), slope after 1 min "
                      f"{node['slope_mb_per_10min_after_1min']:+.1f} MB / 10 min")
    direct = result.best.get("direct", 0)
    for path, best in result.best.items():
        ratio = f" = {best / direct:.2f} of direct" if direct else ""
        print(f"highest step with 0 failed calls, {path}: {best} calls/s{ratio}")


if __name__ == "__main__":
    main()
