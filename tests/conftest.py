"""Test fixtures: a real privnum server per backend, Redis, the call lab (support/call_lab.py),
SIPp (support/sipp.py) and Kannel with a fake carrier line (support/kannel.py, support/fake_smsc.py).

The helpers live in ``tests/support/`` (the Huawei client, the stand-in customer server, servers,
the call lab, the SIPp harness) and ``tests/sip/media/`` (RTP pcaps), importable by name from every
test folder.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "support"))
sys.path.insert(0, str(Path(__file__).parent / "sip" / "media"))

from servers import BACKENDS, POSTGRES_URL, REDIS_URL, REQUIRE_SERVICES, Server, drop_database, start_server

pytest_plugins = ["call_lab", "sms_lab", "sipp", "sip_lab", "mgmt", "rec_lab", "kannel", "sms_rec_lab"]


@pytest.fixture(scope="session", params=BACKENDS)
def server(request: pytest.FixtureRequest) -> Iterator[Server]:
    """One privnum server per backend for the whole session (lockout effectively off)."""
    s = start_server(request.param)
    yield s
    s.stop()
    drop_database(s.database_url)


@pytest.fixture(scope="session")
def redis_url() -> str:
    if not REDIS_URL:
        if REQUIRE_SERVICES:
            pytest.fail("PRIVNUM_TEST_REDIS_URL is not set but services are required")
        pytest.skip("PRIVNUM_TEST_REDIS_URL not set")
    return REDIS_URL


def pytest_sessionstart(session: pytest.Session) -> None:
    if REQUIRE_SERVICES and not POSTGRES_URL:
        raise pytest.UsageError("PRIVNUM_TEST_REQUIRE_SERVICES=1 needs PRIVNUM_TEST_POSTGRES_URL")
