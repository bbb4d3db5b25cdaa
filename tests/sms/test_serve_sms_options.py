"""``privnum serve`` refuses an SMS gateway it cannot run, saying what to set, before it starts anything."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from servers import PRIVNUM, free_port


def serve(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PRIVNUM_DATABASE_URL": f"sqlite:///{tmp_path}/p.db", "PRIVNUM_SIP": "0"}
    env.pop("PRIVNUM_KANNEL_TOKEN", None)
    return subprocess.run([*PRIVNUM, "serve", "--port", str(free_port()), *args], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)


def test_an_unknown_gateway_is_refused(tmp_path: Path) -> None:
    done = serve(tmp_path, "--sms-gateway", "smpp")
    assert done.returncode != 0
    assert "must be one of sandbox, kannel" in done.stdout + done.stderr


def test_kannel_without_its_token_is_refused(tmp_path: Path) -> None:
    done = serve(tmp_path, "--sms-gateway", "kannel")
    assert done.returncode != 0
    assert "PRIVNUM_KANNEL_TOKEN" in done.stdout + done.stderr
