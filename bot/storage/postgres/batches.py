"""Group commit for a database: what arrives while one write is in flight goes in the next.

A fan-out finishes thousands of deliveries within seconds; one statement and one commit per
delivery would make the database's log flush the bottleneck. Here the callers of one moment
share one write: each waits for its own result, and a failure reaches every caller of that
batch. One batch is in flight at a time, so two writes of one key keep their order.
"""

import asyncio
from collections.abc import Awaitable, Callable, Sequence


class Batches[T, R]:
    def __init__(self, write: Callable[[list[T]], Awaitable[Sequence[R]]], most: int) -> None:
        """`write` takes a batch (at most `most` items) and returns one result per item."""
        self._write = write
        self._most = most
        self._queue: list[tuple[T, asyncio.Future[R]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def add(self, item: T) -> R:
        done: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._queue.append((item, done))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._run())
        return await asyncio.shield(done)  # a caller that gives up leaves its batch alone

    async def _run(self) -> None:
        while self._queue:
            batch, self._queue = self._queue[: self._most], self._queue[self._most :]
            try:
                results = await self._write([item for item, _ in batch])
            except Exception as error:  # DatabaseUnavailableError, or a bug: tell each caller
                for _, done in batch:
                    if not done.done():
                        done.set_exception(error)
                        done.exception()  # retrieved: a caller that gave up is not told
                continue
            for (_, done), result in zip(batch, results, strict=True):
                if not done.done():
                    done.set_result(result)

    async def drain(self) -> None:
        """Wait until everything queued so far is written (or has failed)."""
        while self._writer is not None and not self._writer.done():
            await asyncio.wait([self._writer])
