"""What in a data folder is data, and the scratch folders that backup and restore use.

Data is every regular file whose path has no dot-named part. Dot names are housekeeping that
must never travel in a backup: temporary files of atomic writes, the lock files, scratch
folders. Symbolic links are not followed: a backup holds plain files only. The console's
`exports/` folder is not data either: an export is a leader's own plain copy of their words,
and a backup holds sealed files only.
"""

import contextlib
import os
import shutil
import uuid
from pathlib import Path, PurePosixPath

from bot.services.exports import EXPORTS

MARKER = ".scratch"  # a dot name: never data, never in a backup


def data_files(data_dir: Path) -> list[str]:
    """Relative POSIX paths of the data files, sorted; [] if the folder does not exist.
    Runs while writers wait for a backup, so it reads directory entries only, no stat."""
    found: list[str] = []
    pending = [("", str(data_dir))]
    while pending:
        prefix, folder = pending.pop()
        try:
            entries = list(os.scandir(folder))
        except (FileNotFoundError, NotADirectoryError):
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):
                if not prefix and entry.name == EXPORTS:
                    continue
                pending.append((f"{prefix}{entry.name}/", entry.path))
            elif entry.is_file(follow_symlinks=False):
                found.append(prefix + entry.name)
    return sorted(found)


def is_data_path(relative: str) -> bool:
    """A path that data_files() could have produced: relative, no '..', no dot names."""
    path = PurePosixPath(relative)
    return (
        bool(relative)
        and not path.is_absolute()
        and "\\" not in relative
        and all(part not in ("", "..") and not part.startswith(".") for part in path.parts)
        and path.as_posix() == relative
    )


def scratch_folder(parent: Path, prefix: str) -> Path:
    """A new private folder `<prefix><pid>-<random>` holding a marker with its own name."""
    remove_abandoned(parent, prefix)
    folder = parent / f"{prefix}{os.getpid()}-{uuid.uuid4().hex[:12]}"
    folder.mkdir(mode=0o700)
    (folder / MARKER).write_text(folder.name)
    return folder


def remove_abandoned(parent: Path, prefix: str) -> None:
    """Delete scratch folders whose process died (kill -9, power cut) before cleaning up.

    Only a folder whose marker still names the folder itself goes: a restore swaps names,
    so a data folder that ended up under a scratch name (a crash right after a swap) has no
    such marker and is never deleted."""
    for folder in parent.glob(f"{prefix}*"):
        pid = folder.name.removeprefix(prefix).split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)) and _marked(folder):
            shutil.rmtree(folder, ignore_errors=True)


def _marked(folder: Path) -> bool:
    try:
        return (folder / MARKER).read_text() == folder.name and not folder.is_symlink()
    except OSError:
        return False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    return True


def discard(folder: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        shutil.rmtree(folder)
