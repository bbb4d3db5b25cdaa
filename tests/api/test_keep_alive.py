"""An idle keep-alive connection: ``privnum serve`` keeps it 75 s by default (uvicorn's 5 s is shorter than
clients keep theirs, so a request could meet the server's close), ``PRIVNUM_KEEPALIVE_S`` sets it.

Raw sockets, so no client library's own keep-alive policy decides what is tested."""

from __future__ import annotations

import socket
import time

from servers import Server, drop_database, start_server

HEALTH = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


def connect(server: Server) -> socket.socket:
    host, _, port = server.base.removeprefix("http://").partition(":")
    return socket.create_connection((host, int(port)), timeout=10)


def answer(conn: socket.socket) -> bytes:
    """One whole HTTP response read from ``conn`` (headers and a Content-Length body); b'' when it was closed."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                  if line.lower().startswith(b"content-length:"))
    while len(body) < length:
        chunk = conn.recv(4096)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


def test_a_connection_idle_6_s_is_still_served(server: Server) -> None:
    with connect(server) as conn:
        conn.sendall(HEALTH)
        assert answer(conn).startswith(b"HTTP/1.1 200")
        time.sleep(6)  # past uvicorn's default 5 s keep-alive
        conn.sendall(HEALTH)
        assert answer(conn).startswith(b"HTTP/1.1 200")


def test_the_keep_alive_is_configurable() -> None:
    short = start_server("sqlite", {"PRIVNUM_KEEPALIVE_S": "1"})
    try:
        with connect(short) as conn:
            conn.sendall(HEALTH)
            assert answer(conn).startswith(b"HTTP/1.1 200")
            began = time.monotonic()
            assert conn.recv(1) == b"", "the server should close the idle connection"
            assert time.monotonic() - began < 8
    finally:
        short.stop()
        drop_database(short.database_url)
