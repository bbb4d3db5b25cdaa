"""A customer's server for the tests: a standalone aiohttp process that logs every push it receives.

    python tests/support/receiver.py --port P [--log FILE]

Each request is appended to FILE as one JSON line: method, path, headers (X-Push-Id included),
body (parsed JSON, else text), t (receive time, epoch seconds) and the status answered.

``POST /_control`` with JSON sets the behaviour, for every path or (with "path") for one path:
    {"mode": "ok" | "fail" | "slow", "status": 500, "delay_ms": N, "times": N,
     "block_answer": {...}, "path": "/events"}
- ok: answer 200 (with ``block_answer`` as JSON body when set, else an empty body);
- fail: answer ``status`` (default 500);
- slow: sleep ``delay_ms`` and then answer as ok;
- times: the rule applies to the next N requests only, then the path falls back to the default.
``POST /_control`` with {"reset": true} forgets every rule. ``GET /_health`` answers 200.

``Receiver`` (importable by the tests) starts and stops such a process and reads its log.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

_DEFAULT = {"mode": "ok"}


def make_app(log_path: str | None) -> Any:
    from aiohttp import web

    rules: dict[str | None, dict[str, Any]] = {}
    log = open(log_path, "a", buffering=1) if log_path else None  # noqa: SIM115 — lives as long as the process

    def rule_for(path: str) -> dict[str, Any]:
        rule = rules.get(path) or rules.get(None) or _DEFAULT
        if "times" in rule:
            rule["times"] -= 1
            if rule["times"] <= 0:
                rules.pop(path if path in rules else None, None)
        return rule

    async def control(request: web.Request) -> web.Response:
        data = await request.json()
        if data.get("reset"):
            rules.clear()
        else:
            rules[data.pop("path", None)] = data
        return web.json_response({"ok": True})

    async def health(_request: web.Request) -> web.Response:
        return web.Response(text="ok")

    async def receive(request: web.Request) -> web.Response:
        received = time.time()
        raw = await request.read()
        rule = rule_for(request.path)
        mode = rule.get("mode", "ok")
        if mode == "slow":
            await asyncio.sleep(rule.get("delay_ms", 1000) / 1000)
        status = int(rule.get("status", 500)) if mode == "fail" else 200
        if log is not None:
            try:
                body: Any = json.loads(raw)
            except ValueError:
                body = raw.decode(errors="replace")
            log.write(json.dumps({"method": request.method, "path": request.path, "headers": dict(request.headers),
                                  "body": body, "t": received, "status": status}) + "\n")
        if status == 200 and rule.get("block_answer") is not None:
            return web.json_response(rule["block_answer"])
        return web.Response(status=status)

    app = web.Application()
    app.router.add_post("/_control", control)
    app.router.add_get("/_health", health)
    app.router.add_route("*", "/{tail:.*}", receive)
    return app


class Receiver:
    """A receiver process on a free port, for the tests."""

    def __init__(self, workdir: Path) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = workdir / f"receiver-{self.port}.jsonl"
        self.log.touch()
        self.process = subprocess.Popen([sys.executable, __file__, "--port", str(self.port), "--log", str(self.log)],
                                        stdout=subprocess.DEVNULL, stderr=open(workdir / "receiver.err", "w"))  # noqa: SIM115
        deadline = time.monotonic() + 15
        while True:
            try:
                with urllib.request.urlopen(f"{self.base}/_health", timeout=1):
                    return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError("receiver did not start") from None
                time.sleep(0.05)

    def control(self, **rule: Any) -> None:
        request = urllib.request.Request(f"{self.base}/_control", data=json.dumps(rule).encode(),
                                         headers={"Content-Type": "application/json"}, method="POST")
        with urllib.request.urlopen(request, timeout=5):
            pass

    def records(self, path: str | None = None, prefix: str | None = None) -> list[dict[str, Any]]:
        out = []
        text = self.log.read_text()
        if not text.endswith("\n"):  # the receiver is still writing its last line
            text = text[: text.rfind("\n") + 1]
        for line in text.splitlines():
            if not line.strip():
                continue
            record = json.loads(line)
            if path is not None and record["path"] != path:
                continue
            if prefix is not None and not record["path"].startswith(prefix):
                continue
            out.append(record)
        return out

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--log", default=None, help="append one JSON line per request (none: no log)")
    args = parser.parse_args()
    from aiohttp import web

    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    web.run_app(make_app(args.log), host=args.host, port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
