"""Putting a restored folder in place of the data folder in one step, never half of each."""

import ctypes
import errno
import os
from pathlib import Path

from bot.storage.atomic import fsync_folder
from bot.storage.libc import libc_function

AT_FDCWD = -100
RENAME_EXCHANGE = 2
_RENAMEAT2 = libc_function("renameat2")


def swap_in(new: Path, current: Path, aside: Path) -> Path:
    """Put folder `new` in place of folder `current`; returns where the old folder now is.

    Linux's renameat2(RENAME_EXCHANGE) swaps the two names atomically: at every instant
    `current` is wholly the old data or wholly the new (the old then sits at `new`'s name).
    Where the kernel or filesystem lacks it, two renames via `aside`: a crash between them
    leaves no folder at `current` and the old data whole at `aside`, never a mix.
    """
    if _exchange(new, current):
        fsync_folder(current.parent)
        return new
    os.rename(current, aside)
    try:
        os.rename(new, current)
    except BaseException:
        os.rename(aside, current)
        raise
    fsync_folder(current.parent)
    return aside


def _exchange(first: Path, second: Path) -> bool:
    """True if swapped; False if this system cannot; OSError for any other failure."""
    if _RENAMEAT2 is None:
        return False
    result = _RENAMEAT2(
        AT_FDCWD, os.fsencode(first), AT_FDCWD, os.fsencode(second), RENAME_EXCHANGE
    )
    if result == 0:
        return True
    error = ctypes.get_errno()
    if error in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(error, os.strerror(error), str(second))
