"""Shared fixtures: the shipped content (loaded once) and a fixed, movable clock."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from dialogs.content import load_content
from dialogs.content_model import Content

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
