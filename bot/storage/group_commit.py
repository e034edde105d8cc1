"""Group commit for small files: many transactions, one sync.

Durable writes of many small files cost mostly per-file fsyncs and thread hand-offs. Here
one storage thread runs a batch of jobs (whatever queued while the last batch ran); each job
stages its writes as temporary files; then the batch is committed at once: one sync of the
filesystem, the renames, one fsync per folder. A caller learns its result only after its
batch is durable, so "save, then send" still holds; a crash before the renames loses only
writes that nobody was told about, and never leaves a half-written file. The renames (and
any unlink) happen under the data folder's snapshot lock, so a backup holds a whole batch or
none of it.
"""

import asyncio
import contextlib
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.errors import DataDirError
from bot.storage.atomic import fsync_folder, read_bytes, write_temp
from bot.storage.libc import libc_function
from bot.storage.snapshot_lock import visible_change

MAX_BATCH = 256

Job = Callable[["Batch"], Any]


# Linux's syncfs(2): flush one filesystem, far cheaper than one fsync per file.
_SYNCFS: Callable[[int], int] | None = libc_function("syncfs")


@dataclass
class Batch:
    """Writes staged by the jobs of one batch, made durable and visible by commit().

    Staged content stays in memory until the commit: a file written twice in one batch
    (a turn that saves a leader's state and their conversation reference) costs one file
    on disk, and a job reading what an earlier job staged needs no disk read."""

    data_dir: Path  # whose snapshot lock the renames take
    staged: dict[Path, bytes] = field(default_factory=dict)  # final path -> newest content
    _undo: list[tuple[Path, bytes | None]] = field(default_factory=list)

    def stage(self, path: Path, data: bytes) -> None:
        self._undo.append((path, self.staged.get(path)))
        self.staged[path] = data

    def read(self, path: Path) -> bytes | None:
        """The newest content of `path`, staged or on disk; None if there is none."""
        staged = self.staged.get(path)
        if staged is not None:
            return staged
        return read_bytes(path)

    def exists(self, path: Path) -> bool:
        return path in self.staged or path.exists()

    def remove(self, path: Path) -> bool:
        """Delete a file now, and anything staged for it in this batch."""
        staged = self.staged.pop(path, None)
        try:
            with visible_change(self.data_dir):
                path.unlink()
        except FileNotFoundError:
            return staged is not None
        return True

    def begin_job(self) -> None:
        self._undo = []

    def undo_job(self) -> None:
        """A job failed: put back what it staged over, so the batch commits only whole jobs."""
        for path, previous in reversed(self._undo):
            if previous is None:
                self.staged.pop(path, None)
            else:
                self.staged[path] = previous
        self._undo = []

    def commit(self) -> None:
        if not self.staged:
            return
        temps: dict[Path, Path] = {}
        try:
            for path, data in self.staged.items():
                temps[path] = write_temp(path, data)
            sync_files([*temps.values()])
            with visible_change(self.data_dir):
                for path, temp in temps.items():
                    os.replace(temp, path)
        except OSError:
            for temp in temps.values():
                with contextlib.suppress(OSError):
                    temp.unlink()
            raise
        for folder in {path.parent for path in temps}:
            fsync_folder(folder)
        self.staged.clear()

    def abandon(self) -> None:
        self.staged.clear()


def sync_files(files: list[Path]) -> None:
    """Make these files' content durable: one syncfs(2) of their filesystem where we can."""
    if _SYNCFS is not None:
        fd = os.open(files[0], os.O_RDONLY)
        try:
            if _SYNCFS(fd) == 0:
                return
        finally:
            os.close(fd)
    for file in files:  # no syncfs here: one fsync per file, still one thread hop per batch
        fd = os.open(file, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def run_batch(jobs: list[Job], data_dir: Path) -> list[tuple[bool, Any]]:
    """Runs on the storage thread: every job, then one commit for all of them."""
    batch = Batch(data_dir)
    results: list[tuple[bool, Any]] = []
    for job in jobs:
        batch.begin_job()
        try:
            results.append((True, job(batch)))
        except BaseException as error:
            batch.undo_job()
            results.append((False, DataDirError(error) if isinstance(error, OSError) else error))
    try:
        batch.commit()
    except OSError as error:  # nothing of this batch is durable: every writer must know
        batch.abandon()
        failure = DataDirError(error)
        return [(False, failure) if ok else (ok, value) for ok, value in results]
    return results


class GroupCommitter:
    """Runs blocking storage jobs on one thread, in batches, each batch committed once."""

    def __init__(self, data_dir: Path, max_batch: int = MAX_BATCH) -> None:
        self.data_dir = data_dir
        self.max_batch = max_batch
        self.batches = 0
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="peercoach-storage")
        self._queue: list[tuple[Job, asyncio.Future[Any]]] = []
        self._drainer: asyncio.Task[None] | None = None

    async def run(self, job: Job) -> Any:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._queue.append((job, future))
        if self._drainer is None or self._drainer.done():
            self._drainer = asyncio.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        while self._queue:
            taken, self._queue = self._queue[: self.max_batch], self._queue[self.max_batch :]
            jobs = [job for job, _ in taken]
            results = await loop.run_in_executor(self._executor, run_batch, jobs, self.data_dir)
            self.batches += 1
            for (_, future), (ok, value) in zip(taken, results, strict=True):
                if future.done():
                    continue
                if ok:
                    future.set_result(value)
                else:
                    future.set_exception(value)

    def close(self) -> None:
        self._executor.shutdown(wait=True)
