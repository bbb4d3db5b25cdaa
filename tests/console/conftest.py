"""The console under test: one real ``privnum serve`` on a fresh SQLite database for the session, and a
Chromium (Debian's, see support/browser.py) whose pages resolve ``page.goto("/console")`` against it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from browser import VIEWPORT, chromium_or_skip
from servers import Server, start_server


@pytest.fixture(scope="session")
def console_server() -> Iterator[Server]:
    server = start_server("sqlite")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def console_url(console_server: Server) -> str:
    return console_server.base


@pytest.fixture(scope="session")
def base_url(console_url: str) -> str:
    return console_url


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": chromium_or_skip()}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    """1280x800, Chinese first (the console's default language), UTC: the same screenshots on every machine."""
    return {**browser_context_args, "viewport": VIEWPORT, "locale": "zh-CN", "timezone_id": "UTC",
            "reduced_motion": "reduce"}
