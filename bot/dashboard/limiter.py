"""Repeated bad sign-in tokens from one address are slowed down: after a few failures in a
window, further tries are refused until the oldest failure ages out. In-process (each
instance counts its own), bounded in memory, driven by the clock it is given."""

from collections import deque
from datetime import datetime, timedelta

from bot.clock import Clock

ALLOWED = 5
WINDOW = timedelta(minutes=10)
MAX_ADDRESSES = 10_000


class BadTokenLimiter:
    def __init__(
        self,
        clock: Clock,
        *,
        allowed: int = ALLOWED,
        window: timedelta = WINDOW,
        max_addresses: int = MAX_ADDRESSES,
    ) -> None:
        self.clock = clock
        self.allowed = allowed
        self.window = window
        self.max_addresses = max_addresses
        self._failures: dict[str, deque[datetime]] = {}

    def wait(self, address: str) -> float:
        """Seconds this address must wait before its next try (0: it may try now)."""
        failures = self._recent(address)
        if len(failures) < self.allowed:
            return 0.0
        return max(1.0, (failures[0] + self.window - self.clock.now()).total_seconds())

    def failed(self, address: str) -> None:
        if address not in self._failures and len(self._failures) >= self.max_addresses:
            self._failures.pop(next(iter(self._failures)))  # the oldest address seen
        self._recent(address).append(self.clock.now())

    def _recent(self, address: str) -> deque[datetime]:
        failures = self._failures.setdefault(address, deque(maxlen=self.allowed))
        since = self.clock.now() - self.window
        while failures and failures[0] <= since:
            failures.popleft()
        return failures
