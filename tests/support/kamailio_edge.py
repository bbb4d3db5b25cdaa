"""Kamailio as privnum's SIP edge in the tests: ``deploy/kamailio/kamailio.cfg`` run in the foreground on loopback
ports, its dispatcher list naming the test's privnum nodes, its log read back.

    with KamailioEdge.start(tmp_path, nodes=[5064, 5066], trunk_port=5070) as edge:
        ...SIPp calls edge.carrier_port; the nodes' PRIVNUM_SIP_TRUNK is 127.0.0.1:edge.nodes_port...
        edge.wait_for_log("node sip:127.0.0.1:5066 is down")

``PRIVNUM_TEST_REQUIRE_SERVICES=1`` (set by .ci/run) makes a missing kamailio a failure; otherwise the test is
skipped.
"""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from servers import REQUIRE_SERVICES
from sipp import HOST, free_udp_ports, udp_port_bound

KAMAILIO = Path("/usr/sbin/kamailio")
CONFIG = Path(__file__).resolve().parents[2] / "deploy" / "kamailio" / "kamailio.cfg"


def kamailio_binary() -> Path:
    """The kamailio binary; skips the test when it is missing, or fails it when services are required."""
    if not KAMAILIO.is_file():
        message = "kamailio is not installed (Debian/Ubuntu: apt-get install kamailio)"
        if REQUIRE_SERVICES:
            pytest.fail(f"{message}, and PRIVNUM_TEST_REQUIRE_SERVICES=1")
        pytest.skip(message)
    return KAMAILIO


def dispatcher_list(nodes: list[int]) -> str:
    """Set 1 of the dispatcher: one privnum SIP node per line."""
    return "".join(f"1 sip:{HOST}:{port} 0 0 node=node-{index}\n" for index, port in enumerate(nodes, 1))


@dataclass
class KamailioEdge:
    process: subprocess.Popen[bytes]
    carrier_port: int  # where the carrier (the SIPp callers) sends
    nodes_port: int  # the nodes' trunk
    log_path: Path

    @property
    def carrier_side(self) -> tuple[str, int]:
        return HOST, self.carrier_port

    @classmethod
    def start(cls, workdir: Path, nodes: list[int], trunk_port: int, probe_s: int = 1,
              timeout_s: float = 10.0) -> KamailioEdge:
        binary = kamailio_binary()
        workdir.mkdir(parents=True, exist_ok=True)
        runtime = workdir / "run"
        runtime.mkdir(exist_ok=True)
        listed = workdir / "dispatcher.list"
        listed.write_text(dispatcher_list(nodes))
        carrier_port, nodes_port = free_udp_ports(2)
        log_path = workdir / "kamailio.log"
        command = [str(binary), "-f", str(CONFIG), "-DD", "-E", "-Y", str(runtime), "-w", str(workdir),
                   "-m", "64", "-M", "8",
                   "-A", f"CARRIER_PORT={carrier_port}", "-A", f"NODES_PORT={nodes_port}",
                   "-A", f"TRUNK_PORT={trunk_port}", "-A", f'DS_LIST="{listed}"', "-A", f"PROBE_S={probe_s}",
                   "-A", "PROBE_TIMEOUT_MS=4000", "-A", "CHILDREN=2"]  # 4 s: a loaded box answers slowly
        with log_path.open("wb") as log:
            process = subprocess.Popen(command, cwd=workdir, stdin=subprocess.DEVNULL, stdout=log,
                                       stderr=subprocess.STDOUT)
        edge = cls(process, carrier_port, nodes_port, log_path)
        deadline = time.monotonic() + timeout_s
        while not (udp_port_bound(carrier_port) and udp_port_bound(nodes_port)):
            if process.poll() is not None or time.monotonic() > deadline:
                edge.stop()
                raise AssertionError(f"kamailio did not start:\n{edge.log()[-3000:]}")
            time.sleep(0.05)
        return edge

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def wait_for_log(self, text: str, timeout_s: float = 15.0) -> None:
        deadline = time.monotonic() + timeout_s
        while text not in self.log():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"kamailio never logged {text!r}:\n{self.log()[-3000:]}")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> KamailioEdge:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
