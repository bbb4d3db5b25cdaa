"""One client process of the concurrency tests: fires many signed requests at once from threads.

It lives for a whole test module and serves one storm after another over stdin/stdout, one JSON
document or word per line:
  parent -> worker: {"requests": [{"base", "key", "secret", "method", "uri", "body", "query"}, ...]}
  worker -> parent: "ready" once every request of the storm is queued on its threads
  parent -> worker: "go" (sent to every worker of the storm at the same moment)
  worker -> parent: [{"status": int, "body": ...}, ...] in the order of the requests
The worker exits at end of input. A transport failure is reported as {"status": -1, "body": "<error>"}.
"""

from __future__ import annotations

import json
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from huawei_client import HuaweiClient

local = threading.local()


def client(base: str, key: str, secret: str) -> HuaweiClient:
    """One HTTP client per thread, server and app (kept across storms: connections stay open)."""
    clients = getattr(local, "clients", None)
    if clients is None:
        clients = local.clients = {}
    if (base, key) not in clients:
        clients[(base, key)] = HuaweiClient(base, key, secret)
    return clients[(base, key)]


def send(gate: threading.Event, r: dict[str, Any]) -> dict[str, Any]:
    gate.wait()
    try:
        reply = client(r["base"], r["key"], r["secret"]).request(r["method"], r["uri"], body=r.get("body"),
                                                                 query=r.get("query"))
        return {"status": reply.status, "body": reply.body}
    except Exception as error:
        return {"status": -1, "body": f"{type(error).__name__}: {error}"}


def main() -> None:
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 8
    with ThreadPoolExecutor(max_workers=threads) as pool:
        while line := sys.stdin.readline():
            gate = threading.Event()
            futures = [pool.submit(send, gate, r) for r in json.loads(line)["requests"]]
            print("ready", flush=True)
            go = sys.stdin.readline().strip()
            gate.set()
            if go != "go":
                return
            print(json.dumps([f.result() for f in futures]), flush=True)


if __name__ == "__main__":
    main()
