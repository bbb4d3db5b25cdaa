"""``privnum doctor`` as an operator runs it: a real CLI process against a real server's database, with Redis,
the SIP port, Kannel and the apps' push URLs as the environment says; each check ok / warn / fail, exit 1 on a
fail."""

from __future__ import annotations

import json
import socket
import sqlite3
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from servers import PRIVNUM, Server, drop_database, free_port, fresh_database_url, start_server


def doctor(server: Server, **env: str) -> tuple[int, dict[str, dict]]:
    done = subprocess.run([*PRIVNUM, "doctor", "--json"], env={**server.env, **env}, cwd=server.workdir,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode in (0, 1), done
    results = json.loads(done.stdout)
    assert all(r["verdict"] in ("ok", "warn", "fail") for r in results), results
    assert all(r["fix"] for r in results if r["verdict"] != "ok"), results
    return done.returncode, {r["name"]: r for r in results}


def verdicts(results: dict[str, dict]) -> dict[str, str]:
    return {name: r["verdict"] for name, r in results.items()}


def test_a_healthy_deployment(server: Server, redis_url: str) -> None:
    key, _ = server.create_app("AXB", "--callback-url", f"{server.base}/health")
    code, results = doctor(server, PRIVNUM_REDIS_URL=redis_url)
    assert code == 0, results
    for name in ("database", "migrations", "clock skew", "redis"):
        assert results[name]["verdict"] == "ok", results[name]
    mine = [r for r in results.values() if key in r["detail"]]
    assert [r["verdict"] for r in mine] == ["ok"] and "answers (HTTP" in mine[0]["detail"], mine
    assert "SIP port" not in results  # PRIVNUM_SIP=0 in the tests' servers
    table = subprocess.run([*PRIVNUM, "doctor"], env={**server.env, "PRIVNUM_REDIS_URL": redis_url},
                           cwd=server.workdir, capture_output=True, text=True, timeout=120)
    assert table.returncode == 0 and "ok" in table.stdout and "database" in table.stdout, table


def test_redis_that_does_not_answer_fails(server: Server) -> None:
    code, results = doctor(server, PRIVNUM_REDIS_URL=f"redis://127.0.0.1:{free_port()}/2")
    assert code == 1
    assert results["redis"]["verdict"] == "fail" and "PRIVNUM_REDIS_URL" in results["redis"]["fix"], results
    assert results["database"]["verdict"] == "ok"


def test_a_dead_callback_url_is_a_warning_naming_the_app_and_url(server: Server) -> None:
    dead = f"http://127.0.0.1:{free_port()}/events"
    name = f"dead-{uuid.uuid4().hex[:6]}"
    out = server.cli("app", "create", "--name", name, "--mode", "AXB", "--account", f"acct-{uuid.uuid4().hex[:8]}",
                     "--cdr-url", dead, "--json")
    key = json.loads(out.stdout)["app_key"]
    code, results = doctor(server)
    check = results[f"cdr URL of app {name}"]
    assert check["verdict"] == "warn" and dead in check["detail"] and key in check["detail"], check
    assert key in check["fix"]
    assert code == 0 or any(r["verdict"] == "fail" for r in results.values())


def test_the_sip_port_free_taken_or_privnum_s(server: Server) -> None:
    port = free_port()
    code, results = doctor(server, PRIVNUM_SIP="1", PRIVNUM_SIP_LISTEN=f"127.0.0.1:{port}")
    assert results["SIP port"]["verdict"] == "ok" and "free" in results["SIP port"]["detail"], results
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as squatter:
        squatter.bind(("127.0.0.1", port))
        code, results = doctor(server, PRIVNUM_SIP="1", PRIVNUM_SIP_LISTEN=f"127.0.0.1:{port}")
    assert code == 1
    sip = results["SIP port"]
    assert sip["verdict"] == "fail" and "does not answer SIP OPTIONS" in sip["detail"], sip
    assert "PRIVNUM_SIP_LISTEN" in sip["fix"]


@pytest.fixture(scope="module")
def sip_server() -> Iterator[Server]:
    port = free_port()
    s = start_server("sqlite", {"PRIVNUM_SIP": "1", "PRIVNUM_SIP_LISTEN": f"127.0.0.1:{port}",
                                "PRIVNUM_RTP_PORTS": "31000-31099"})
    yield s
    s.stop()


def test_the_sip_port_held_by_privnum_is_ok(sip_server: Server) -> None:
    code, results = doctor(sip_server)
    assert results["SIP port"]["verdict"] == "ok" and "privnum's" in results["SIP port"]["detail"], results
    assert code == 0, results


def test_kannel_that_does_not_answer_fails(server: Server) -> None:
    url = f"http://127.0.0.1:{free_port()}/cgi-bin/sendsms"
    code, results = doctor(server, PRIVNUM_SMS_GATEWAY="kannel", PRIVNUM_KANNEL_SENDSMS_URL=url)
    assert code == 1
    kannel = results["Kannel sendsms"]
    assert kannel["verdict"] == "fail" and url in kannel["detail"] and "smsbox" in kannel["fix"], kannel


def test_an_unmigrated_database_fails_and_says_db_upgrade(server: Server, tmp_path: Path) -> None:
    backend = server.backend
    url = fresh_database_url(backend, tmp_path)
    if backend == "sqlite":
        sqlite3.connect(tmp_path / "privnum.db").close()
    try:
        code, results = doctor(server, PRIVNUM_DATABASE_URL=url)
        assert code == 1
        assert results["database"]["verdict"] == "ok", results
        assert results["migrations"]["verdict"] == "fail" and "privnum db upgrade" in results["migrations"]["fix"]
        # one migration behind the newest
        subprocess.run([*PRIVNUM, "db", "upgrade"], env={**server.env, "PRIVNUM_DATABASE_URL": url},
                       cwd=server.workdir, check=True, capture_output=True, timeout=120)
        code, results = doctor(server, PRIVNUM_DATABASE_URL=url)
        assert results["migrations"]["verdict"] == "ok" and code == 0, results
        downgrade = ("from privnum.adapters.db.migrate import alembic_config; from alembic import command; "
                     f"command.downgrade(alembic_config({url!r}), '-1')")
        subprocess.run([PRIVNUM[0], "-c", downgrade], env=server.env, check=True, capture_output=True, timeout=120)
        code, results = doctor(server, PRIVNUM_DATABASE_URL=url)
        assert code == 1 and "behind the newest migration" in results["migrations"]["detail"], results
    finally:
        drop_database(url)


def test_a_database_that_cannot_be_reached_fails_first(server: Server, tmp_path: Path) -> None:
    code, results = doctor(server, PRIVNUM_DATABASE_URL=f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/x")
    assert code == 1
    assert results["database"]["verdict"] == "fail" and "PRIVNUM_DATABASE_URL" in results["database"]["fix"]
    assert "migrations" not in results  # nothing more to learn from a database that is not there
    code, results = doctor(server, PRIVNUM_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'none.db'}")
    assert code == 1 and "no SQLite database" in results["database"]["detail"]
    assert not (tmp_path / "none.db").exists()  # the doctor creates nothing
