"""Crash-safe file writes: a reader sees the old file or the new one, never half of either.

TinyDB's own JSONStorage rewrites the file in place and truncates afterwards, which a crash
can leave unreadable. Here every write goes to a temporary file in the same folder, is
flushed to disk, atomically renamed over the old file, and the folder entry is flushed too.
"""

import contextlib
import itertools
import os
import time
from pathlib import Path
from typing import Any

import orjson
from tinydb.storages import Storage

from bot.errors import CorruptDataError
from bot.storage.shapes import tinydb_tables
from bot.storage.snapshot_lock import visible_change

TEMP_SUFFIX = ".tmp"


def write_temp(path: Path, data: bytes, *, sync: bool = False) -> Path:
    """A private, uniquely named temporary file beside `path` holding `data` (fsynced if
    asked); on failure (a full disk) nothing half-made is left behind.

    Plain descriptor calls: a file object would add three system calls per file (fstat, an
    isatty probe, a seek), and on the storage thread every system call hands the GIL over."""
    temp = path.with_name(f".{path.name}.{_unique()}{TEMP_SUFFIX}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    try:
        try:
            written = 0
            while written < len(data):
                written += os.write(fd, data[written:])
            if sync:
                os.fsync(fd)
        finally:
            os.close(fd)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    return temp


def read_bytes(path: Path) -> bytes | None:
    """The file's content, None if it does not exist: open, read to the end, close."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    try:
        chunks = []
        while chunk := os.read(fd, READ_CHUNK):
            chunks.append(chunk)
    finally:
        os.close(fd)
    return b"".join(chunks)


READ_CHUNK = 64 * 1024  # under malloc's mmap threshold: a bigger buffer costs an mmap per read
_NAMES = itertools.count()
_pid = os.getpid()  # asked once: getpid is a system call each time


def _unique() -> str:
    """Unique among this process's temporary files; the pid keeps other processes' apart,
    and O_EXCL refuses a clash with anything left over."""
    return f"{_pid}-{next(_NAMES)}"


def _forked() -> None:
    global _pid  # noqa: PLW0603 - a forked child has a new pid and must name files by it
    _pid = os.getpid()


os.register_at_fork(after_in_child=_forked)


def write_atomically(path: Path, data: bytes, *, data_dir: Path) -> None:
    """Replace `path` with `data` durably: temp file, fsync, rename, fsync the folder.
    The folder must exist (stores create theirs when they open). The rename happens under
    `data_dir`'s snapshot lock, so a backup sees the old file or the new one with the rest."""
    temp = write_temp(path, data, sync=True)
    try:
        with visible_change(data_dir):
            os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
        raise
    fsync_folder(path.parent)


def fsync_folder(folder: Path) -> None:
    """Make renames and new entries in `folder` durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


STALE_AFTER = 600.0  # seconds: a live write's temporary file exists for milliseconds


def remove_stale_temp_files(
    folder: Path, name: str = "", *, older_than: float = STALE_AFTER
) -> int:
    """Delete temporary files a crash left behind (of the file `name` only, if given); the
    real files were never touched.

    Only old ones: another process on the same folder (a `schedule preview` or `admin` beside a
    running server) may be in the middle of a write, and its temporary file is young. Leftovers
    of a crash a moment ago stay hidden (readers ignore them) until a later start removes them."""
    removed = 0
    cutoff = time.time() - older_than
    if folder.is_dir():
        for temp in folder.glob(f".{name}*{TEMP_SUFFIX}"):
            with contextlib.suppress(FileNotFoundError):
                if temp.stat().st_mtime < cutoff:
                    temp.unlink()
                    removed += 1
    return removed


def decode_json(path: Path, raw: bytes | None) -> Any | None:
    """Parsed JSON content of `path`; None for no content; CorruptDataError if unparsable."""
    if raw is None:
        return None
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:  # not UTF-8 counts too
        raise CorruptDataError(path, f"not valid JSON ({exc})") from exc


def encode_json(data: Any) -> bytes:
    """Compact UTF-8 JSON: the bytes json.dumps(ensure_ascii=False, separators=(",", ":"))
    gives, several times faster (orjson; every turn writes a leader's file, and reads it)."""
    return orjson.dumps(data)


class AtomicJSONStorage(Storage):
    """A TinyDB storage that reads JSON and writes it with write_atomically()."""

    def __init__(self, path: str | Path, *, data_dir: Path) -> None:
        self.path = Path(path)
        self.data_dir = data_dir

    def read(self) -> dict[str, dict[str, Any]] | None:
        try:
            raw = read_bytes(self.path)
        except OSError as exc:
            raise CorruptDataError(self.path, exc.strerror or str(exc)) from exc
        if raw is None:
            return None
        return tinydb_tables(self.path, decode_json(self.path, raw))

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        write_atomically(self.path, encode_json(data), data_dir=self.data_dir)

    def close(self) -> None:
        """Nothing stays open between writes."""
