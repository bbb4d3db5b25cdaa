"""SMS relay throughput through Kannel: privnum + Kannel beside the Kannel-alone ceiling, in one run.

Starts its own Kannel (bearerbox + smsbox, tests/support/kannel.py) on free loopback ports with a FakeLine
(tests/support/fake_smsc.py) as the carrier, then:

1. **Kannel alone** (the ceiling): N sendsms calls (Chinese, ``coding=2``, one segment each) from
   ``--concurrency`` aiohttp clients → the MT lines counted on the FakeLine. Rate = N / (first request →
   last MT line); latency = request sent → its MT line read (matched by a sequence number in the text);
   CPU = utime+stime of bearerbox and smsbox over the run.
2. **privnum + Kannel**: MO injected on the FakeLine → privnum relays (AXB) → MT back on the FakeLine; one
   ``privnum serve`` worker on SQLite. Target: at least 0.5 of the ceiling.

    PYTHONPATH=src .venv/bin/python bench/sms_relay.py                  # 2000 messages, 4 clients
    PYTHONPATH=src .venv/bin/python bench/sms_relay.py --messages 5000 --concurrency 8

Bounded: at most --messages (≤ 20 000) per row and --max-seconds per row. Writes the rows as JSON to
bench/results/sms_relay-<UTC time>.json. Needs Debian's ``kannel`` (/usr/sbin/bearerbox).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import queue
import sys
import tempfile
import time
import urllib.parse
from dataclasses import asdict, dataclass, field
from pathlib import Path

import aiohttp
import yarl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "support"))

from fake_smsc import MtLine  # noqa: E402
from huawei_client import HuaweiClient  # noqa: E402
from kannel import BEARERBOX, SMSBOX, Kannel, KannelLab  # noqa: E402
from servers import start_server  # noqa: E402

X = "+8617000000001"
A = "+8613800000001"
B = "+8613900000002"
TEXT = "您好，骑手已到达小区门口，请下楼取餐"  # + " #<seq>": 26 UTF-16 units, one UCS-2 segment
MAX_MESSAGES = 20_000


@dataclass
class Row:
    """One measured path: messages handed in, carried through, and what it cost."""

    path: str
    messages: int
    delivered: int = 0
    seconds: float = 0.0
    rate: float = 0.0
    p50_ms: float = float("nan")
    p99_ms: float = float("nan")
    cpu_s: dict[str, float] = field(default_factory=dict)
    note: str = ""

    @property
    def cpu_ms_per_message(self) -> float:
        return 1000 * sum(self.cpu_s.values()) / self.delivered if self.delivered else float("nan")


def cpu_seconds(pid: int) -> float:
    """utime + stime of one process (Linux /proc/<pid>/stat), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def box_cpu(kannel: Kannel) -> dict[str, float]:
    boxes = {"bearerbox": kannel.bearerbox, "smsbox": kannel.smsbox}
    return {name: cpu_seconds(box.pid) for name, box in boxes.items() if box is not None}


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(p * len(values)))] if values else float("nan")


def sendsms_url(kannel: Kannel, seq: int) -> yarl.URL:
    query = urllib.parse.urlencode({"username": kannel.username, "password": kannel.password, "from": X, "to": B,
                                    "text": f"{TEXT} #{seq}", "charset": "UTF-8", "coding": "2"})
    return yarl.URL(f"{kannel.sendsms_url}?{query}", encoded=True)


def sequence_of(line: MtLine) -> int:
    return int(line.text(coding=2).rsplit("#", 1)[1])


async def sendsms_burst(kannel: Kannel, first: int, count: int, concurrency: int, max_s: float,
                        sent_at: dict[int, float]) -> int:
    """``count`` sendsms calls numbered from ``first``, ``concurrency`` in flight; the number answered 202."""
    counter = iter(range(first, first + count))
    accepted = 0
    deadline = time.monotonic() + max_s

    async def client(session: aiohttp.ClientSession) -> None:
        nonlocal accepted
        while time.monotonic() < deadline and (seq := next(counter, None)) is not None:
            sent_at[seq] = time.time()
            async with session.get(sendsms_url(kannel, seq)) as response:
                await response.read()
                accepted += response.status == 202

    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector, skip_auto_headers=("User-Agent",)) as session:
        await asyncio.gather(*(client(session) for _ in range(concurrency)))
    return accepted


def drain(kannel: Kannel, count: int, deadline: float) -> list[MtLine]:
    """Up to ``count`` MT lines, waiting until ``deadline`` (time.monotonic()) at most."""
    lines: list[MtLine] = []
    while len(lines) < count and time.monotonic() < deadline:
        try:
            lines.append(kannel.line.next_mt(timeout_s=max(0.01, deadline - time.monotonic())))
        except queue.Empty:
            break
    return lines


def run_kannel_alone(kannel: Kannel, messages: int, concurrency: int, max_s: float) -> Row:
    """Row 1, the ceiling: sendsms → bearerbox → the FakeLine, nothing of privnum's in the path."""
    warm_up = 50
    asyncio.run(sendsms_burst(kannel, 0, warm_up, concurrency, max_s, {}))
    drain(kannel, warm_up, time.monotonic() + 10)
    kannel.line.pending_mt()

    sent_at: dict[int, float] = {}
    cpu_before = box_cpu(kannel)
    start = time.time()
    accepted = asyncio.run(sendsms_burst(kannel, warm_up, messages, concurrency, max_s, sent_at))
    lines = drain(kannel, accepted, time.monotonic() + max_s)
    cpu_after = box_cpu(kannel)
    end = max((line.arrived for line in lines), default=time.time())
    latencies = [1000 * (line.arrived - sent_at[seq]) for line in lines if (seq := sequence_of(line)) in sent_at]
    seconds = end - start
    note = "" if accepted == messages else f"{messages - accepted} sendsms not answered 202 in time"
    return Row(f"Kannel alone (sendsms → fake link, concurrency {concurrency})", messages, len(lines), seconds,
               len(lines) / seconds if seconds > 0 else 0.0, pct(latencies, 0.5), pct(latencies, 0.99),
               {name: cpu_after[name] - cpu_before.get(name, 0.0) for name in cpu_after}, note)


def run_relay(lab: KannelLab, messages: int, concurrency: int, max_s: float, backend: str = "sqlite") -> Row:
    """Row 2, privnum + Kannel: MO on the FakeLine → smsbox's post-url → privnum records, decides (AXB) and
    sends through sendsms → MT on the FakeLine. One ``privnum serve`` worker; the app has no SMS URL, so no
    Notify pushes compete (their delivery is bench/pushes.py's business). Rate = delivered / (first MO written
    → last MT read); latency = MO written → its MT read; CPU = the boxes and the privnum process."""
    kannel = lab.prepare()
    server = start_server(backend, {**kannel.env(), "PRIVNUM_SANDBOX": "0"})
    try:
        kannel.start(server.base)
        key, secret = server.create_app("AXB", "--sms")
        server.add_numbers(key, "0755", [X])
        bound = HuaweiClient(server.base, key, secret).axb_bind(relationNum=X, callerNum=A, calleeNum=B)
        assert bound.ok, bound
        warm_up = 50
        for seq in range(warm_up):
            kannel.line.mo_ucs2(A, X, f"{TEXT} #{seq}")
        drain(kannel, warm_up, time.monotonic() + 30)
        kannel.line.pending_mt()

        assert server.process is not None
        pids = {"privnum": server.process.pid}
        before = box_cpu(kannel) | {name: cpu_seconds(pid) for name, pid in pids.items()}
        written: dict[int, float] = {}
        start = time.time()
        for seq in range(warm_up, warm_up + messages):
            written[seq] = time.time()
            kannel.line.mo_ucs2(A, X, f"{TEXT} #{seq}")
        lines = drain(kannel, messages, time.monotonic() + max_s)
        after = box_cpu(kannel) | {name: cpu_seconds(pid) for name, pid in pids.items()}
        end = max((line.arrived for line in lines), default=time.time())
        sequences = [sequence_of(line) for line in lines]
        latencies = [1000 * (line.arrived - written[seq]) for line, seq in zip(lines, sequences, strict=True)
                     if seq in written]
        doubled = len(sequences) - len(set(sequences))
        seconds = end - start
        note = f"{doubled} doubled" if doubled else ""
        if len(lines) < messages:
            note = f"{messages - len(lines)} not relayed within {max_s:g} s" + (f"; {note}" if note else "")
        return Row(f"privnum + Kannel (MO → relay → MT, {backend})", messages, len(set(sequences)), seconds,
                   len(set(sequences)) / seconds if seconds > 0 else 0.0, pct(latencies, 0.5), pct(latencies, 0.99),
                   {name: after[name] - before.get(name, 0.0) for name in after}, note)
    finally:
        kannel.stop()
        server.stop()


def print_table(rows: list[Row], ceiling: Row) -> None:
    print(f"{'path':<52} {'msgs':>6} {'ok':>6} {'seconds':>8} {'msg/s':>8} {'of ceiling':>10} "
          f"{'p50 ms':>7} {'p99 ms':>7} {'CPU ms/msg':>10}")
    for row in rows:
        if not row.delivered:
            print(f"{row.path:<52} skipped: {row.note}")
            continue
        ratio = row.rate / ceiling.rate if ceiling.rate else float("nan")
        print(f"{row.path:<52} {row.messages:>6} {row.delivered:>6} {row.seconds:>8.2f} {row.rate:>8,.0f} "
              f"{ratio:>10.2f} {row.p50_ms:>7.1f} {row.p99_ms:>7.1f} {row.cpu_ms_per_message:>10.3f}")
        details = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in row.cpu_s.items())
        print(f"{'':<52} CPU: {details}{'; ' + row.note if row.note else ''}")


def json_safe(values: dict[str, object]) -> dict[str, object]:
    """NaN (a figure not measured) as null: strict JSON has no NaN."""
    return {key: None if isinstance(value, float) and math.isnan(value) else value for key, value in values.items()}


def write_json(rows: list[Row], args: argparse.Namespace) -> Path:
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    path = results / f"sms_relay-{stamp}.json"
    document = {"bench": "sms_relay", "time": stamp, "host": platform.node(), "cpus": os.cpu_count(),
                "load_average": os.getloadavg(), "args": vars(args),
                "rows": [json_safe(asdict(row) | {"cpu_ms_per_message": row.cpu_ms_per_message}) for row in rows]}
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000, help=f"per row, at most {MAX_MESSAGES}")
    parser.add_argument("--concurrency", type=int, default=4, help="sendsms clients in flight")
    parser.add_argument("--max-seconds", type=float, default=60.0, help="bound per row")
    args = parser.parse_args()
    args.messages = max(1, min(args.messages, MAX_MESSAGES))
    args.concurrency = max(1, min(args.concurrency, 64))
    if not (BEARERBOX.is_file() and SMSBOX.is_file()):
        raise SystemExit(f"{BEARERBOX} is missing: apt-get install kannel")

    with tempfile.TemporaryDirectory(prefix="privnum-bench-sms-") as scratch, KannelLab(Path(scratch)) as lab:
        # Nothing answers the post-url: row 1 sends MT only.
        kannel = lab.start("http://127.0.0.1:9")
        ceiling = run_kannel_alone(kannel, args.messages, args.concurrency, args.max_seconds)
        kannel.stop()
        relay = run_relay(lab, args.messages, args.concurrency, args.max_seconds)
    rows = [ceiling, relay]
    print_table(rows, ceiling)
    print(f"JSON: {write_json(rows, args).relative_to(ROOT)}")


if __name__ == "__main__":
    main()
