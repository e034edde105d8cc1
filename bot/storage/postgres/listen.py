"""LISTEN for other instances' changes on a connection of its own, and reconcile.

PostgreSQL delivers a notification only to sessions listening when it commits, and stores
none: a notification sent while our connection was down is gone. So the listener also asks
its store to read everything again (resync) right after each (re)connection and every
`reconcile_every` seconds. It reconnects by itself when the connection drops (a database
restart, a network cut), trying every `retry_every` seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable
from typing import Any

import asyncpg

from bot.logs import log
from bot.storage.changes import Heard, Resync
from bot.storage.postgres.pool import DatabaseUnavailableError, connect, describe
from bot.storage.postgres.rows import CHANNEL
from bot.storage.postgres.url import DatabaseUrl

logger = logging.getLogger(__name__)

_LOST = ""  # queued when the connection closes; never a payload (those are `table:key`)


class ChangeListener:
    def __init__(
        self,
        url: DatabaseUrl,
        *,
        name: str,
        reconcile_every: float = 30.0,
        retry_every: float = 1.0,
    ) -> None:
        self.url = url
        self.name = name  # which store, for the logs
        self.reconcile_every = reconcile_every
        self.retry_every = retry_every
        self.connection: asyncpg.Connection[Any] | None = None
        self.connections = 0  # how many times it has connected (1 at start, +1 per return)
        self.listening = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self, heard: Heard, resync: Resync) -> None:
        """Listen in the background; returns once listening, or after a first failed try
        (it keeps trying: the store works on, and a resync follows the connection)."""
        if self._task is not None:
            return
        tried = asyncio.Event()
        self._task = asyncio.create_task(self._run(heard, resync, tried))
        await tried.wait()

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self, heard: Heard, resync: Resync, tried: asyncio.Event) -> None:
        while True:
            try:
                connection = await connect(self.url)
            except Exception as error:  # whatever it was, try again: the store works on
                reason = error.reason if isinstance(error, DatabaseUnavailableError) else None
                log(logger, "changes.unreachable", level=logging.WARNING, store=self.name,
                    reason=reason or describe(error))  # fmt: skip
                tried.set()
                await asyncio.sleep(self.retry_every)
                continue
            try:
                await self._follow(connection, heard, resync, tried)
            except Exception as error:  # mostly the database gone; a reconnect mends it
                log(logger, "changes.lost", level=logging.WARNING, store=self.name,
                    reason=describe(error))  # fmt: skip
            finally:
                self.listening.clear()
                self.connection = None
                connection.terminate()
            await asyncio.sleep(self.retry_every)

    async def _follow(
        self,
        connection: asyncpg.Connection[Any],
        heard: Heard,
        resync: Resync,
        tried: asyncio.Event,
    ) -> None:
        """Until the connection drops: each notification to `heard`, and a resync now and
        every `reconcile_every` seconds."""
        queue: asyncio.Queue[str] = asyncio.Queue()
        connection.add_termination_listener(lambda _connection: queue.put_nowait(_LOST))
        await connection.add_listener(
            CHANNEL, lambda _connection, _pid, _channel, payload: queue.put_nowait(payload)
        )
        self.connection = connection
        self.connections += 1
        self.listening.set()
        tried.set()
        log(logger, "changes.listening", store=self.name, connections=self.connections)
        loop = asyncio.get_running_loop()
        due = loop.time()  # a resync at once: changes made while we were not listening
        while True:
            try:
                payload = await asyncio.wait_for(queue.get(), max(0.0, due - loop.time()))
            except TimeoutError:
                await connection.fetchval("SELECT 1")  # a dead connection raises here
                await self._safely(resync())
                due = loop.time() + self.reconcile_every
                continue
            if payload == _LOST:
                log(logger, "changes.lost", level=logging.WARNING, store=self.name,
                    reason="the connection closed")  # fmt: skip
                return
            table, _, key = payload.partition(":")
            if not await self._safely(heard(table, key)):
                due = loop.time() + self.retry_every  # missed one: read everything soon

    async def _safely(self, work: Awaitable[None]) -> bool:
        """Run a store's read. A database away, a bad row, even an observer's bug is logged
        (by type only: a message could quote a row) and waits for the next resync; it must
        not stop this instance following the others."""
        try:
            await work
        except Exception as error:
            log(logger, "changes.read_failed", level=logging.WARNING, store=self.name,
                error=type(error).__name__)  # fmt: skip
            return False
        return True
