"""``privnum serve`` and the SIP port: a port given explicitly and taken is a refusal to start; the default
port taken is said clearly, and the server runs without SIP."""

from __future__ import annotations

import contextlib
import errno
import socket
import subprocess
from collections.abc import Iterator

import httpx

from servers import PRIVNUM, drop_database, free_port, fresh_database_url, serve
from sipp import free_udp_ports


@contextlib.contextmanager
def udp_taken(port: int) -> Iterator[socket.socket]:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as holder:
        try:
            holder.bind(("127.0.0.1", port))
        except OSError as error:  # already taken by someone else: taken all the same
            assert error.errno == errno.EADDRINUSE
        yield holder


def test_an_explicit_sip_port_that_is_taken_refuses_to_start(tmp_path) -> None:
    (port,) = free_udp_ports(1)
    url = fresh_database_url("sqlite", tmp_path)
    env = {"PATH": "/usr/bin:/bin", "PRIVNUM_DATABASE_URL": url, "PRIVNUM_PORT": str(free_port())}
    with udp_taken(port):
        done = subprocess.run([*PRIVNUM, "serve", "--sip-listen", f"127.0.0.1:{port}"], env=env, cwd=tmp_path,
                              capture_output=True, text=True, timeout=60)
    assert done.returncode == 1, done
    assert f"SIP port 127.0.0.1:{port} is already in use" in done.stderr
    assert "--sip-listen" in done.stderr and "--no-sip" in done.stderr  # what to do next
    drop_database(url)


def test_the_default_sip_port_taken_serves_without_sip(tmp_path) -> None:
    url = fresh_database_url("sqlite", tmp_path)
    port = free_port()
    env = {"PATH": "/usr/bin:/bin", "PRIVNUM_DATABASE_URL": url, "PRIVNUM_PORT": str(port)}
    with udp_taken(5060):
        process = serve(env, tmp_path, port, tmp_path / "server.log")
        try:
            assert httpx.get(f"http://127.0.0.1:{port}/health", timeout=5).status_code == 200
            log = (tmp_path / "server.log").read_text()
            assert "SIP port 127.0.0.1:5060 is already in use: serving without SIP" in " ".join(log.split())
        finally:
            process.terminate()
            process.wait(10)


def test_a_bad_sip_setting_names_the_variable(tmp_path) -> None:
    env = {"PATH": "/usr/bin:/bin", "PRIVNUM_DATABASE_URL": fresh_database_url("sqlite", tmp_path),
           "PRIVNUM_SIP_TRUSTED": "10.0.0.0/8,not a network!", "PRIVNUM_PORT": str(free_port())}
    done = subprocess.run([*PRIVNUM, "serve"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "PRIVNUM_SIP_TRUSTED" in done.stderr, done
    done = subprocess.run([*PRIVNUM, "serve", "--sip-trunk", "127.0.0.1:notaport"], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "PRIVNUM_SIP_TRUNK" in done.stderr, done
