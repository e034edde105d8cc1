"""`peercoach backup`: the data folder as of one instant, in one .tar.gz, while serve runs.

Under the folder's snapshot lock (bot.storage.snapshot_lock) no writer makes a change
visible, so what is captured then is one consistent instant. Capturing is kept short: a
`.json` file is only ever replaced whole by a rename, so a hard link pins its content at once;
other files (the delivery ledger is appended in place) are copied while the lock is held.
Compressing and hashing happen after the lock is released. The archive is written to a
temporary file beside `out` and renamed into place, so a half-written backup never looks
complete; its manifest goes last, so a cut-short archive has none.
"""

import contextlib
import hashlib
import io
import os
import shutil
import tarfile
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from bot.backup.layout import data_files, discard, scratch_folder
from bot.backup.manifest import (
    DATA_PREFIX,
    MANIFEST_NAME,
    Manifest,
    ManifestFile,
    encode_manifest,
    new_manifest,
)
from bot.errors import BackupError
from bot.storage.atomic import fsync_folder
from bot.storage.snapshot_lock import frozen

SCRATCH_PREFIX = ".backup-"
COMPRESSION = 6  # gzip's own default: nearly level 9's size at a fraction of the time


@dataclass(frozen=True)
class BackupReport:
    path: Path
    manifest: Manifest
    archive_bytes: int
    writers_paused: float  # seconds the lock was held: the longest a writer waited


def create_backup(data_dir: Path, out: Path, *, at: datetime, wait: float) -> BackupReport:
    """Write a backup of `data_dir` to `out`; BackupError says why it could not."""
    data_dir, out = data_dir.resolve(), out.resolve()
    if out.is_relative_to(data_dir):
        raise BackupError(
            f"--out {out} is inside the data folder {data_dir}; write backups elsewhere, for "
            "example --out /var/backups/peercoach.tar.gz"
        )
    if not out.parent.is_dir():
        raise BackupError(
            f"the folder {out.parent} does not exist; create it or choose another --out"
        )
    if not data_files(data_dir):
        raise BackupError(
            f"{data_dir} holds no peercoach data; set PEERCOACH_DATA_DIR (or --data-dir) to "
            "the folder that `peercoach serve` uses"
        )
    scratch = scratch_folder(data_dir, SCRATCH_PREFIX)
    try:
        names, paused = _capture_all(data_dir, scratch, wait)
        manifest = _write_archive(scratch, names, out, at)
    finally:
        discard(scratch)
    return BackupReport(out, manifest, out.stat().st_size, paused)


def _capture_all(data_dir: Path, scratch: Path, wait: float) -> tuple[list[str], float]:
    with frozen(data_dir, wait=wait):
        started = time.monotonic()
        names = data_files(data_dir)
        for folder in sorted({name.rpartition("/")[0] for name in names} - {""}):
            (scratch / folder).mkdir(parents=True, exist_ok=True)
        source, target = f"{data_dir}/", f"{scratch}/"
        for name in names:
            _capture(source + name, target + name)
        return names, time.monotonic() - started


def _capture(source: str, target: str) -> None:
    if source.endswith(".json"):
        try:
            os.link(source, target)
        except OSError:  # another filesystem, or links not allowed: copy instead
            pass
        else:
            return
    shutil.copyfile(source, target)


def _write_archive(scratch: Path, names: list[str], out: Path, at: datetime) -> Manifest:
    temp = out.with_name(f".{out.name}.{uuid.uuid4().hex}.tmp")
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as raw:
            with tarfile.open(fileobj=raw, mode="w:gz", compresslevel=COMPRESSION) as tar:
                files = [_add_file(tar, scratch, name) for name in names]
                manifest = new_manifest(at, files)
                _add_bytes(tar, MANIFEST_NAME, encode_manifest(manifest), at)
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(temp, out)
        fsync_folder(out.parent)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
        raise
    return manifest


def _add_file(tar: tarfile.TarFile, scratch: Path, name: str) -> ManifestFile:
    with (scratch / name).open("rb") as handle:
        stat = os.fstat(handle.fileno())
        info = _member(DATA_PREFIX + name, stat.st_size, stat.st_mtime)
        hashing = _HashingReader(handle)
        tar.addfile(info, hashing)
    return ManifestFile(name, stat.st_size, hashing.digest.hexdigest())


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes, at: datetime) -> None:
    tar.addfile(_member(name, len(data), at.timestamp()), io.BytesIO(data))


def _member(name: str, size: int, mtime: float) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = size, int(mtime), 0o600
    return info


class _HashingReader:
    """Hands tarfile the file's bytes and hashes them on the way: one read per file."""

    def __init__(self, handle: BinaryIO) -> None:
        self.handle = handle
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        chunk = self.handle.read(size)
        self.digest.update(chunk)
        return chunk
