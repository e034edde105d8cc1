"""Group commit for small files: many transactions, one sync.

Durable writes of many small files cost mostly per-file fsyncs and thread hand-offs. Here
one storage thread runs a batch of jobs (whatever queued while the last batch ran); each job
stages its writes as temporary files; then the batch is committed at once: one sync of the
filesystem, the renames, one fsync per folder. A caller learns its result only after its
batch is durable, so "save, then send" still holds; a crash before the renames loses only
writes that nobody was told about, and never leaves a half-written file. The renames (and
any unlink) happen under the data folder's snapshot lock, so a backup holds a whole batch or
none of it. While more work is queued, batches go to a journal instead and the files follow
when the queue is empty (bot/storage/tinydb/journal.py).
"""

import asyncio
import contextlib
import itertools
import logging
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, cast

from bot.errors import DataDirError
from bot.logs import log
from bot.storage.atomic import fsync_folder, read_bytes, write_temp
from bot.storage.libc import libc_function
from bot.storage.snapshot_lock import visible_change
from bot.storage.tinydb.journal import Journal, Writes

MAX_BATCH = 256
MAX_PENDING = 2048  # files waiting in the journal; beyond that a step is written per batch
PENDING_STEP = 64  # files written per step once the queue is empty: a new job waits for one
LULL = 0.05  # seconds without a new job before the journal's files are written

Job = Callable[["Batch"], Any]

logger = logging.getLogger("peercoach.storage")


# Linux's syncfs(2): flush one filesystem, far cheaper than one fsync per file.
_SYNCFS: Callable[[int], int] | None = libc_function("syncfs")


@dataclass
class Batch:
    """Writes staged by the jobs of one batch, made durable by commit() or defer().

    Staged content stays in memory until then: a file written twice in one batch (a turn that
    saves a leader's state and their conversation reference) costs one file on disk, and a
    job reading what an earlier job staged needs no disk read. `pending` holds what earlier
    batches left in the journal (the newest content per file), read before the disk."""

    data_dir: Path  # whose snapshot lock the renames take
    pending: Writes = field(default_factory=dict)
    known: "KnownFiles | None" = None  # which files of the leaders' folder exist, if we know
    staged: Writes = field(default_factory=dict)  # final path -> newest content, None: remove
    _undo: list[tuple[Path, object]] = field(default_factory=list)  # bytes, None or _ABSENT

    def stage(self, path: Path, data: bytes) -> None:
        self._undo.append((path, self.staged.get(path, _ABSENT)))
        self.staged[path] = data

    def read(self, path: Path) -> bytes | None:
        """The newest content of `path`: staged, pending or on disk; None if there is none."""
        for layer in (self.staged, self.pending):
            if path in layer:
                return layer[path]
        if self.known is not None and self.known.absent(path):
            return None  # a new leader: no system call, so no wait for the GIL
        return read_bytes(path)

    def exists(self, path: Path) -> bool:
        for layer in (self.staged, self.pending):
            if path in layer:
                return layer[path] is not None
        if self.known is not None and self.known.covers(path):
            return not self.known.absent(path)
        return path.exists()

    def remove(self, path: Path) -> bool:
        """Remove a file with this batch (and anything staged for it); True if there was one."""
        existed = self.exists(path)
        self._undo.append((path, self.staged.get(path, _ABSENT)))
        self.staged[path] = None
        return existed

    def begin_job(self) -> None:
        self._undo = []

    def undo_job(self) -> None:
        """A job failed: put back what it staged over, so the batch commits only whole jobs."""
        for path, previous in reversed(self._undo):
            if previous is _ABSENT:
                self.staged.pop(path, None)
            else:
                self.staged[path] = cast("bytes | None", previous)
        self._undo = []

    def commit(self, journal: Journal | None = None) -> None:
        """Write every pending and staged file, then empty the journal if it held any."""
        write_files(self.data_dir, {**self.pending, **self.staged}, self.known)
        if journal is not None and journal.holds:
            journal.clear()
        self.pending.clear()
        self.staged.clear()

    def defer(self, journal: Journal) -> None:
        """Make the staged writes durable in the journal; the files follow with a later
        commit (they join `pending`)."""
        if not self.staged:
            return
        contents = {path: data for path, data in self.staged.items() if data is not None}
        if len(contents) != len(self.staged):
            raise ValueError("a removal is committed at once, never left in the journal")
        journal.append(contents)
        self.pending.update(contents)
        self.staged.clear()

    def abandon(self) -> None:
        self.staged.clear()


_ABSENT = object()  # "nothing was staged for this path" in a job's undo list


@dataclass
class KnownFiles:
    """The files in one folder, listed at start and kept up to date by this process's writes:
    the one process that writes the folder (it owns the journal) asks this, not the disk,
    whether a leader has a file yet."""

    folder: Path
    names: set[str]

    @classmethod
    def listed(cls, folder: Path) -> "KnownFiles":
        with os.scandir(folder) as entries:
            return cls(folder, {e.name for e in entries if not e.name.startswith(".")})

    def __post_init__(self) -> None:
        self._folder = str(self.folder)

    def name_in_folder(self, path: Path) -> str | None:
        """The file's name if it lies in this folder. By string: Path.parent builds a new Path,
        several microseconds on every turn."""
        folder, name = os.path.split(path)
        return name if folder == self._folder else None

    def covers(self, path: Path) -> bool:
        return self.name_in_folder(path) is not None

    def absent(self, path: Path) -> bool:
        name = self.name_in_folder(path)
        return name is not None and name not in self.names

    def update(self, writes: Writes) -> None:
        for path, data in writes.items():
            name = self.name_in_folder(path)
            if name is None:
                continue
            if data is None:
                self.names.discard(name)
            else:
                self.names.add(name)


def write_files(data_dir: Path, writes: Writes, known: KnownFiles | None = None) -> None:
    """Temporary files, one sync, the renames and removals under the snapshot lock, one
    fsync per folder. On failure nothing half-made is left and the old files stand."""
    if not writes:
        return
    temps: dict[Path, Path] = {}
    try:
        for path, data in writes.items():
            if data is not None:
                temps[path] = write_temp(path, data)
        if temps:
            sync_files([*temps.values()])
        with visible_change(data_dir):
            for path, temp in temps.items():
                os.replace(temp, path)
            for path in (p for p, data in writes.items() if data is None):
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
    except OSError:
        for temp in temps.values():
            with contextlib.suppress(OSError):
                temp.unlink()
        raise
    for folder in {os.path.dirname(path) for path in writes}:
        fsync_folder(Path(folder))
    if known is not None:
        known.update(writes)


def write_pending(
    data_dir: Path, pending: Writes, journal: Journal, limit: int, known: KnownFiles | None = None
) -> None:
    """Write up to `limit` of the files the journal holds (the oldest first) and forget them;
    once none is left, empty the journal. Every write made while the journal holds anything
    goes through it too, so what it still holds is never older than a file on disk."""
    some = dict(itertools.islice(pending.items(), limit))
    write_files(data_dir, some, known)
    for path in some:
        del pending[path]
    if not pending:
        journal.clear()  # should this fail, it still `holds`: writes keep going through it


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


def run_batch(
    jobs: list[Job],
    data_dir: Path,
    pending: Writes | None = None,
    journal: Journal | None = None,
    known: KnownFiles | None = None,
    *,
    defer: bool = False,
) -> list[tuple[bool, Any]]:
    """Runs on the storage thread: every job, then one commit for all of them; or one journal
    append when more work is waiting (`defer`) or the journal already holds files, unless the
    batch removes a file: then nothing of it may stay behind in the journal either."""
    batch = Batch(data_dir, pending if pending is not None else {}, known)
    results: list[tuple[bool, Any]] = []
    for job in jobs:
        batch.begin_job()
        try:
            results.append((True, job(batch)))
        except BaseException as error:
            batch.undo_job()
            results.append((False, DataDirError(error) if isinstance(error, OSError) else error))
    try:
        removes = any(data is None for data in batch.staged.values())
        if journal is not None and (defer or journal.holds) and not removes:
            batch.defer(journal)  # while the journal holds anything, every write goes there
        else:  # a removal ("forget me") writes it all and empties the journal: nothing stays
            batch.commit(journal)
    except OSError as error:  # nothing of this batch is durable: every writer must know
        batch.abandon()
        failure = DataDirError(error)
        return [(False, failure) if ok else (ok, value) for ok, value in results]
    return results


class GroupCommitter:
    """Runs blocking storage jobs on one thread, in batches, each batch committed once.

    With a journal (the store's own, when this process owns it), a batch that has more work
    queued behind it goes to the journal and the files are written once the queue is empty;
    whatever a crash left in the journal is written to the files before anything else."""

    def __init__(
        self,
        data_dir: Path,
        max_batch: int = MAX_BATCH,
        *,
        journal: Journal | None = None,
        known: KnownFiles | None = None,
    ) -> None:
        self.data_dir = data_dir
        self.max_batch = max_batch
        self.batches = 0
        self.journal = journal
        self.known = known  # touched on the storage thread only, as is:
        self.pending: Writes = {}
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="peercoach-storage")
        self._queue: list[tuple[Job, asyncio.Future[Any]]] = []
        self._drainer: asyncio.Task[None] | None = None
        self._arrived = asyncio.Event()
        if journal is not None and journal.holds:  # a crash left files in it
            try:
                Batch(data_dir, dict(journal.replay()), known).commit(journal)
            except OSError as error:
                journal.close()
                raise DataDirError(error) from error

    async def run(self, job: Job) -> Any:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._queue.append((job, future))
        self._arrived.set()
        if self._drainer is None or self._drainer.done():
            self._drainer = asyncio.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        self._arrived = asyncio.Event()  # of this loop (a CLI may run one loop, then another)
        while self._queue or self._journal_holds():
            if not self._queue and not await self._lull():
                continue  # work arrived: turns first, the files once it is quiet
            if not self._queue or len(self.pending) >= MAX_PENDING:
                # The queue ran dry, or the journal holds enough: write some of its files (a
                # step at a time, so a job arriving meanwhile waits for one step only).
                step = self.max_batch if self._queue else PENDING_STEP
                written = await loop.run_in_executor(self._executor, self._write_pending, step)
                if not self._queue:
                    if not written:
                        return  # they stay in the journal; the next batch tries again
                    continue
            taken, self._queue = self._queue[: self.max_batch], self._queue[self.max_batch :]
            await self._run_taken(loop, taken)

    async def _run_taken(
        self, loop: asyncio.AbstractEventLoop, taken: list[tuple[Job, asyncio.Future[Any]]]
    ) -> None:
        """One batch on the storage thread; every writer in it hears how it went."""
        batch = partial(
            run_batch,
            [job for job, _ in taken],
            self.data_dir,
            self.pending,
            self.journal,
            self.known,
            defer=bool(self._queue),  # more is waiting: the files can follow later
        )
        try:
            results = await loop.run_in_executor(self._executor, batch)
        except asyncio.CancelledError:  # stopping: nobody may wait for ever
            for _, future in (*taken, *self._queue):
                future.cancel()
            raise
        except Exception as error:  # a bug: this batch's writers fail, the next goes on
            log(logger, "storage.batch_failed", level=logging.ERROR, error=type(error).__name__)
            results = [(False, error)] * len(taken)
        self.batches += 1
        for (_, future), (ok, value) in zip(taken, results, strict=True):
            if future.done():
                continue
            if ok:
                future.set_result(value)
            else:
                future.set_exception(value)

    async def _lull(self) -> bool:
        """True once no job has arrived for LULL seconds: a moment to write the journal's
        files that no turn is waiting on."""
        self._arrived.clear()
        try:
            await asyncio.wait_for(self._arrived.wait(), LULL)
        except TimeoutError:
            return True
        return False

    def _journal_holds(self) -> bool:
        return self.journal is not None and self.journal.holds

    def _write_pending(self, step: int) -> bool:
        assert self.journal is not None  # nothing is pending without one
        try:
            write_pending(self.data_dir, self.pending, self.journal, step, self.known)
        except OSError as error:
            log(
                logger,
                "storage.journal_not_written",
                level=logging.ERROR,
                files=len(self.pending),
                error=type(error).__name__,
                fix="check free space and permissions of PEERCOACH_DATA_DIR",
            )
            return False
        return True

    def close(self) -> None:
        """Writes what the journal still holds into the files (after a clean stop it is
        empty), then lets go of it."""
        self._executor.shutdown(wait=True)
        if self.journal is not None:
            if self.journal.holds:
                Batch(self.data_dir, self.pending, self.known).commit(self.journal)
            self.journal.close()
