"""A write-ahead journal for leaders' files while the storage thread is busy.

Under load (a morning's nudges, a burst of replies) writing each leader's file at once costs a
new file, a rename and a handful of system calls per turn, and every system call hands the GIL
to the busy event loop and waits to get it back. A batch that has more work queued behind it
appends its files' new content to this journal instead, with one write and one fdatasync, and
the files themselves are written later, when the queue is empty, in one group commit; then the
journal is emptied (once no new work has come for a moment, so turns do not wait on them). The
journal is durable, so "saved, then sent" holds either way. A batch that removes a file
("forget me") writes everything and empties the journal: no copy of the leader stays in it.

One process owns the journal (an exclusive flock): the first to open the store, and the only
one that writes the folder (a second `serve` or `console` is refused). Another reader on the
same folder (`peercoach schedule preview` beside `serve`) reads the files, which may be from
before the owner's last burst. A start after a crash replays what
the journal holds into the files before anything else; a torn last record (the crash came in
the middle of an append nobody was told about) ends the replay.

Record: name length, content length, CRC-32 of name and content
(unsigned, little-endian 32-bit each), then the name (the file's path relative to the data
folder, UTF-8) and the content.
"""

import fcntl
import os
import struct
import zlib
from pathlib import Path, PurePosixPath

from bot.errors import CorruptDataError
from bot.storage.atomic import fsync_folder
from bot.storage.snapshot_lock import visible_change

HEADER = struct.Struct("<III")
JOURNAL_NAME = "users.journal"

Writes = dict[Path, bytes | None]  # a file's new content, or None: remove it
Contents = dict[Path, bytes]  # what the journal holds: removals never wait in it


class JournalBusyError(OSError):
    """Another process owns this folder's journal."""


class Journal:
    def __init__(self, path: Path, data_dir: Path) -> None:
        self.path = path
        self.data_dir = data_dir
        self._prefix = os.path.join(data_dir, "")  # names are relative to it
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self._fd)
            raise JournalBusyError(f"{path} is owned by another process") from None
        # Whether it may hold records: then every write goes through it until it is emptied
        # (a file written directly could be older than a record a crash would replay).
        self.holds = os.fstat(self._fd).st_size > 0
        fsync_folder(data_dir)  # the journal's own name is durable before anything relies on it

    @classmethod
    def owned(cls, data_dir: Path) -> "Journal | None":
        """This folder's journal, or None when another process owns it."""
        try:
            return cls(data_dir / JOURNAL_NAME, data_dir)
        except JournalBusyError:
            return None

    def replay(self) -> Contents:
        """The newest content per file that the journal holds, oldest records first."""
        raw = _read_all(self._fd)
        found: Contents = {}
        at = 0
        while at + HEADER.size <= len(raw):
            name_length, data_length, checksum = HEADER.unpack_from(raw, at)
            start = at + HEADER.size
            end = start + name_length + data_length
            if end > len(raw) or zlib.crc32(raw[start:end]) != checksum:
                break  # torn by a crash in the middle of an append: nobody was told it was saved
            name = raw[start : start + name_length].decode("utf-8", errors="replace")
            found[self._path_of(name)] = raw[start + name_length : end]
            at = end
        return found

    def _path_of(self, name: str) -> Path:
        """A record's file, which must be a JSON file inside the data folder: a record
        naming anything else was not written by us, and nothing of it is replayed."""
        parts = PurePosixPath(name).parts
        if not parts or name.startswith("/") or ".." in parts or not name.endswith(".json"):
            raise CorruptDataError(self.path, f"a record names {name!r}, not a leader's file")
        return self.data_dir / name

    def append(self, writes: Contents) -> None:
        """Durable when this returns."""
        records = [_record(self._name_of(path), data) for path, data in writes.items()]
        payload = b"".join(records)
        self.holds = True
        with visible_change(self.data_dir):  # a backup sees whole batches
            written = 0
            while written < len(payload):
                written += os.write(self._fd, payload[written:])
        os.fdatasync(self._fd)

    def _name_of(self, path: Path) -> str:
        """The path relative to the data folder, by string: Path.relative_to costs tens of
        microseconds of the storage thread per file, on every turn of a burst."""
        full = str(path)
        if not full.startswith(self._prefix):
            raise ValueError(f"{path} is not in the data folder {self.data_dir}")
        return full[len(self._prefix) :]

    def clear(self) -> None:
        """Everything it held is in the files now."""
        with visible_change(self.data_dir):
            os.ftruncate(self._fd, 0)
        os.fsync(self._fd)
        self.holds = False

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)  # and the lock with it
            self._fd = -1


def _record(name: str, data: bytes) -> bytes:
    encoded = name.encode("utf-8")
    body = encoded + data
    return HEADER.pack(len(encoded), len(data), zlib.crc32(body)) + body


def _read_all(fd: int) -> bytes:
    chunks = []
    offset = 0
    while chunk := os.pread(fd, 1 << 20, offset):
        chunks.append(chunk)
        offset += len(chunk)
    return b"".join(chunks)


def first_record(path: Path) -> tuple[str, bytes] | None:
    """The journal's first whole record (name, content), read without owning it: enough to
    check the keys open what it holds before a replay writes anything."""
    try:
        with path.open("rb") as handle:
            head = handle.read(HEADER.size)
            if len(head) < HEADER.size:
                return None
            name_length, data_length, checksum = HEADER.unpack(head)
            body = handle.read(name_length + data_length)
    except FileNotFoundError:
        return None
    if len(body) < name_length + data_length or zlib.crc32(body) != checksum:
        return None
    return body[:name_length].decode("utf-8"), body[name_length:]
