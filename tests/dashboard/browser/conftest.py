"""Fixtures of the browser tests: one Chromium for the module, and the real server per test.

Without a browser the tests skip, saying how to enable them; under CI=true they fail."""

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Browser, async_playwright

from tests.dashboard.browser.harness import SCREENSHOTS, Server, chromium_path, serve

ENABLE = (
    "Chromium is not installed: install Debian's chromium (make services, or sudo apt-get "
    "install chromium), or set PEERCOACH_CHROMIUM to a Chromium"
)


@pytest.fixture(scope="session")
def chromium() -> str:
    found = chromium_path()
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail(ENABLE, pytrace=False)
        pytest.skip(ENABLE)
    print(f"\nbrowser tests: {found}; screenshots in {SCREENSHOTS}")
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
