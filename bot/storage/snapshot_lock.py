"""One lock per data folder that lets `peercoach backup` copy the whole folder as of one instant.

Every writer, in any process, holds it shared (flock LOCK_SH on `<data dir>/.snapshot.lock`)
only while it makes a change visible: the renames of a group commit, an atomic replace, a
ledger append, an unlink. Never while it writes temporary files, syncs or waits on a network.
A backup holds it exclusive while it captures the files. So a backup never shows half a batch
or a leader's new state beside an older ledger: it is the folder as a power cut at that instant
would have left it, which every store already recovers from.

Each hold opens its own descriptor: a flock belongs to an open file description, so threads
and stores never release one another's hold. Cost per hold: open, flock, close (microseconds).
The kernel drops a lock when its process dies; a backup suspended (Ctrl-Z) in the middle of
its few-millisecond hold would stall writes until it resumes or ends.
"""

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_NAME = ".snapshot.lock"
POLL_SECONDS = 0.005


class SnapshotBusyError(TimeoutError):
    """The lock could not be taken exclusively within the time allowed."""


@contextmanager
def visible_change(data_dir: Path) -> Iterator[None]:
    """Held around the step that makes a write visible to readers of the folder."""
    fd = _open(data_dir)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)
        yield
    finally:
        os.close(fd)  # closing releases the lock


@contextmanager
def frozen(data_dir: Path, *, wait: float) -> Iterator[None]:
    """No writer makes a change visible while this is held; SnapshotBusyError after `wait` s.

    Polls without blocking rather than queueing in flock: a bounded wait, and writers hold
    the lock for microseconds, so a poll finds it free at once under any realistic load."""
    fd = _open(data_dir)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise SnapshotBusyError(str(data_dir)) from None
                time.sleep(POLL_SECONDS)
        yield
    finally:
        os.close(fd)


def _open(data_dir: Path) -> int:
    return open_lock_file(data_dir / LOCK_NAME)


_ROOT = os.geteuid() == 0  # asked once: every hold opens the lock file


def open_lock_file(path: Path) -> int:
    """Read-only (flock needs no more). Created private, 0600; run as root (a backup, a
    restore), the one that creates it gives it to its folder's owner, so a server running as
    its own user can still open it. Once it exists, one open, as before."""
    try:
        return os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        pass
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    except FileExistsError:  # another process created it a moment ago
        return os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    if _ROOT:
        folder = os.stat(path.parent)
        os.fchown(fd, folder.st_uid, folder.st_gid)
    return fd
