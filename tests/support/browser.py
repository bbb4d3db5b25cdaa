"""Browser tests on Debian's Chromium, driven by Playwright's async API (pytest-playwright-asyncio: the sync
plugin breaks pytest-asyncio's session loop). ``playwright install`` is never run: the launch uses the
``chromium`` on PATH (or ``PRIVNUM_TEST_CHROMIUM``).

- ``PRIVNUM_TEST_REQUIRE_BROWSER=1`` (set by .ci/run): fail, not skip, when Chromium is missing.
- ``PRIVNUM_SCREENSHOTS=1``: ``screenshot(page, name)`` writes ``docs/console/<name>.png`` (committed);
  otherwise it writes to a temporary folder, so a test run leaves the tree clean.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("PRIVNUM_TEST_CHROMIUM") or shutil.which("chromium")
REQUIRE_BROWSER = os.environ.get("PRIVNUM_TEST_REQUIRE_BROWSER") == "1"
VIEWPORT = {"width": 1280, "height": 800}
DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "console"
_scratch = Path(tempfile.gettempdir()) / "privnum-screenshots"


def chromium_or_skip() -> str:
    if CHROMIUM:
        return CHROMIUM
    if REQUIRE_BROWSER:
        pytest.fail("PRIVNUM_TEST_REQUIRE_BROWSER=1 but no chromium on PATH (apt-get install chromium fonts-noto-cjk)")
    pytest.skip("no chromium on PATH (apt-get install chromium fonts-noto-cjk)")


def screenshot_path(name: str) -> Path:
    folder = DOCS_SCREENSHOTS if os.environ.get("PRIVNUM_SCREENSHOTS") == "1" else _scratch
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{name}.png"


async def screenshot(page: object, name: str) -> Path:
    """A full-page PNG of ``page`` (a Playwright ``Page``): animations stopped, caret hidden."""
    path = screenshot_path(name)
    await page.screenshot(path=str(path), full_page=True, animations="disabled", caret="hide")  # type: ignore[attr-defined]
    return path
