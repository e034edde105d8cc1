"""Work started by a library (bolt listeners, APScheduler jobs) that a clean stop should let
finish: each such task registers itself, and the owner waits for them, for a while."""

import asyncio
from collections.abc import Coroutine
from typing import Any


class RunningTasks:
    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def track_current(self) -> None:
        """Call from inside the task; it is forgotten when it ends."""
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def start(self, work: Coroutine[Any, Any, None]) -> None:
        """Run `work` as a task of its own, tracked until it ends (as a bolt listener is)."""
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def finish(self, within: float, *extra: asyncio.Task[Any] | None) -> tuple[int, int]:
        """Wait up to `within` s for them (and `extra`); cancel the rest. (finished, cancelled)"""
        busy = {t for t in (*self._tasks, *extra) if t is not None and not t.done()}
        if not busy:
            return 0, 0
        _, late = await asyncio.wait(busy, timeout=within)
        for task in late:
            task.cancel()
        await asyncio.gather(*late, return_exceptions=True)
        return len(busy) - len(late), len(late)
