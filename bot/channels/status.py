"""Whether a channel can reach its platform, for `/healthz`: a channel whose start-up check
fails keeps trying in the background, with backoff, while everything else runs."""

import asyncio
import itertools
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from bot.logs import log

logger = logging.getLogger("peercoach.channels")
FIRST_DELAY = 2.0
MAX_DELAY = 300.0  # a platform down for hours is asked every five minutes, not every second
FIRST_WAIT = 5.0  # how long the server's start waits for the first check
NO_ANSWER = "no answer yet from the platform; still trying"

Sleep = Callable[[float], Awaitable[None]]
Check = Callable[
    [], Coroutine[Any, Any, str | None]
]  # None: up; otherwise why not, with no secret


def retry_delay(attempt: int) -> float:
    """Seconds before try `attempt` (1, 2, ...): doubling from FIRST_DELAY, capped."""
    return min(FIRST_DELAY * 2.0 ** (attempt - 1), MAX_DELAY)


@dataclass
class ChannelStatus:
    """`ok`, or `down: <why>` while the platform cannot be reached."""

    name: str
    down: str | None = None

    def describe(self) -> str:
        return "ok" if self.down is None else f"down: {self.down}"


class Reconnector:
    """Runs a channel's start-up check until it passes: once now, then in the background.
    `check_now` lets a request that arrives while down ask again at once (one check at a
    time, however many requests wait on it)."""

    def __init__(
        self, status: ChannelStatus, check: Check, sleep: Sleep, *, first_wait: float = FIRST_WAIT
    ) -> None:
        self.status = status
        self.check = check
        self.sleep = sleep
        self.first_wait = first_wait
        self._background: asyncio.Task[None] | None = None
        self._checking: asyncio.Task[str | None] | None = None

    async def start(self) -> None:
        """The first check, waited for a few seconds at most: a platform that hangs must not
        hold up the server's start (a host may kill a process that is slow to listen)."""
        try:
            async with asyncio.timeout(self.first_wait):
                if await self.check_now() is None:
                    return
        except TimeoutError:
            self.status.down = NO_ANSWER
        log(
            logger,
            "channel.down",
            level=logging.WARNING,
            channel=self.status.name,
            reason=self.status.down,
            retrying=True,
        )
        self._background = asyncio.create_task(self._keep_trying())

    async def check_now(self) -> str | None:
        """Check (or join the check running), record the outcome; None when up."""
        if self._checking is None or self._checking.done():
            self._checking = asyncio.create_task(self.check())
        try:
            problem = await asyncio.shield(self._checking)
        except Exception as error:  # a bug in a check must not end the retries silently
            log(logger, "channel.check_failed", level=logging.ERROR, error=type(error).__name__)
            problem = f"the check itself failed ({type(error).__name__})"
        was_down = self.status.down is not None
        self.status.down = problem
        if problem is None and was_down:
            log(logger, "channel.up", channel=self.status.name)
        return problem

    async def _keep_trying(self) -> None:
        first_still_out = self._checking is not None and not self._checking.done()
        if first_still_out and await self.check_now() is None:
            return
        for attempt in itertools.count(1):
            await self.sleep(retry_delay(attempt))
            if await self.check_now() is None:
                return

    async def close(self) -> None:
        for task in (self._background, self._checking):
            if task is not None and not task.done():
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
