"""`peercoach restore`: a backup back into the data folder, all or nothing.

The folder is claimed exclusively first (bot.storage.in_use): refused while serve, console
or admin runs on it, and no server can start on it until the restore ends. A folder that
holds data is refused unless forced. The whole archive is extracted and verified into a
scratch folder beside the data folder, then the two are swapped in one step
(bot.backup.swap). A crash before the swap leaves the data folder exactly as it was (the next
restore removes the scratch folder); after it, the folder is wholly the backup. Forced, the
old folder is renamed aside, never deleted.
"""

import os
import stat
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.backup.layout import MARKER, data_files, discard, scratch_folder
from bot.backup.manifest import Manifest
from bot.backup.swap import swap_in
from bot.backup.unpack import unpack
from bot.errors import BackupError
from bot.storage.in_use import sole_user_of
from bot.storage.snapshot_lock import frozen

MAX_ASIDE_TRIES = 100


class DataDirHoldsDataError(BackupError):
    """The folder already holds data and --force was not given."""

    def __init__(self, data_dir: Path, files: int) -> None:
        self.files = files
        super().__init__(
            f"{data_dir} already holds data ({files} files); to replace it, run the restore "
            "again with --force, which keeps the current data aside in a folder next to it"
        )


@dataclass(frozen=True)
class RestoreReport:
    manifest: Manifest
    kept_aside: Path | None  # where the data that was there now is


def restore_backup(
    archive: Path, data_dir: Path, *, force: bool, at: datetime, wait: float
) -> RestoreReport:
    """Replace `data_dir` with the backup; BackupError (and the folder untouched) if not."""
    data_dir = data_dir.resolve()
    if os.path.ismount(data_dir):
        raise BackupError(
            f"{data_dir} is a mount point, which cannot be swapped in one step; point "
            f"PEERCOACH_DATA_DIR at a folder inside it (for example {data_dir}/data)"
        )
    created = not data_dir.exists()
    with sole_user_of(data_dir):
        try:
            aside = _aside_for_existing_data(data_dir, at, force=force)
            manifest, old = _swap_in_backup(archive, data_dir, wait)
        except BaseException:
            if created and not data_files(data_dir):
                discard(data_dir)  # leave no trace of a refused restore
            raise
    if aside is None:
        discard(old)  # nothing but lock files
    else:
        os.rename(old, aside)
    return RestoreReport(manifest, aside)


def _swap_in_backup(archive: Path, data_dir: Path, wait: float) -> tuple[Manifest, Path]:
    scratch = scratch_folder(data_dir.parent, f".{data_dir.name}.restoring-")
    try:
        manifest = unpack(archive, scratch)
        _match_owner(scratch, data_dir)
        with frozen(data_dir, wait=wait):  # a backup that is copying the folder finishes first
            old = swap_in(scratch, data_dir, aside=scratch.with_name(scratch.name + "-old"))
    except BaseException:
        discard(scratch)  # the swap did not happen: this is only the extracted copy
        raise
    (data_dir / MARKER).unlink()  # the restored folder is no scratch folder any more
    return manifest, old


def _match_owner(scratch: Path, data_dir: Path) -> None:
    """The restored folder takes the data folder's mode and owner: a restore run as root
    must leave files that the server's own user can write."""
    folder = data_dir.stat()
    os.chmod(scratch, stat.S_IMODE(folder.st_mode))
    if os.geteuid() != 0 or (folder.st_uid, folder.st_gid) == (0, 0):
        return
    os.chown(scratch, folder.st_uid, folder.st_gid)
    for root, folders, files in os.walk(scratch):
        for name in (*folders, *files):
            os.chown(Path(root, name), folder.st_uid, folder.st_gid)


def _aside_for_existing_data(data_dir: Path, at: datetime, *, force: bool) -> Path | None:
    """Where data already in the folder will be kept; None if there is none to keep."""
    existing = data_files(data_dir)
    if not existing:
        return None
    if not force:
        raise DataDirHoldsDataError(data_dir, len(existing))
    return _aside_path(data_dir, at)


def _aside_path(data_dir: Path, at: datetime) -> Path:
    stem = f"{data_dir.name}.before-restore-{at:%Y%m%dT%H%M%SZ}"
    for attempt in range(1, MAX_ASIDE_TRIES + 1):
        candidate = data_dir.with_name(stem if attempt == 1 else f"{stem}-{attempt}")
        if not candidate.exists():
            return candidate
    raise BackupError(f"too many folders named {stem}* next to {data_dir}; remove old ones")
