"""Data folders are private to the account that runs peercoach: folders 0700, files 0600.

Files are created 0600 where they are created (atomic writes, the journal, the ledger, the
lock files); folders go through here, which also tightens a folder an older release made
with the umask's mode, so nothing inside is reachable by another account whatever its mode.
"""

import os
import stat
from pathlib import Path
from typing import BinaryIO

FOLDER_MODE = 0o700
FILE_MODE = 0o600


def private_folder(folder: Path) -> None:
    """Create `folder` (and missing parents) 0700, or make an existing one 0700."""
    folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    if folder.stat().st_mode & 0o777 != FOLDER_MODE:
        os.chmod(folder, FOLDER_MODE)


def make_private(data_dir: Path) -> int:
    """Every folder under `data_dir` 0700 and every file 0600; the number changed. For
    folders written by a release that used the umask's modes (`peercoach rekey` runs it)."""
    changed = 0
    for root, folders, files in os.walk(data_dir):
        for name, mode in [(root, FOLDER_MODE)] + [
            (os.path.join(root, f), FILE_MODE) for f in files
        ]:
            found = os.lstat(name)
            if not stat.S_ISLNK(found.st_mode) and found.st_mode & 0o777 != mode:
                os.chmod(name, mode)
                changed += 1
        folders.sort()
    return changed


def open_private(path: Path) -> BinaryIO:
    """`path` opened for appending, created 0600 if it is new."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, FILE_MODE)
    return os.fdopen(fd, "ab")
