"""Where the time comes from, so tests can move it."""

from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, tz-aware."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)
