"""Shared fixtures: the shipped content (loaded once) and a fixed, movable clock.

The local data key (bot.crypto.keys.key_file) lives in a folder of this test session, never in
the real home: XDG_CONFIG_HOME is set here, before any test runs, so subprocesses the tests
start inherit it too.
"""

import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from dialogs.content import load_content
from dialogs.content_model import Content
from tests.postgres_server import PostgresServer, start_server

CONFIG_PREFIX = "peercoach-test-config-"
if CONFIG_PREFIX not in os.environ.get("XDG_CONFIG_HOME", ""):  # a test's subprocess keeps it
    os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix=CONFIG_PREFIX)
os.environ.pop("PEERCOACH_DATA_KEY", None)  # a developer's own key never reaches the tests

ROOT = Path(__file__).resolve().parent.parent
CONTENT_DIR = ROOT / "content"
AT = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def content() -> Content:
    return load_content(CONTENT_DIR)


@dataclass
class FakeClock:
    """A clock tests move by hand."""

    at: datetime = AT

    def now(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> datetime:
        self.at += timedelta(**delta)
        return self.at


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """One real PostgreSQL server for the whole session (skips, or fails under CI=true, when
    PostgreSQL is not installed)."""
    server = start_server()
    try:
        yield server
    finally:
        server.stop("immediate")
        shutil.rmtree(server.folder, ignore_errors=True)


@pytest.fixture
async def database_url(postgres: PostgresServer) -> str:
    """A fresh, migrated database of its own for one test (libpq URL with a password)."""
    return await postgres.fresh_database()
