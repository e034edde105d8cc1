"""Who has a data folder open: a claim that `serve`, `console` and `admin` hold shared for
their whole run, and that `restore` takes exclusively.

So a restore never swaps the folder from under a running server, and a server never starts
on a folder that is being restored. The claim is an flock on `<data dir>/.in-use.lock`: the
kernel drops it when a process ends, even by kill -9, so there is no stale pid file to clean.
"""

import contextlib
import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.errors import StorageError
from bot.storage.private import private_folder
from bot.storage.snapshot_lock import open_lock_file

CLAIM_NAME = ".in-use.lock"
ATTEMPTS = 5  # a restore may swap the folder between our open and our flock: look again


class DataDirInUseError(StorageError):
    """Another process holds a claim that conflicts with the one asked for."""

    def __init__(self, data_dir: Path, pids: list[int]) -> None:
        self.data_dir = data_dir
        self.pids = pids
        super().__init__(f"{data_dir} is in use by pid(s) {pids or 'unknown'}")


@contextmanager
def running_on(data_dir: Path) -> Iterator[None]:
    """Held by a process that reads and writes the folder; DataDirInUseError during a restore."""
    with _claim(data_dir, fcntl.LOCK_SH):
        yield


@contextmanager
def sole_user_of(data_dir: Path) -> Iterator[None]:
    """Held by a restore; DataDirInUseError (with the holders' pids) while anything runs."""
    with _claim(data_dir, fcntl.LOCK_EX):
        yield


@contextmanager
def _claim(data_dir: Path, mode: int) -> Iterator[None]:
    private_folder(data_dir)
    path = data_dir / CLAIM_NAME
    for _ in range(ATTEMPTS):
        fd = open_lock_file(path)
        try:
            fcntl.flock(fd, mode | fcntl.LOCK_NB)
        except BlockingIOError:
            pids = holders(fd)
            os.close(fd)
            raise DataDirInUseError(data_dir, pids) from None
        if _same_file(fd, path):
            break
        os.close(fd)  # we locked a claim file that a restore has just moved away
    else:
        raise DataDirInUseError(data_dir, [])
    try:
        yield
    finally:
        os.close(fd)


def _same_file(fd: int, path: Path) -> bool:
    try:
        now = os.stat(path)
    except FileNotFoundError:
        return False
    held = os.fstat(fd)
    return (held.st_dev, held.st_ino) == (now.st_dev, now.st_ino)


def holders(fd: int) -> list[int]:
    """Pids holding a lock on this file, from Linux's /proc/locks; [] where that is unknown."""
    held = os.fstat(fd)
    where = f"{os.major(held.st_dev):02x}:{os.minor(held.st_dev):02x}:{held.st_ino}"
    pids: set[int] = set()
    with contextlib.suppress(OSError):
        for line in Path("/proc/locks").read_text().splitlines():
            # "1: FLOCK  ADVISORY  READ 4257 fe:00:2146404 0 EOF"; waiters carry a "->"
            _, _, _, _, pid, device_inode, *_ = [*line.split(), "", "", "", "", "", ""]
            if device_inode == where and pid.isdigit() and "->" not in line:
                pids.add(int(pid))
    pids.discard(os.getpid())
    return sorted(pids)
