"""Fixtures of the browser tests: one Chromium for the module, and the real server per test.

Without a browser the tests skip, saying how to enable them; under CI=true they fail."""

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Browser, async_playwright

from tests.dashboard.browser.harness import (
    AXE_RUNS,
    SCREENSHOTS,
    TAKEN,
    Server,
    chromium_path,
    serve,
)


def enable() -> str:
    """One line: where the browser was looked for, and how to get one."""
    wanted = os.environ.get("PEERCOACH_CHROMIUM")
    where = f"PEERCOACH_CHROMIUM={wanted} is not a program" if wanted else "no /usr/bin/chromium"
    return (
        f"browser tests need Chromium ({where}): run make services, or sudo apt-get install "
        "chromium, or set PEERCOACH_CHROMIUM to a Chromium"
    )


@pytest.fixture(scope="session")
def chromium() -> str:
    found = chromium_path()
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail(enable(), pytrace=False)
        pytest.skip(enable())
    return found


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def browser(chromium: str) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=chromium)
        try:
            yield launched
        finally:
            await launched.close()


@pytest_asyncio.fixture(loop_scope="module")
async def server(tmp_path: Path) -> AsyncIterator[Server]:
    async with serve(tmp_path) as running:
        yield running


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """How many pages axe checked, and where this run's screenshots are (look at them)."""
    if AXE_RUNS:
        terminalreporter.write_line(
            f"axe-core: {len(AXE_RUNS)} page views checked, {sum(AXE_RUNS)} violations"
        )
    if TAKEN:
        terminalreporter.write_line(f"dashboard screenshots: {len(TAKEN)} in {SCREENSHOTS}/")
