"""Scheduler leadership on PostgreSQL: whoever holds one advisory lock runs the scheduler.

The lock belongs to a database session, so it lives on a connection of its own (never one
from the pool, which would hand the session, and the lock, to whoever borrows it next). A
standby asks for the lock every `interval` seconds (`pg_try_advisory_lock`, never waiting
on it). The leader asks its connection a cheap question as often, with a short timeout: the
moment it goes unanswered (database restart, network loss, the session killed) the leader
steps down (`on_lose`) before anyone could have taken over from the server's side, waits
two intervals (a standby still connected takes over first, rather than the instance whose
connection just failed), then reconnects with backoff and stands by.

When a leader dies outright (kill -9, a lost VM) the server must notice that its session is
dead to free the lock: the kernel's FIN or RST tells it at once after a kill, and the TCP
settings below make a silent network loss known within seconds rather than the two hours of
default keepalives.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg

from bot.logs import log
from bot.schedules.leadership import Callback, Role
from bot.storage.postgres.pool import DatabaseUnavailableError, connect, describe
from bot.storage.postgres.url import DatabaseUrl

logger = logging.getLogger("peercoach.leadership")

SCHEDULER_LOCK = 0x73636864  # "schd": the one scheduler lock (migrations use their own)
INTERVAL = 2.0  # seconds between a standby's tries, and between a leader's checks
CHECK_TIMEOUT = 1.5  # a check unanswered for this long means the connection is gone
MAX_BACKOFF = 5.0  # reconnect waits grow to this, so a returning database is seen quickly
# The server side of a dead leader's connection: keepalive probes after 2 s idle, every 1 s,
# 3 unanswered = dead; unacknowledged data for 5 s = dead. Either frees the lock.
KEEPALIVE = {
    "tcp_keepalives_idle": "2",
    "tcp_keepalives_interval": "1",
    "tcp_keepalives_count": "3",
    "tcp_user_timeout": "5000",  # milliseconds
}
# What a connection that went away raises (a killed session says 57P01, a PostgresError).
LOST = (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError)

type Sleep = Callable[[float], Awaitable[None]]


class _GainFailed(Exception):
    """on_gain raised: let go of the lock, so another instance (or a later try) can lead."""


class PostgresLeadership:
    """`start(on_gain, on_lose)`, `stop()`, `role`: see bot/schedules/leadership.py."""

    def __init__(
        self,
        url: DatabaseUrl,
        *,
        lock_id: int = SCHEDULER_LOCK,
        interval: float = INTERVAL,
        check_timeout: float = CHECK_TIMEOUT,
        max_backoff: float = MAX_BACKOFF,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.url = url
        self.lock_id = lock_id
        self.interval = interval
        self.check_timeout = check_timeout
        self.max_backoff = max_backoff
        self._sleep = sleep
        self._role: Role = "standby"
        self._connection: asyncpg.Connection[Any] | None = None
        self._task: asyncio.Task[None] | None = None
        self._in_callback = False  # stop() never cancels on_gain or on_lose halfway
        self._stopping = False
        self._on_gain: Callback | None = None
        self._on_lose: Callback | None = None
        self.gains = 0  # times this instance became the leader, and stepped down
        self.losses = 0

    @property
    def role(self) -> Role:
        return self._role

    @property
    def backend_pid(self) -> int | None:
        """The server process of the lock connection (for operators and tests)."""
        return None if self._connection is None else self._connection.get_server_pid()

    async def start(self, on_gain: Callback, on_lose: Callback) -> None:
        self._on_gain, self._on_lose = on_gain, on_lose
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name="scheduler-leadership")

    async def stop(self) -> None:
        """Step down first (the scheduler drains while the lock is still ours), then close
        the connection, which frees the lock for a standby."""
        self._stopping = True
        task, self._task = self._task, None
        if task is not None:
            if not self._in_callback:
                task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        await self._step_down()
        await self._close()

    async def _run(self) -> None:
        backoff = self.interval / 2
        while not self._stopping:
            try:
                self._connection = await connect(self.url, server_settings=KEEPALIVE)
            except (DatabaseUnavailableError, *LOST) as error:
                reason = error.reason if isinstance(error, DatabaseUnavailableError) else None
                log(
                    logger,
                    "leadership.unreachable",
                    level=logging.WARNING,
                    reason=reason or describe(error),
                    retry_in=backoff,
                )
                await self._close()
                await self._sleep(backoff)
                backoff = min(backoff * 2, self.max_backoff)
                continue
            backoff = self.interval / 2
            try:
                await self._contend(self._connection)
            except (_GainFailed, *LOST) as error:
                was = self._role
                log(
                    logger,
                    "leadership.connection_lost" if was == "active" else "leadership.retrying",
                    level=logging.WARNING,
                    role=was,
                    reason=describe(error.__cause__ or error),
                )
                await self._step_down()
                await self._close()
                if was == "active" and not self._stopping:  # a connected standby goes first
                    await self._sleep(2 * self.interval)

    async def _contend(self, connection: asyncpg.Connection[Any]) -> None:
        """Stand by until the lock is ours, lead, and keep checking the connection."""
        while not await connection.fetchval(
            "SELECT pg_try_advisory_lock($1)", self.lock_id, timeout=self.check_timeout
        ):
            await self._sleep(self.interval)
        await self._gain()
        while not self._stopping:
            await self._sleep(self.interval)
            await connection.fetchval("SELECT 1", timeout=self.check_timeout)

    async def _gain(self) -> None:
        assert self._on_gain is not None
        log(logger, "leadership.won", lock=self.lock_id)
        self._in_callback = True
        try:
            await self._on_gain()
        except Exception as error:
            log(logger, "leadership.start_failed", level=logging.ERROR, error=type(error).__name__)
            self._role = "active"  # so that on_lose undoes what on_gain began
            raise _GainFailed from error
        finally:
            self._in_callback = False
        self._role = "active"
        self.gains += 1
        log(logger, "leadership.active", lock=self.lock_id)

    async def _step_down(self) -> None:
        if self._role != "active":
            return
        self._role = "standby"
        self.losses += 1
        assert self._on_lose is not None
        self._in_callback = True
        try:
            await self._on_lose()
        except Exception as error:
            log(logger, "leadership.stop_failed", level=logging.ERROR, error=type(error).__name__)
        finally:
            self._in_callback = False
        log(logger, "leadership.standby", lock=self.lock_id)

    async def _close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None or connection.is_closed():
            return
        try:
            await connection.close(timeout=self.check_timeout)
        except (*LOST, RuntimeError):
            connection.terminate()
