"""How fast peercoach may call conversations.history, by the kind of Slack app it runs as.

Slack's rate-limit page (changed 2025-05-29): an app built for its own organisation
("internal, customer-built") or approved for the Slack Marketplace keeps Tier 3 for
conversations.history: 50+ calls a minute, up to 999 messages each. A commercially
distributed app not approved for the Marketplace gets 1 call a minute and at most 15
messages per call. The setting defaults to the slow kind: guessing too fast means every
call past the first is refused with 429 (and recovery learns nothing), guessing too slow
only makes crash recovery slower.

History is asked only after a crash, about deliveries left pending (bot.services.recovery):
never on the path of a reply or a new nudge.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.config import AppKind

MARGIN = 0.02  # 2% slower than the limit: Slack's clock and ours, and the network between


@dataclass(frozen=True)
class HistoryLimit:
    per_minute: float  # calls
    messages: int  # per call (Slack's `limit`)


LIMITS: dict[AppKind, HistoryLimit] = {
    "internal": HistoryLimit(per_minute=50, messages=100),
    "marketplace": HistoryLimit(per_minute=50, messages=100),
    "distributed": HistoryLimit(per_minute=1, messages=15),
}


class Pacer:
    """A token bucket: `per_minute` calls a minute, at most `burst` at once, and nothing at
    all until a Retry-After has passed. Clock and sleep are injected (tests use virtual
    time). Callers queue in order: the lock is fair, so the oldest waiter goes first."""

    def __init__(
        self,
        per_minute: float,
        *,
        burst: int = 1,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.interval = 60.0 / per_minute * (1 + MARGIN)
        self.burst = burst
        self.clock = clock
        self.sleep = sleep
        self._tokens = float(burst)
        self._updated = clock()
        self._blocked_until = 0.0
        self._lock = asyncio.Lock()
        self.calls = 0
        self.waited = 0.0  # seconds spent waiting for a token, in all

    async def take(self) -> None:
        """Wait for a token, then spend it."""
        async with self._lock:
            while (gap := self._wait()) > 0:
                self.waited += gap
                await self.sleep(gap)
            self._tokens = max(0.0, self._tokens - 1)
            self.calls += 1

    def ahead(self) -> float:
        """Seconds a `take` now would wait, not counting callers already queued."""
        return self._wait()

    def hold(self, seconds: float) -> None:
        """The platform said 429, retry after `seconds`: no call before then, and the bucket
        starts empty after it."""
        self._blocked_until = max(self._blocked_until, self.clock() + seconds)
        self._tokens = 0.0
        self._updated = self._blocked_until

    def _wait(self) -> float:
        now = self.clock()
        if now < self._blocked_until:
            return self._blocked_until - now
        self._tokens = min(self.burst, self._tokens + (now - self._updated) / self.interval)
        self._updated = now
        # Within a microsecond of a whole token counts as one: a clock of whole microseconds
        # (datetime) could otherwise never reach it, and wait for ever in rounding-sized steps.
        return (
            0.0 if self._tokens >= 1 - 1e-6 / self.interval else (1 - self._tokens) * self.interval
        )


def pacer_for(kind: AppKind, per_minute: int | None = None) -> Pacer:
    """The kind's documented rate, unless the operator set another (Slack's tiers say "50+"
    a minute; a workspace may have been granted more)."""
    return Pacer(per_minute or LIMITS[kind].per_minute)
